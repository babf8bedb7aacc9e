#include "ingest_service/ingest_server.h"

#include "common/domain/status_util.h"

namespace headcount::ingest {

IngestServer::IngestServer(const Options& options)
    : options_(options),
      host_({options.listen, options.security.credentials,
             options.shutdown_grace, options.limits}),
      service_(options.security.authorizer, &host_.waker(),
               {options.watch_stall_limit, options.watch_cache_bytes,
                options.batch_limits},
               options.clock) {}

absl::StatusOr<std::unique_ptr<IngestServer>> IngestServer::StartListening(
    const Options& options) {
  std::unique_ptr<IngestServer> server(new IngestServer(options));
  RETURN_IF_ERROR(server->host_.Listen(v1::IngestService::service_full_name(),
                                       &server->service_, server.get()));
  return server;
}

absl::StatusOr<std::unique_ptr<IngestServer>> IngestServer::Start(
    const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<IngestServer> server,
                   StartListening(options));
  RETURN_IF_ERROR(server->OpenStore());
  return server;
}

IngestServer::~IngestServer() { Shutdown(); }

absl::Status IngestServer::OpenAndAttach(ServiceHost& host) {
  RocksDbSubmissionStore::Options store_options = options_.store;
  store_options.clock = options_.clock;
  ASSIGN_OR_RETURN(store_, RocksDbSubmissionStore::Open(store_options));
  store_->SetCommitListener([&host](int64_t) { host.waker().Notify(); });
  service_.AttachStore(store_.get());
  host.SetServing(true);
  return absl::OkStatus();
}

void IngestServer::DetachAndClose() {
  service_.AttachStore(nullptr);
  store_.reset();
}

}  // namespace headcount::ingest
