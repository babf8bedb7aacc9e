// One Watch stream: replays the change log above the client's revision, then
// follows new revisions live, with progress messages when idle.
#ifndef HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_
#define HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_

#include <deque>

#include "absl/time/time.h"
#include "common/domain/clock.h"
#include "common/server/attached_store.h"
#include "common/server/feed_stream_reactor.h"
#include "headcount/v1/ingest.pb.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// Most events in one WatchResponse; a larger revision travels as fragments.
inline constexpr int kMaxEventsPerMessage = 256;

// Reads the log itself, one revision at a time and with one write in flight,
// so a slow reader holds at most one revision in memory and never makes the
// server buffer.
class WatchReactor final : public FeedStreamReactor<v1::WatchResponse> {
 public:
  // `store`, `waker` and `clock` are not owned and outlive every stream; a
  // detached store ends the stream with UNAVAILABLE. A stream whose client
  // stops reading for `stall_limit` while revisions are due is cancelled
  // with RESOURCE_EXHAUSTED (zero: never). `request` has been validated.
  WatchReactor(const AttachedStore<SubmissionStore>* store, StreamWaker* waker,
               grpc::CallbackServerContext* context, absl::Duration stall_limit,
               const Clock* clock, const v1::WatchRequest& request);

 private:
  absl::StatusOr<bool> Next(v1::WatchResponse& next) override
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const AttachedStore<SubmissionStore>* const store_;
  const absl::Duration progress_interval_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_);  // newest revision queued for sending
  std::deque<v1::WatchResponse> pending_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_
