#include "ingest_service/ingest_server.h"

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "common/server/log.h"
#include "common/server/metrics.h"

namespace headcount::ingest {

IngestServer::IngestServer(const Options& options)
    : options_(options),
      host_({options.listen, options.security.credentials,
             options.shutdown_grace, options.limits, options.store.data_dir,
             options.disk_floor_bytes, options.health_listen}),
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
  store_options.disk_floor = &host.disk_floor();
  ASSIGN_OR_RETURN(store_, RocksDbSubmissionStore::Open(store_options));
  store_->SetCommitListener([&host](int64_t) { host.waker().Notify(); });
  service_.AttachStore(store_.get());
  RocksDbSubmissionStore* store = store_.get();
  std::vector<ScrapedGauges::Gauge> gauges = StorageGauges(
      "ingest", [store] { return store->storage_figures(); });
  gauges.push_back({"headcount_ingest_revision",
                    "The ingest's newest revision (each acknowledged change "
                    "is one).",
                    {},
                    [store] { return static_cast<double>(store->revision()); }});
  gauges.push_back(StreamsGauge("ingest", &host.waker()));
  metrics_ = ScrapedGauges::Process().Register(std::move(gauges));
  host.SetServing(true);
  return absl::OkStatus();
}

void IngestServer::DetachAndClose() {
  metrics_.reset();  // no scrape reads the store after this
  service_.AttachStore(nullptr);
  store_.reset();
}

void IngestServer::AfterDiskSpaceReturned() {
  if (store_ == nullptr) return;
  if (absl::Status resumed = store_->Resume(); !resumed.ok()) {
    Log(LogLevel::kError, "store",
        absl::StrCat("the store did not resume after the full disk: ",
                     resumed.ToString(), "; restart the service"));
  }
}

}  // namespace headcount::ingest
