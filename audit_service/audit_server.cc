#include "audit_service/audit_server.h"

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "common/domain/discrepancy.h"
#include "common/server/log.h"
#include "common/server/metrics.h"

namespace headcount::audit {

AuditServer::AuditServer(const Options& options)
    : options_(options),
      feed_state_(options.follower.ingest_address, options.clock),
      host_({options.listen, options.security.credentials,
             options.shutdown_grace, options.limits, options.store.data_dir,
             options.disk_floor_bytes, options.health_listen}),
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
  feed_state_.Applied(store_->applied_revision());
  RegisterGauges(host);
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
  {
    // Also without deadlines: alerts of a deadline since withdrawn clear.
    AuditStore* store = store_.get();
    const FeedFollower* follower = follower_.get();
    coverage_clock_ = std::make_unique<PeriodicTask>(
        options_.coverage_check_interval,
        [store, follower, &host, last_error = std::string()]() mutable {
          // Not before the counts are in: a district would be raised for
          // counts still on their way.
          if (!follower->caught_up()) return;
          absl::StatusOr<int> appended = store->CheckCoverageDeadlines();
          const std::string error =
              appended.ok() ? "" : appended.status().ToString();
          if (error != last_error && !error.empty()) {
            Log(LogLevel::kError, "store",
                absl::StrCat("checking the coverage deadlines (again every ",
                             "check until it succeeds): ", error));
          }
          last_error = error;
          if (appended.ok() && *appended > 0) host.waker().Notify();
        });
  }
  return absl::OkStatus();
}

void AuditServer::StopBackground() {
  if (coverage_clock_ != nullptr) coverage_clock_->Stop();
  if (follower_ != nullptr) follower_->Stop();  // no SERVING after this
}

void AuditServer::RegisterGauges(ServiceHost& host) {
  AuditStore* store = store_.get();
  const FeedState* feed = &feed_state_;
  std::vector<ScrapedGauges::Gauge> gauges = StorageGauges(
      "audit", [store] { return store->storage_figures(); });
  gauges.push_back(
      {"headcount_audit_applied_revision",
       "The ingest revision the audit's reports and alerts reflect.",
       {},
       [store] { return static_cast<double>(store->applied_revision()); }});
  gauges.push_back(
      {"headcount_audit_ingest_revision",
       "The newest ingest revision the audit has heard of from its feed.",
       {},
       [store, feed] {
         return static_cast<double>(
             feed->Freshness(store->applied_revision()).ingest_revision());
       }});
  gauges.push_back(
      {"headcount_audit_lag_revisions",
       "Ingest revisions heard of and not yet applied.",
       {},
       [store, feed] {
         const v1::Freshness f = feed->Freshness(store->applied_revision());
         return static_cast<double>(f.ingest_revision() -
                                    f.applied_revision());
       }});
  gauges.push_back({"headcount_audit_lag_seconds",
                    "0 while connected to the ingest's feed and caught up; "
                    "otherwise seconds since the audit last was.",
                    {},
                    [feed] { return absl::ToDoubleSeconds(feed->lag()); }});
  gauges.push_back({"headcount_audit_feed_connected",
                    "1 while the audit's Watch stream from the ingest is up.",
                    {},
                    [feed] { return feed->connected() ? 1.0 : 0.0; }});
  for (const v1::Level level : {v1::GRADE, v1::SCHOOL, v1::DISTRICT,
                                v1::COUNTY}) {
    gauges.push_back({"headcount_audit_open_alerts",
                      "Alerts open now, by level.",
                      {{"level", LevelName(level)}},
                      [store, level] {
                        v1::AlertFilter filter;
                        filter.set_level(level);
                        absl::StatusOr<v1::ListAlertsResponse> open =
                            store->ListAlerts(filter);
                        return open.ok() ? open->alerts_size() : -1.0;
                      }});
  }
  gauges.push_back(StreamsGauge("audit", &host.waker()));
  metrics_ = ScrapedGauges::Process().Register(std::move(gauges));
}

void AuditServer::DetachAndClose() {
  metrics_.reset();  // no scrape reads the store after this
  service_.AttachStore(nullptr);
  coverage_clock_.reset();
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
