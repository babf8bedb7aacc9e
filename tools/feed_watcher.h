// Watch streams of the ingest read to the end by the callback API, for the
// load tools (headcount-load, headcount-bench): many of them cost the
// client little.
#ifndef HEADCOUNT_TOOLS_FEED_WATCHER_H_
#define HEADCOUNT_TOOLS_FEED_WATCHER_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount {

// A client stream `Reactor` that reads until cancelled. Stop cancels it and
// waits until it is done; it must be stopped before it is destroyed.
template <typename Reactor>
class StoppableStream : public Reactor {
 public:
  void OnDone(const grpc::Status&) override {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  void Stop() {
    context_.TryCancel();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
  }

 protected:
  grpc::ClientContext context_;

 private:
  absl::Mutex mu_;
  bool done_ = false;
};

// A Watch stream from `after_revision` on that reads everything and adds
// the events it receives to `events_seen` (not owned).
class FeedWatcher final
    : public StoppableStream<
          grpc::ClientReadReactor<headcount::v1::WatchResponse>> {
 public:
  FeedWatcher(headcount::v1::IngestService::Stub* stub,
              int64_t after_revision, int revisions_per_message,
              std::atomic<int64_t>* events_seen)
      : events_seen_(events_seen) {
    headcount::v1::WatchRequest request;
    request.set_after_revision(after_revision);
    request.set_max_revisions_per_message(revisions_per_message);
    stub->async()->Watch(&context_, &request, this);
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    *events_seen_ += response_.events_size();
    StartRead(&response_);
  }

 private:
  headcount::v1::WatchResponse response_;
  std::atomic<int64_t>* const events_seen_;
};

// A Watch stream read as bytes, never parsed: the least a watcher can cost
// its own machine, so that a benchmark on one machine charges the ingest,
// not the clients' parsing, for fan-out. Adds the bytes of each message to
// `bytes_seen` (not owned).
class RawFeedWatcher final
    : public StoppableStream<
          grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>> {
 public:
  RawFeedWatcher(grpc::GenericStub* stub,
                 const headcount::v1::WatchRequest& request,
                 std::atomic<int64_t>* bytes_seen)
      : bytes_seen_(bytes_seen) {
    // A server-streaming method is, on the wire, a bidi call that writes
    // one message.
    const std::string serialized = request.SerializeAsString();
    grpc::Slice slice(serialized);
    request_ = grpc::ByteBuffer(&slice, 1);
    stub->PrepareBidiStreamingCall(&context_,
                                   "/headcount.v1.IngestService/Watch",
                                   grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    *bytes_seen_ += static_cast<int64_t>(response_.Length());
    StartRead(&response_);
  }

 private:
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::atomic<int64_t>* const bytes_seen_;
};

}  // namespace headcount

#endif  // HEADCOUNT_TOOLS_FEED_WATCHER_H_
