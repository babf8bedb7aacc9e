#include "ingest_service/ingest_server.h"

#include "common/status_util.h"

namespace headcount::ingest {

IngestServer::IngestServer(const Options& options)
    : options_(options), service_(&feed_, options.watch_stall_limit) {}

absl::StatusOr<std::unique_ptr<IngestServer>> IngestServer::StartListening(
    const Options& options) {
  std::unique_ptr<IngestServer> server(new IngestServer(options));
  ASSIGN_OR_RETURN(
      server->grpc_server_,
      GrpcServer::Start(options.listen,
                        {{v1::IngestService::service_full_name(),
                          &server->service_}}));
  return server;
}

absl::Status IngestServer::OpenStore() {
  ASSIGN_OR_RETURN(store_, RocksDbSubmissionStore::Open(options_.store));
  store_->SetCommitListener([this](int64_t) { feed_.Notify(); });
  service_.AttachStore(store_.get());
  grpc_server_->SetServing(true);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<IngestServer>> IngestServer::Start(
    const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<IngestServer> server,
                   StartListening(options));
  RETURN_IF_ERROR(server->OpenStore());
  return server;
}

IngestServer::~IngestServer() { Shutdown(); }

void IngestServer::Shutdown() {
  if (grpc_server_ == nullptr) return;
  grpc_server_->SetServing(false);
  feed_.CloseAll();
  grpc_server_->Shutdown(options_.shutdown_grace);
  grpc_server_.reset();
  service_.AttachStore(nullptr);
  store_.reset();
}

}  // namespace headcount::ingest
