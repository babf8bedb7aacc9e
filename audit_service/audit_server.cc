#include "audit_service/audit_server.h"

#include "common/status_util.h"

namespace headcount::audit {

AuditServer::AuditServer(const Options& options)
    : options_(options), service_(&feed_, options.watch_stall_limit) {}

absl::StatusOr<std::unique_ptr<AuditServer>> AuditServer::Start(
    const Options& options) {
  std::unique_ptr<AuditServer> server(new AuditServer(options));
  ASSIGN_OR_RETURN(server->grpc_server_,
                   GrpcServer::Start(options.listen,
                                     {{v1::AuditService::service_full_name(),
                                       &server->service_}}));
  ASSIGN_OR_RETURN(server->store_, AuditStore::Open(options.store));
  server->service_.AttachStore(server->store_.get());
  AuditServer* self = server.get();
  server->follower_ = std::make_unique<FeedFollower>(
      options.follower, server->store_.get(), [self] { self->feed_.Notify(); },
      [self] { self->grpc_server_->SetServing(true); });
  server->follower_->Start();
  return server;
}

AuditServer::~AuditServer() { Shutdown(); }

void AuditServer::Shutdown() {
  if (grpc_server_ == nullptr) return;
  if (follower_ != nullptr) follower_->Stop();  // no SERVING after this
  grpc_server_->SetServing(false);
  feed_.CloseAll();
  grpc_server_->Shutdown(options_.shutdown_grace);
  grpc_server_.reset();
  service_.AttachStore(nullptr);
  follower_.reset();
  store_.reset();
}

}  // namespace headcount::audit
