#include "ingest_service/watch_reactor.h"

#include <utility>

#include "common/mutex.h"
#include "common/status_util.h"

namespace headcount::ingest {

WatchReactor::WatchReactor(const AttachedStore<SubmissionStore>* store,
                           ChangeFeed* feed,
                           grpc::CallbackServerContext* context,
                           absl::Duration stall_limit,
                           const v1::WatchRequest& request)
    : FeedStreamReactor(feed, context,
                        FeedStreamLimits::Resumable("ingest", "revisions",
                                                    "after_revision", "revision",
                                                    stall_limit)),
      store_(store),
      progress_interval_(absl::Milliseconds(request.progress_interval_ms())),
      cursor_(request.after_revision()),
      last_sent_(absl::Now()) {
  std::vector<FieldViolation> violations;
  if (request.after_revision() < 0) {
    violations.push_back({"after_revision", "must not be negative"});
  }
  if (request.progress_interval_ms() < 0 ||
      request.progress_interval_ms() > 3'600'000) {
    violations.push_back(
        {"progress_interval_ms", "must be in 0..3600000 (0: no progress)"});
  }
  if (!violations.empty()) {
    MutexLock lock(&mu_);
    FinishLocked(ToGrpcStatus(InvalidArgument(violations)));
  }
  Begin();
}

absl::StatusOr<bool> WatchReactor::Next(v1::WatchResponse& next) {
  auto store = store_->Borrow();
  if (!store) return absl::UnavailableError(limits().closing_message);
  if (pending_.empty() && cursor_ < store->revision()) {
    ASSIGN_OR_RETURN(std::vector<storage::RevisionEntry> entries,
                     store->ReadLog(cursor_, 1));
    for (storage::RevisionEntry& entry : entries) {
      const int events = entry.events_size();
      for (int begin = 0; begin < events; begin += kMaxEventsPerMessage) {
        v1::WatchResponse& message = pending_.emplace_back();
        message.set_revision(entry.revision());
        const int end = std::min(events, begin + kMaxEventsPerMessage);
        for (int i = begin; i < end; ++i) {
          *message.add_events() = std::move(*entry.mutable_events(i));
        }
        message.set_fragment(end < events);
      }
      cursor_ = entry.revision();
    }
  }
  const absl::Time now = absl::Now();
  if (!pending_.empty()) {
    next = std::move(pending_.front());
    pending_.pop_front();
    next.set_header_revision(store->revision());
  } else if (progress_interval_ > absl::ZeroDuration() &&
             now - last_sent_ >= progress_interval_ &&
             cursor_ >= store->revision()) {
    // Everything up to cursor_ has been handed to the stream.
    next.Clear();
    next.set_progress(true);
    next.set_header_revision(cursor_);
  } else {
    return false;
  }
  last_sent_ = now;
  return true;
}

}  // namespace headcount::ingest
