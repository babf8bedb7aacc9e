// The server side of a resumable stream fed from a store (ingest Watch,
// audit WatchAlerts): one write in flight, woken by a ChangeFeed, finished
// after the write in flight, closed with UNAVAILABLE on shutdown.
#ifndef HEADCOUNT_COMMON_FEED_STREAM_REACTOR_H_
#define HEADCOUNT_COMMON_FEED_STREAM_REACTOR_H_

#include <optional>
#include <string>
#include <utility>

#include "common/mutex.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/change_feed.h"
#include "common/status_util.h"
#include "grpcpp/grpcpp.h"

namespace headcount {

// Subclasses say what to send next; this class owns the write discipline.
// The reactor deletes itself when the stream is done.
template <typename Response>
class FeedStreamReactor : public grpc::ServerWriteReactor<Response>,
                          public ChangeFeed::Subscriber {
 public:
  // `feed` is not owned and outlives the stream. `closing_message` is the
  // UNAVAILABLE message sent when the server shuts down.
  FeedStreamReactor(ChangeFeed* feed, std::string closing_message)
      : feed_(feed), closing_message_(std::move(closing_message)) {}

  void OnWriteDone(bool ok) override {
    {
      MutexLock lock(&mu_);
      writing_ = false;
      if (finish_after_write_.has_value()) {
        this->Finish(*std::move(finish_after_write_));
        finish_after_write_.reset();
        return;
      }
      if (!ok) {  // the client is gone; OnCancel follows
        return FinishLocked(
            grpc::Status(grpc::StatusCode::CANCELLED, "stream write failed"));
      }
    }
    Pump();
  }
  void OnCancel() override {
    MutexLock lock(&mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }
  void OnDone() override {
    feed_->Remove(this);
    delete this;
  }
  void Wake() override { Pump(); }
  void Close() override {
    MutexLock lock(&mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, closing_message_));
  }

 protected:
  // Fills `next` with the message due now and returns true; false when none
  // is due; an error ends the stream with that status.
  virtual absl::StatusOr<bool> Next(Response& next)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  // Registers with the feed and sends what is due. Call last in the
  // subclass's constructor.
  void Begin() {
    feed_->Add(this);
    Pump();
  }

  // Ends the stream now, or after the write in flight.
  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    if (writing_) {
      finish_after_write_ = std::move(status);
      return;
    }
    this->Finish(std::move(status));
  }

  absl::Mutex mu_;

 private:
  void Pump() {
    MutexLock lock(&mu_);
    if (finished_ || writing_) return;
    absl::StatusOr<bool> due = Next(in_flight_);
    if (!due.ok()) return FinishLocked(ToGrpcStatus(due.status()));
    if (!*due) return;
    writing_ = true;
    this->StartWrite(&in_flight_);
  }

  ChangeFeed* const feed_;
  const std::string closing_message_;
  Response in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_FEED_STREAM_REACTOR_H_
