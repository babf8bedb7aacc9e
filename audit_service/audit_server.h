// The audit service assembled on a ServiceHost: its store, the ingest feed
// follower, the handlers and alert streams.
#ifndef HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVER_H_
#define HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "audit_service/audit_service_impl.h"
#include "audit_service/feed_state.h"
#include "audit_service/audit_store.h"
#include "audit_service/feed_follower.h"
#include "common/domain/clock.h"
#include "common/server/feed_stream_reactor.h"
#include "common/server/server_security.h"
#include "common/server/metrics.h"
#include "common/server/periodic_task.h"
#include "common/server/service_host.h"

namespace headcount::audit {

class AuditServer final : private HostedService {
 public:
  struct Options {
    std::string listen = "127.0.0.1:50052";
    // A plaintext health-only listener for probes (--health_listen); empty:
    // none.
    std::string health_listen;
    AuditStore::Options store;
    FeedFollower::Options follower;
    absl::Duration shutdown_grace = absl::Seconds(10);
    // Streams per connection, idle connections, pings, gRPC's memory
    // (common/server/resource_limits.h).
    ResourceLimits limits;
    // Free space kept under the store's directory (--disk_floor_mib): below
    // it writes get RESOURCE_EXHAUSTED and health NOT_SERVING until space
    // returns; 0: no floor.
    uint64_t disk_floor_bytes = 0;
    // A WatchAlerts client that reads nothing for this long while events are
    // due is cancelled with RESOURCE_EXHAUSTED; zero: never.
    absl::Duration watch_stall_limit = kDefaultStallLimit;
    // Where the server and its store read the time (stream stalls and
    // progress, commit or alert times); it replaces store.clock. Not owned.
    const Clock* clock = RealClock();
    // How often the coverage deadlines (store.coverage_deadlines) are
    // checked against the clock, once the audit has caught up with its
    // feed.
    absl::Duration coverage_check_interval = absl::Seconds(1);
    // Who may call (mutual TLS and the policy) or plaintext on loopback;
    // the default is the latter.
    ServerSecurity security;
  };

  // Listens with health NOT_SERVING; calls fail with UNAVAILABLE until the
  // store is open.
  static absl::StatusOr<std::unique_ptr<AuditServer>> StartListening(
      const Options& options);
  // Opens the store and starts following the ingest feed. Health turns
  // SERVING once the store has applied the ingest's revision as of the
  // first connection. On error the server stays up NOT_SERVING
  // (ServiceHost::Open).
  absl::Status OpenStore() { return host_.Open(); }
  // Both of the above.
  static absl::StatusOr<std::unique_ptr<AuditServer>> Start(
      const Options& options);
  ~AuditServer() override;

  const std::string& address() const { return host_.address(); }
  ServiceHost& host() { return host_; }
  // Null until OpenStore succeeds.
  AuditStore* store() const { return store_.get(); }
  const FeedFollower& follower() const { return *follower_; }

  // Stop following, NOT_SERVING, end alert streams, drain calls, close.
  void Shutdown() { host_.Shutdown(); }

 private:
  explicit AuditServer(const Options& options);

  absl::Status OpenAndAttach(ServiceHost& host) override;
  void StopBackground() override;
  void DetachAndClose() override;
  void AfterDiskSpaceReturned() override;
  // The gauges of the open store and of the feed (metrics_).
  void RegisterGauges(ServiceHost& host);

  const Options options_;
  // Before service_, which reads it, and after it in destruction.
  FeedState feed_state_;
  ServiceHost host_;
  AuditServiceImpl service_;
  std::unique_ptr<AuditStore> store_;
  std::unique_ptr<FeedFollower> follower_;
  // Checks the coverage deadlines.
  std::unique_ptr<PeriodicTask> coverage_clock_;
  // The store's and the feed's gauges, while the store is open.
  std::unique_ptr<ScrapedGauges::Registration> metrics_;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVER_H_
