// The ingest service assembled: gRPC server, store, change feed, and their
// order of start and drain.
#ifndef HEADCOUNT_INGEST_SERVICE_INGEST_SERVER_H_
#define HEADCOUNT_INGEST_SERVICE_INGEST_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/grpc_server.h"
#include "common/change_feed.h"
#include "common/feed_stream_reactor.h"
#include "ingest_service/ingest_service_impl.h"
#include "ingest_service/rocksdb_submission_store.h"

namespace headcount::ingest {

class IngestServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:50051";
    RocksDbSubmissionStore::Options store;
    // How long a drain waits for calls in flight.
    absl::Duration shutdown_grace = absl::Seconds(10);
    // A Watch client that reads nothing for this long while revisions are
    // due is cancelled with RESOURCE_EXHAUSTED; zero: never.
    absl::Duration watch_stall_limit = kDefaultStallLimit;
  };

  // Listens and answers health checks with NOT_SERVING; every IngestService
  // call fails with UNAVAILABLE until OpenStore succeeds.
  static absl::StatusOr<std::unique_ptr<IngestServer>> StartListening(
      const Options& options);
  // Opens and recovers the store, then reports SERVING. The store's error
  // (DATA_LOSS for corruption) leaves the server NOT_SERVING.
  absl::Status OpenStore();
  // Both of the above.
  static absl::StatusOr<std::unique_ptr<IngestServer>> Start(
      const Options& options);

  ~IngestServer();

  const std::string& address() const { return grpc_server_->address(); }
  // Null until OpenStore succeeds.
  SubmissionStore* store() const { return store_.get(); }

  // Drains: NOT_SERVING, watch streams end with UNAVAILABLE, no new calls,
  // calls in flight finish (up to the grace), then the store closes.
  void Shutdown();

 private:
  explicit IngestServer(const Options& options);

  const Options options_;
  ChangeFeed feed_;
  IngestServiceImpl service_;
  std::unique_ptr<GrpcServer> grpc_server_;
  std::unique_ptr<RocksDbSubmissionStore> store_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_INGEST_SERVER_H_
