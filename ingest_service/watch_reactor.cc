#include "ingest_service/watch_reactor.h"

#include <utility>

#include "common/domain/mutex.h"
#include "common/domain/status_util.h"

namespace headcount::ingest {

WatchReactor::WatchReactor(const AttachedStore<SubmissionStore>* store,
                           StreamWaker* waker,
                           grpc::CallbackServerContext* context,
                           absl::Duration stall_limit, const Clock* clock,
                           const v1::WatchRequest& request)
    : FeedStreamReactor(
          waker, context,
          FeedStreamLimits::Resumable("ingest", "revisions", "after_revision",
                                      "revision", stall_limit),
          clock),
      store_(store),
      progress_interval_(absl::Milliseconds(request.progress_interval_ms())),
      cursor_(request.after_revision()),
      last_sent_(clock->Now()) {
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
  const absl::Time now = clock().Now();
  if (!pending_.empty()) {
    next = std::move(pending_.front());
    pending_.pop_front();
    next.set_history_id(store->history_id());
    next.set_header_revision(store->revision());
  } else if (progress_interval_ > absl::ZeroDuration() &&
             now - last_sent_ >= progress_interval_ &&
             cursor_ >= store->revision()) {
    // Everything up to cursor_ has been handed to the stream.
    next.Clear();
    next.set_history_id(store->history_id());
    next.set_progress(true);
    next.set_header_revision(cursor_);
  } else {
    return false;
  }
  last_sent_ = now;
  return true;
}

}  // namespace headcount::ingest
