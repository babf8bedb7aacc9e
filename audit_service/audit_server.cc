#include "audit_service/audit_server.h"

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "common/server/log.h"

namespace headcount::audit {

AuditServer::AuditServer(const Options& options)
    : options_(options),
      feed_state_(options.follower.ingest_address, options.clock),
      host_({options.listen, options.security.credentials,
             options.shutdown_grace, options.limits, options.store.data_dir,
             options.disk_floor_bytes}),
      service_(options.security.authorizer, &host_.waker(),
               options.watch_stall_limit, options.clock, &feed_state_) {}

absl::StatusOr<std::unique_ptr<AuditServer>> AuditServer::StartListening(
    const Options& options) {
  std::unique_ptr<AuditServer> server(new AuditServer(options));
  RETURN_IF_ERROR(server->host_.Listen(v1::AuditService::service_full_name(),
                                       &server->service_, server.get()));
  return server;
}

absl::StatusOr<std::unique_ptr<AuditServer>> AuditServer::Start(
    const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<AuditServer> server,
                   StartListening(options));
  RETURN_IF_ERROR(server->OpenStore());
  return server;
}

AuditServer::~AuditServer() { Shutdown(); }

absl::Status AuditServer::OpenAndAttach(ServiceHost& host) {
  AuditStore::Options store_options = options_.store;
  store_options.clock = options_.clock;
  store_options.disk_floor = &host.disk_floor();
  ASSIGN_OR_RETURN(store_, AuditStore::Open(store_options));
  service_.AttachStore(store_.get());
  FeedFollower::Options follower_options = options_.follower;
  follower_options.state = &feed_state_;
  follower_ = std::make_unique<FeedFollower>(
      follower_options, store_.get(), [&host] { host.waker().Notify(); },
      [&host] { host.SetServing(true); },
      [&host] {
        // Another ingest history, or a feed refused: not serving until
        // caught up again; alert streams of an ended epoch end.
        host.SetServing(false);
        host.waker().Notify();
      });
  follower_->Start();
  return absl::OkStatus();
}

void AuditServer::StopBackground() {
  if (follower_ != nullptr) follower_->Stop();  // no SERVING after this
}

void AuditServer::DetachAndClose() {
  service_.AttachStore(nullptr);
  follower_.reset();
  store_.reset();
}

void AuditServer::AfterDiskSpaceReturned() {
  if (store_ == nullptr) return;
  if (absl::Status resumed = store_->Resume(); !resumed.ok()) {
    Log(LogLevel::kError, "store",
        absl::StrCat("the store did not resume after the full disk: ",
                     resumed.ToString(), "; restart the service"));
  }
}

}  // namespace headcount::audit
