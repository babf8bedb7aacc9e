// A Watch stream of the ingest read to the end by the callback API, for the
// load tools (headcount-load, headcount-bench): many of them cost the
// client little.
#ifndef HEADCOUNT_TOOLS_FEED_WATCHER_H_
#define HEADCOUNT_TOOLS_FEED_WATCHER_H_

#include <atomic>
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount {

// A Watch stream from `after_revision` on that reads everything and adds
// the events it receives to `events_seen` (not owned). Stop cancels it and
// waits until it is done; it must be stopped before it is destroyed.
class FeedWatcher final
    : public grpc::ClientReadReactor<headcount::v1::WatchResponse> {
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
  void OnDone(const grpc::Status&) override {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  void Stop() {
    context_.TryCancel();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
  }

 private:
  grpc::ClientContext context_;
  headcount::v1::WatchResponse response_;
  std::atomic<int64_t>* const events_seen_;
  absl::Mutex mu_;
  bool done_ = false;
};

}  // namespace headcount

#endif  // HEADCOUNT_TOOLS_FEED_WATCHER_H_
