// Follows the ingest service's Watch feed into a RevisionSink: resumes from
// the sink's applied revision, reconnects with backoff, and rebuilds from
// ListSchools when the history it needs was compacted.
#ifndef HEADCOUNT_AUDIT_SERVICE_FEED_FOLLOWER_H_
#define HEADCOUNT_AUDIT_SERVICE_FEED_FOLLOWER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "audit_service/audit_store.h"
#include "audit_service/feed_check.h"
#include "audit_service/feed_state.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::audit {

class FeedFollower {
 public:
  struct Options {
    std::string ingest_address;
    // How to reach the ingest: plaintext, or TLS with the follower's
    // client certificate (common/rpc/tls_files.h).
    std::shared_ptr<grpc::ChannelCredentials> credentials =
        grpc::InsecureChannelCredentials();
    absl::Duration min_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(5);
    // The ingest sends a progress message after this much silence; it is
    // how an idle follower learns it has caught up.
    absl::Duration progress_interval = absl::Milliseconds(500);
    // HTTP/2 keepalive: a connection silent this long gets a ping, and is
    // declared dead when the ping is not answered within the timeout.
    absl::Duration keepalive_time = absl::Seconds(10);
    absl::Duration keepalive_timeout = absl::Seconds(5);
    // When the ingest answers with another history than the sink's (it was
    // wiped, or this is another ingest): false discards the sink's state
    // and follows the new history from its start; true refuses, stays not
    // caught up and retries (for an operator who would rather restore the
    // right ingest).
    bool refuse_other_history = false;
    // WatchRequest.max_revisions_per_message: revisions that are due
    // together (the ingest committed them faster than the follower read
    // them) come in one message and are applied in one synced write
    // (RevisionSink::ApplyRevisions). 1: one revision at a time.
    int max_revisions_per_message = 1000;
    // Told of every message and every loss of the feed (may be null; not
    // owned, outlives the follower).
    FeedState* state = nullptr;
  };

  // `sink` is not owned and outlives the follower. `on_applied` runs after
  // each applied revision; `on_caught_up` when the sink has applied the
  // ingest's revision as of the first connection, and again after each
  // `on_out_of_sync` (may be null), which runs when the sink can no longer
  // be served as caught up: the ingest turned out to hold another history
  // than the sink's, or its feed broke a rule (CheckFeedRevision; nothing
  // of it is applied). All on the follower's thread.
  FeedFollower(const Options& options, RevisionSink* sink,
               std::function<void()> on_applied,
               std::function<void()> on_caught_up,
               std::function<void()> on_out_of_sync = nullptr);
  // Stops if running.
  ~FeedFollower();

  void Start();
  // Cancels the stream and joins the thread.
  void Stop();

  bool caught_up() const { return caught_up_.load(); }
  // Streams opened so far (1 after the first connection).
  int connections() const { return connections_.load(); }

 private:
  void Run();
  // One Watch stream until it ends; its final status.
  absl::Status FollowOnce();
  // Replaces the sink's view with ListSchools at one revision.
  absl::Status Rebuild();
  // Compares the ingest's `history_id` with the sink's: OK when they are
  // the same history (or the ingest names none); otherwise the sink starts
  // over (ABORTED: follow again from revision 0) or, when refusing,
  // FAILED_PRECONDITION.
  absl::Status CheckHistory(const std::string& history_id);
  // CheckFeedRevision; on a violation logs it, reports the sink out of
  // sync and returns it (DATA_LOSS).
  // `previous` is the revision before `revision` (the applied one, or the
  // one before it in the same message).
  absl::Status CheckFeed(FeedSource source, int64_t previous,
                         int64_t revision,
                         const std::vector<v1::Event>& events);
  // Sleeps up to `duration`; false when stopping.
  bool Sleep(absl::Duration duration);

  const Options options_;
  RevisionSink* const sink_;
  const std::function<void()> on_applied_;
  const std::function<void()> on_caught_up_;
  const std::function<void()> on_out_of_sync_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
  std::atomic<bool> caught_up_{false};
  // The newest revision refused (CheckFeed); follower thread only.
  int64_t refused_revision_ = 0;
  std::atomic<int> connections_{0};

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_FEED_FOLLOWER_H_
