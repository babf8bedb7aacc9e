// The server side of a resumable stream fed from a store (ingest Watch,
// audit WatchAlerts): one write in flight, woken by a StreamWaker, finished
// after the write in flight, closed with UNAVAILABLE on shutdown, and
// cancelled with RESOURCE_EXHAUSTED when the client stops reading.
#ifndef HEADCOUNT_COMMON_SERVER_FEED_STREAM_REACTOR_H_
#define HEADCOUNT_COMMON_SERVER_FEED_STREAM_REACTOR_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/domain/clock.h"
#include "common/domain/mutex.h"
#include "common/domain/status_util.h"
#include "common/rpc/grpc_status.h"
#include "common/server/memory_return.h"
#include "common/server/metrics.h"
#include "common/server/stream_waker.h"
#include "grpc/grpc.h"
#include "grpcpp/grpcpp.h"

namespace headcount {

// The default of both services' --watch_stall_limit.
inline constexpr absl::Duration kDefaultStallLimit = absl::Seconds(60);

// How a stream ends when the server stops or the client stops reading.
struct FeedStreamLimits {
  // The UNAVAILABLE message sent when the server shuts down.
  std::string closing_message;
  // A write still not taken by the client after this long (its flow-control
  // window full: it has stopped reading while more was due) cancels the
  // stream with RESOURCE_EXHAUSTED and `stalled_message`, freeing the
  // server's side. Zero: never.
  absl::Duration stall_limit;
  std::string stalled_message;

  // Both messages tell the client to watch `service` again with
  // `resume_field` set to the last `item` it received.
  static FeedStreamLimits Resumable(absl::string_view service,
                                    absl::string_view items,
                                    absl::string_view resume_field,
                                    absl::string_view item,
                                    absl::Duration stall_limit) {
    const std::string resume =
        absl::StrCat("; watch again with ", resume_field, " set to the last ",
                     item, " received");
    return {absl::StrCat("the ", service, " service is shutting down", resume),
            stall_limit,
            absl::StrCat("the client read nothing for ",
                         absl::FormatDuration(stall_limit), " while ", items,
                         " were due", resume)};
  }
};

// What a stream's Next filled in.
enum class NextMessage {
  // Nothing is due: the stream waits for the waker.
  kNone,
  // A message that takes the stream up to everything due when it was made.
  // After its write the stream waits for the waker's next pass, so that
  // what commits meanwhile goes out together in one message (a busy feed
  // costs a stream one message per pass, not one per commit).
  kCaughtUp,
  // A message cut short by a limit, with more due already: the next one
  // follows as soon as this write completes (a replay, a large revision).
  kMoreDue,
};

// Subclasses say what to send next; this class owns the write discipline.
// The reactor deletes itself when the stream is done.
template <typename Response>
class FeedStreamReactor : public grpc::ServerWriteReactor<Response>,
                          public StreamWaker::Subscriber {
 public:
  // `waker` and `clock` are not owned and outlive the stream; `context` is
  // the call's.
  FeedStreamReactor(StreamWaker* waker, grpc::CallbackServerContext* context,
                    FeedStreamLimits limits, const Clock* clock)
      : waker_(waker),
        context_(context),
        limits_(std::move(limits)),
        clock_(clock) {}

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
      if (!more_due_) return;  // the waker's next pass goes on
    }
    Pump();
  }
  void OnCancel() override {
    MutexLock lock(&mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }
  void OnDone() override {
    waker_->Remove(this);
    delete this;
    // Many streams ending together (clients gone) leave freed pages.
    ReturnFreedMemorySoon();
  }
  void Wake() override { Pump(); }
  void Close() override {
    MutexLock lock(&mu_);
    FinishLocked(
        grpc::Status(grpc::StatusCode::UNAVAILABLE, limits_.closing_message));
  }

 protected:
  // Fills `next` with the message due now and says which kind it is
  // (kNone: nothing due, `next` untouched); an error ends the stream with
  // that status.
  virtual absl::StatusOr<NextMessage> Next(Response& next)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) = 0;

  // Registers with the waker and sends what is due. Call last in the
  // subclass's constructor.
  void Begin() {
    waker_->Add(this);
    Pump();
  }

  const FeedStreamLimits& limits() const { return limits_; }
  const Clock& clock() const { return *clock_; }

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
    {
      MutexLock lock(&mu_);
      if (finished_) return;
      if (!writing_) {
        absl::StatusOr<NextMessage> due = Next(in_flight_);
        if (!due.ok()) return FinishLocked(ToGrpcStatus(due.status()));
        if (*due == NextMessage::kNone) return;
        more_due_ = *due == NextMessage::kMoreDue;
        writing_ = true;
        write_started_ = clock_->Now();
        this->StartWrite(&in_flight_);
        return;
      }
      if (stall_cancelled_ || limits_.stall_limit <= absl::ZeroDuration() ||
          clock_->Now() - write_started_ < limits_.stall_limit) {
        return;
      }
      stall_cancelled_ = true;
    }
    // The write never completes while the client does not read, so Finish
    // would wait behind it. Cancelling sends the status in a HEADERS frame,
    // which flow control does not hold back, and completes the write with
    // ok=false (OnWriteDone then finishes the reactor). Called without mu_:
    // gRPC may run that completion on any thread.
    grpc_call_cancel_with_status(context_->c_call(),
                                 GRPC_STATUS_RESOURCE_EXHAUSTED,
                                 limits_.stalled_message.c_str(), nullptr);
    MetricCounter("headcount_streams_cancelled_stalled_total",
                  "Watch and WatchAlerts streams cancelled because their "
                  "client stopped reading (--watch_stall_limit).")
        .Increment();
  }

  StreamWaker* const waker_;
  grpc::CallbackServerContext* const context_;
  const FeedStreamLimits limits_;
  const Clock* const clock_;
  absl::Time write_started_ ABSL_GUARDED_BY(mu_);
  bool stall_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  Response in_flight_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  // The message in flight was kMoreDue.
  bool more_due_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mu_);
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_FEED_STREAM_REACTOR_H_
