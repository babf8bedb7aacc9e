#include "audit_service/feed_follower.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/domain/mutex.h"
#include "common/domain/status_util.h"
#include "common/rpc/grpc_status.h"
#include "common/server/log.h"

namespace headcount::audit {

FeedFollower::FeedFollower(const Options& options, RevisionSink* sink,
                           std::function<void()> on_applied,
                           std::function<void()> on_caught_up,
                           std::function<void()> on_out_of_sync)
    : options_(options),
      sink_(sink),
      on_applied_(std::move(on_applied)),
      on_caught_up_(std::move(on_caught_up)),
      on_out_of_sync_(std::move(on_out_of_sync)) {
  grpc::ChannelArguments args;
  args.SetInt(
      GRPC_ARG_KEEPALIVE_TIME_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  args.SetInt(
      GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
      static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Reconnect as soon as the ingest is back: its own subchannels, with our
  // backoff rather than gRPC's shared one (1 s doubling to 120 s). Not
  // GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC uses it as the connection
  // timeout, which must stay long enough for a slow handshake.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              static_cast<int>(absl::ToInt64Milliseconds(options.min_backoff)));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(absl::ToInt64Milliseconds(options.max_backoff)));
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  channel_ = grpc::CreateCustomChannel(
      options.ingest_address, options.credentials, args);
  stub_ = v1::IngestService::NewStub(channel_);
}

FeedFollower::~FeedFollower() { Stop(); }

void FeedFollower::Start() {
  thread_ = std::thread([this] { Run(); });
}

void FeedFollower::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

bool FeedFollower::Sleep(absl::Duration duration) {
  MutexLock lock(&mu_);
  AwaitWithTimeout(&mu_, absl::Condition(&stopping_), duration);
  return !stopping_;
}

void FeedFollower::Run() {
  absl::Duration backoff = options_.min_backoff;
  while (true) {
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
    }
    const int64_t applied_before = sink_->applied_revision();
    absl::Status status = FollowOnce();
    {
      MutexLock lock(&mu_);
      if (stopping_) return;
    }
    if (status.code() == absl::StatusCode::kAborted) {
      backoff = options_.min_backoff;  // a new history: follow it at once
      continue;
    }
    if (status.code() == absl::StatusCode::kOutOfRange) {
      Log(LogLevel::kWarning, "feed",
          absl::StrCat(status.message(), "; rebuilding from ListSchools"));
      status = Rebuild();
      if (status.ok()) continue;
    }
    if (sink_->applied_revision() > applied_before) {
      backoff = options_.min_backoff;  // the stream made progress
    }
    if (options_.state != nullptr) options_.state->Lost(status);
    if (!Sleep(backoff)) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

absl::Status FeedFollower::FollowOnce() {
  grpc::ClientContext context;
  {
    MutexLock lock(&mu_);
    if (stopping_) return absl::CancelledError("stopping");
    active_ = &context;
  }
  struct ClearActive {
    FeedFollower* self;
    ~ClearActive() {
      MutexLock lock(&self->mu_);
      self->active_ = nullptr;
    }
  } clear{this};

  v1::WatchRequest request;
  request.set_after_revision(sink_->applied_revision());
  request.set_progress_interval_ms(static_cast<int32_t>(
      absl::ToInt64Milliseconds(options_.progress_interval)));
  request.set_max_revisions_per_message(options_.max_revisions_per_message);
  std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader =
      stub_->Watch(&context, request);
  connections_.fetch_add(1);

  int64_t target = -1;  // ingest revision when this stream started
  std::vector<v1::Event> pending;
  int64_t pending_revision = 0;
  // Ends the stream early with `status` (the stream's own is dropped).
  auto abandon = [&](absl::Status status) {
    context.TryCancel();
    reader->Finish();
    return status;
  };
  v1::WatchResponse response;
  while (reader->Read(&response)) {
    if (options_.state != nullptr) {
      options_.state->Heard(response.header_revision());
    }
    if (target < 0) {
      absl::Status history = CheckHistory(response.history_id());
      if (!history.ok()) return abandon(history);
      target = response.header_revision();
    }
    if (!response.progress()) {
      if (pending_revision != 0 && pending_revision != response.revision()) {
        return abandon(
            absl::DataLossError("a revision's fragments were interleaved"));
      }
      pending_revision = response.revision();
      for (v1::Event& event : *response.mutable_events()) {
        event.clear_prev_school();  // the audit keeps its own copy
        pending.push_back(std::move(event));
      }
      if (response.fragment()) continue;
      // One revision, or several due together: each checked against the
      // one before it; the good ones before a bad one are applied, then
      // the stream is refused.
      std::vector<FeedRevision> revisions =
          SplitByRevision(pending_revision, std::move(pending));
      pending.clear();
      pending_revision = 0;
      absl::Status check;
      int64_t previous = sink_->applied_revision();
      size_t good = 0;
      for (; good < revisions.size(); ++good) {
        check = CheckFeed(FeedSource::kWatch, previous,
                          revisions[good].revision, revisions[good].events);
        if (!check.ok()) break;
        previous = revisions[good].revision;
      }
      revisions.resize(good);
      absl::StatusOr<int> applied = sink_->ApplyRevisions(revisions);
      if (!applied.ok()) return abandon(applied.status());
      if (good > 0) {  // also before a refused one: its alerts are due
        if (options_.state != nullptr) {
          options_.state->Applied(sink_->applied_revision());
        }
        on_applied_();
      }
      if (!check.ok()) return abandon(check);
    }
    // A refused revision exists: not caught up before it is applied, even
    // when the ingest says so.
    if (!caught_up_.load() &&
        sink_->applied_revision() >= std::max(target, refused_revision_)) {
      caught_up_.store(true);
      on_caught_up_();
    }
  }
  absl::Status status = FromGrpcStatus(reader->Finish());
  return status.ok() ? absl::UnavailableError("watch stream ended") : status;
}

absl::Status FeedFollower::Rebuild() {
  std::vector<v1::SchoolRecord> schools;
  int64_t revision = -1;
  v1::ListSchoolsRequest request;
  request.set_page_size(1000);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::ListSchoolsResponse page;
    RETURN_IF_ERROR(
        FromGrpcStatus(stub_->ListSchools(&context, request, &page)));
    // Every page shows the first page's revision; watching from it
    // follows on without a gap.
    if (revision < 0) {
      absl::Status history = CheckHistory(page.history_id());
      // The sink starting over is what a rebuild wants anyway.
      if (!history.ok() && history.code() != absl::StatusCode::kAborted) {
        return history;
      }
      revision = page.revision();
      if (options_.state != nullptr) options_.state->Heard(revision);
    }
    for (v1::SchoolRecord& school : *page.mutable_schools()) {
      schools.push_back(std::move(school));
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  // Every roster, read after the listing: an entry changed since is
  // changed again, to the same end, by the revisions watched after it.
  std::vector<v1::RosterEntry> roster;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::Roster all;
    absl::Status got = FromGrpcStatus(
        stub_->GetRoster(&context, v1::GetRosterRequest(), &all));
    if (!got.ok() && got.code() != absl::StatusCode::kNotFound) return got;
    for (v1::RosterEntry& entry : *all.mutable_schools()) {
      // Stamped with the listing's revision at most, as a listing is.
      entry.set_mod_revision(std::min(entry.mod_revision(), revision));
      roster.push_back(std::move(entry));
    }
  }
  // And every county's region (never removed: the listing's revision may
  // predate one, which the watched revisions then put again).
  std::vector<v1::Region> regions;
  {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::Regions all;
    absl::Status got = FromGrpcStatus(
        stub_->GetRegions(&context, v1::GetRegionsRequest(), &all));
    if (!got.ok() && got.code() != absl::StatusCode::kNotFound) return got;
    for (v1::Region& region : *all.mutable_regions()) {
      region.set_mod_revision(std::min(region.mod_revision(), revision));
      regions.push_back(std::move(region));
    }
  }
  const std::vector<v1::Event> events =
      PutEvents(std::move(schools), std::move(roster), std::move(regions));
  RETURN_IF_ERROR(CheckFeed(FeedSource::kList, sink_->applied_revision(),
                            revision, events));
  absl::StatusOr<int> applied = sink_->ApplySnapshot(revision, events);
  if (!applied.ok()) return applied.status();
  if (options_.state != nullptr) {
    options_.state->Applied(sink_->applied_revision());
  }
  on_applied_();
  return absl::OkStatus();
}

absl::Status FeedFollower::CheckFeed(
    FeedSource source, int64_t previous, int64_t revision,
    const std::vector<v1::Event>& events) {
  absl::Status status = CheckFeedRevision(source, previous, revision, events);
  if (status.ok()) return status;
  Log(LogLevel::kError, "feed",
      absl::StrCat("refusing the feed of the ingest at ",
                   options_.ingest_address, ", nothing of revision ", revision,
                   " applied, not serving: ", status.message()));
  caught_up_.store(false);
  refused_revision_ = std::max(refused_revision_, revision);
  if (on_out_of_sync_) on_out_of_sync_();
  return status;
}

absl::Status FeedFollower::CheckHistory(const std::string& history_id) {
  const std::string ours = sink_->history_id();
  if (history_id.empty() || history_id == ours) return absl::OkStatus();
  if (!ours.empty()) {
    caught_up_.store(false);
    if (on_out_of_sync_) on_out_of_sync_();
    if (options_.refuse_other_history) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the ingest at ", options_.ingest_address, " holds history ",
          history_id, ", not ", ours,
          " which this audit applied; refusing to follow it "
          "(--on_other_history=refuse): point --ingest at the right ingest, "
          "or restart with --on_other_history=rebuild"));
    }
  }
  ASSIGN_OR_RETURN(bool discarded, sink_->EnterHistory(history_id));
  if (!discarded) return absl::OkStatus();
  refused_revision_ = 0;  // a revision of the old history
  Log(LogLevel::kWarning, "feed",
      absl::StrCat("the ingest at ", options_.ingest_address,
                   " now holds history ", history_id, ", not ", ours,
                   ": discarded every count and alert applied from the old "
                   "one (new alert epoch), following the new history from "
                   "its start"));
  return absl::AbortedError("the ingest's history changed; starting over");
}

}  // namespace headcount::audit
