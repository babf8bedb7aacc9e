// One Watch stream: replays the change log above the client's revision, then
// follows new revisions live, with progress messages when idle.
#ifndef HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_
#define HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_

#include <deque>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/ingest.pb.h"
#include "common/change_feed.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// Most events in one WatchResponse; a larger revision travels as fragments.
inline constexpr int kMaxEventsPerMessage = 256;

// Reads the log itself, one revision at a time and with one write in flight,
// so a slow reader holds at most one revision in memory and never makes the
// server buffer. Deletes itself when the stream is done.
class WatchReactor final : public grpc::ServerWriteReactor<v1::WatchResponse>,
                           public ChangeFeed::Subscriber {
 public:
  // `store` and `feed` are not owned and outlive every stream.
  WatchReactor(SubmissionStore* store, ChangeFeed* feed,
               const v1::WatchRequest& request);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

  void Wake() override { Pump(); }
  void Close() override;

 private:
  // Sends the next message if none is in flight and one is due.
  void Pump();
  // Finishes now, or after the write in flight. Requires mu_.
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  SubmissionStore* const store_;
  ChangeFeed* const feed_;
  const absl::Duration progress_interval_;

  absl::Mutex mu_;
  int64_t cursor_ ABSL_GUARDED_BY(mu_);  // newest revision queued for sending
  std::deque<v1::WatchResponse> pending_ ABSL_GUARDED_BY(mu_);
  v1::WatchResponse in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // Set when the stream should end once the write in flight completes.
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_WATCH_REACTOR_H_
