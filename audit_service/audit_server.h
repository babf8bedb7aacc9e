// The audit service assembled: its store, the ingest feed follower, the
// alert streams and the gRPC server, and their order of start and drain.
#ifndef HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVER_H_
#define HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "audit_service/audit_service_impl.h"
#include "audit_service/audit_store.h"
#include "audit_service/feed_follower.h"
#include "common/change_feed.h"
#include "common/feed_stream_reactor.h"
#include "common/grpc_server.h"

namespace headcount::audit {

class AuditServer {
 public:
  struct Options {
    std::string listen = "127.0.0.1:50052";
    AuditStore::Options store;
    FeedFollower::Options follower;
    absl::Duration shutdown_grace = absl::Seconds(10);
    // A WatchAlerts client that reads nothing for this long while events are
    // due is cancelled with RESOURCE_EXHAUSTED; zero: never.
    absl::Duration watch_stall_limit = kDefaultStallLimit;
  };

  // Listens (health NOT_SERVING), opens the store, and starts following the
  // ingest feed. Health turns SERVING once the store has applied the
  // ingest's revision as of the first connection.
  static absl::StatusOr<std::unique_ptr<AuditServer>> Start(
      const Options& options);
  ~AuditServer();

  const std::string& address() const { return grpc_server_->address(); }
  AuditStore* store() const { return store_.get(); }
  const FeedFollower& follower() const { return *follower_; }

  // NOT_SERVING, stop following, end alert streams, drain calls, close.
  void Shutdown();

 private:
  explicit AuditServer(const Options& options);

  const Options options_;
  ChangeFeed feed_;
  AuditServiceImpl service_;
  std::unique_ptr<GrpcServer> grpc_server_;
  std::unique_ptr<AuditStore> store_;
  std::unique_ptr<FeedFollower> follower_;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_AUDIT_SERVER_H_
