// The ingest service assembled on a ServiceHost: the handlers, the store,
// and the commit -> stream wake-up.
#ifndef HEADCOUNT_INGEST_SERVICE_INGEST_SERVER_H_
#define HEADCOUNT_INGEST_SERVICE_INGEST_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/domain/clock.h"
#include "common/server/feed_stream_reactor.h"
#include "common/server/server_security.h"
#include "common/server/metrics.h"
#include "common/server/service_host.h"
#include "ingest_service/ingest_service_impl.h"
#include "ingest_service/rocksdb_submission_store.h"

namespace headcount::ingest {

class IngestServer final : private HostedService {
 public:
  struct Options {
    std::string listen = "127.0.0.1:50051";
    // A plaintext health-only listener for probes (--health_listen); empty:
    // none.
    std::string health_listen;
    RocksDbSubmissionStore::Options store;
    // How long a drain waits for calls in flight.
    absl::Duration shutdown_grace = absl::Seconds(10);
    // Streams per connection, idle connections, pings, gRPC's memory
    // (common/server/resource_limits.h).
    ResourceLimits limits;
    // Free space kept under the store's directory (--disk_floor_mib): below
    // it writes get RESOURCE_EXHAUSTED and health NOT_SERVING until space
    // returns; 0: no floor.
    uint64_t disk_floor_bytes = 0;
    // A Watch client that reads nothing for this long while revisions are
    // due is cancelled with RESOURCE_EXHAUSTED; zero: never.
    absl::Duration watch_stall_limit = kDefaultStallLimit;
    // Serialized revisions kept for all Watch streams together.
    size_t watch_cache_bytes = kDefaultFragmentCacheBytes;
    // Rows and bytes per SubmitBatch, memory of all batches in progress.
    BatchLimits batch_limits;
    // Where the server and its store read the time (stream stalls and
    // progress, commit or alert times); it replaces store.clock. Not owned.
    const Clock* clock = RealClock();
    // Who may call (mutual TLS and the policy) or plaintext on loopback;
    // the default is the latter.
    ServerSecurity security;
  };

  // Listens and answers health checks with NOT_SERVING; every IngestService
  // call fails with UNAVAILABLE until OpenStore succeeds.
  static absl::StatusOr<std::unique_ptr<IngestServer>> StartListening(
      const Options& options);
  // Opens and recovers the store, then reports SERVING. On error (DATA_LOSS
  // for corruption) the server stays up NOT_SERVING (ServiceHost::Open).
  absl::Status OpenStore() { return host_.Open(); }
  // Both of the above.
  static absl::StatusOr<std::unique_ptr<IngestServer>> Start(
      const Options& options);

  ~IngestServer() override;

  const std::string& address() const { return host_.address(); }
  ServiceHost& host() { return host_; }
  // Null until OpenStore succeeds.
  SubmissionStore* store() const { return store_.get(); }

  // Drains (ServiceHost::Shutdown): NOT_SERVING, watch streams end with
  // UNAVAILABLE, calls in flight finish, then the store closes.
  void Shutdown() { host_.Shutdown(); }

 private:
  explicit IngestServer(const Options& options);

  absl::Status OpenAndAttach(ServiceHost& host) override;
  void DetachAndClose() override;
  void AfterDiskSpaceReturned() override;

  const Options options_;
  ServiceHost host_;
  IngestServiceImpl service_;
  std::unique_ptr<RocksDbSubmissionStore> store_;
  // The store's gauges, while it is open.
  std::unique_ptr<ScrapedGauges::Registration> metrics_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_INGEST_SERVER_H_
