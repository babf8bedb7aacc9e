#include "ingest_service/watch_reactor.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "common/domain/status_util.h"
#include "common/server/request_parser.h"

namespace headcount::ingest {

WatchReactor::WatchReactor(const AttachedStore<SubmissionStore>* store,
                           FragmentCache* fragments, StreamWaker* waker,
                           grpc::CallbackServerContext* context,
                           absl::Duration stall_limit, const Clock* clock,
                           const v1::WatchRequest& request)
    : FeedStreamReactor(
          waker, context,
          FeedStreamLimits::Resumable("ingest", "revisions", "after_revision",
                                      "revision", stall_limit),
          clock),
      store_(store),
      fragments_(fragments),
      progress_interval_(absl::Milliseconds(request.progress_interval_ms())),
      max_revisions_per_message_(
          std::max(1, request.max_revisions_per_message())),
      county_(request.county()),
      cursor_(request.after_revision()),
      last_sent_(clock->Now()) {
  Begin();
}

absl::StatusOr<std::shared_ptr<const SerializedRevision>>
WatchReactor::Share(SubmissionStore& store, int64_t revision) {
  if (own_ != nullptr && own_->revision == revision) return own_;
  own_.reset();
  ASSIGN_OR_RETURN(std::shared_ptr<const SerializedRevision> shared,
                   fragments_->Get(store, revision));
  if (county_.empty() || shared->counties.size() == 1) return shared;
  // Other counties' events too: this stream's own share, kept while its
  // fragments go out.
  ASSIGN_OR_RETURN(SerializedRevision share,
                   ReadSerializedRevision(store, revision, county_));
  own_ = std::make_shared<const SerializedRevision>(std::move(share));
  return own_;
}

absl::StatusOr<NextMessage> WatchReactor::Next(grpc::ByteBuffer& next) {
  auto store = store_->Borrow();
  if (!store) return absl::UnavailableError(limits().closing_message);
  const absl::Time now = clock().Now();
  const int64_t newest = store->revision();
  if (!county_.empty() && next_fragment_ == 0 && cursor_ < newest) {
    // Revisions without this county's events are passed over unsent.
    ASSIGN_OR_RETURN(const int64_t first,
                     fragments_->FirstWithCounty(*store.get(), county_,
                                                 cursor_ + 1, newest));
    cursor_ = first - 1;
  }
  if (cursor_ < newest) {
    // Looked up per fragment, so that between writes this stream holds no
    // reference to a shared revision (the cache keeps it for everyone).
    ASSIGN_OR_RETURN(std::shared_ptr<const SerializedRevision> revision,
                     Share(*store.get(), cursor_ + 1));
    if (next_fragment_ > 0 || revision->fragments.size() > 1) {
      next = FragmentCache::Message(*revision, next_fragment_, newest);
      if (++next_fragment_ == revision->fragments.size()) {
        cursor_ = revision->revision;
        next_fragment_ = 0;
        own_.reset();
      }
    } else {
      // Whole small revisions due now, together up to the limits.
      std::vector<grpc::Slice> combined = {revision->fragments[0]};
      size_t bytes = revision->bytes;
      cursor_ = revision->revision;
      own_.reset();
      while (cursor_ < newest &&
             static_cast<int>(combined.size()) < max_revisions_per_message_) {
        ASSIGN_OR_RETURN(revision, fragments_->Get(*store.get(), cursor_ + 1));
        if (!county_.empty() && !revision->HasCounty(county_)) {
          cursor_ = revision->revision;  // nothing for this stream
          continue;
        }
        if (revision->fragments.size() > 1 ||
            bytes + revision->bytes > kFragmentBytes ||
            (!county_.empty() && revision->counties.size() > 1)) {
          break;
        }
        combined.push_back(revision->fragments[0]);
        bytes += revision->bytes;
        cursor_ = revision->revision;
      }
      next = FragmentCache::Combined(std::move(combined), newest);
    }
  } else if (progress_interval_ > absl::ZeroDuration() &&
             now - last_sent_ >= progress_interval_) {
    // Everything up to cursor_ has been handed to the stream.
    v1::WatchResponse progress;
    progress.set_history_id(store->history_id());
    progress.set_progress(true);
    progress.set_header_revision(cursor_);
    SerializeResponse(progress, next);
  } else {
    return NextMessage::kNone;
  }
  last_sent_ = now;
  return next_fragment_ > 0 || cursor_ < newest ? NextMessage::kMoreDue
                                                 : NextMessage::kCaughtUp;
}

}  // namespace headcount::ingest
