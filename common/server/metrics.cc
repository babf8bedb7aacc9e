#include "common/server/metrics.h"

#include <exception>
#include <mutex>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/status/status.h"
#include "prometheus/exposer.h"

namespace headcount {
namespace {

std::vector<double> SecondsBuckets() {
  std::vector<double> buckets;
  for (double b = 0.0005; b < 20; b *= 2) buckets.push_back(b);
  return buckets;
}

// "/headcount.v1.IngestService/Submit" -> service, method.
std::pair<std::string, std::string> SplitMethod(absl::string_view path) {
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash == absl::string_view::npos) return {std::string(path), ""};
  return {std::string(path.substr(0, slash)),
          std::string(path.substr(slash + 1))};
}

// The families every call reports to, registered once (not per call).
struct RpcFamilies {
  prometheus::Family<prometheus::Counter>& handled;
  prometheus::Family<prometheus::Histogram>& handling;
  const prometheus::Histogram::BucketBoundaries buckets;
};

class RpcMetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  RpcMetricsInterceptor(grpc::experimental::ServerRpcInfo* info,
                        RpcFamilies* families)
      : families_(families),
        method_(SplitMethod(info->method())),
        unary_(info->type() ==
               grpc::experimental::ServerRpcInfo::Type::UNARY) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = absl::Now();
    }
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      families_->handled
          .Add({{"service", method_.first},
                {"method", method_.second},
                {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(
                             status.error_code()))}})
          .Increment();
      if (unary_ && start_ != absl::InfinitePast()) {
        families_->handling
            .Add({{"service", method_.first}, {"method", method_.second}},
                 families_->buckets)
            .Observe(absl::ToDoubleSeconds(absl::Now() - start_));
      }
    }
    methods->Proceed();
  }

 private:
  RpcFamilies* const families_;
  const std::pair<std::string, std::string> method_;
  const bool unary_;
  absl::Time start_ = absl::InfinitePast();
};

class RpcMetricsFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RpcMetricsInterceptor(info, &families_);
  }

 private:
  RpcFamilies families_{
      prometheus::BuildCounter()
          .Name("headcount_grpc_handled_total")
          .Help("Calls finished, by service, method and status code.")
          .Register(MetricsRegistry()),
      prometheus::BuildHistogram()
          .Name("headcount_grpc_handling_seconds")
          .Help("Time from a unary call's arrival to its status.")
          .Register(MetricsRegistry()),
      SecondsBuckets()};
};

}  // namespace

prometheus::Registry& MetricsRegistry() {
  static auto* const registry = new std::shared_ptr<prometheus::Registry>(
      std::make_shared<prometheus::Registry>());
  return **registry;
}

// The shared_ptr the endpoint registers (weakly).
static std::shared_ptr<prometheus::Registry> SharedRegistry() {
  static auto* const shared = new std::shared_ptr<prometheus::Registry>(
      &MetricsRegistry(), [](prometheus::Registry*) {});
  return *shared;
}

prometheus::Counter& MetricCounter(
    const std::string& name, const std::string& help,
    const std::map<std::string, std::string>& labels) {
  // Registry::Register returns the same family for the same name.
  return prometheus::BuildCounter()
      .Name(name)
      .Help(help)
      .Register(MetricsRegistry())
      .Add(labels);
}

prometheus::Histogram& MetricHistogram(
    const std::string& name, const std::string& help,
    const std::map<std::string, std::string>& labels,
    std::vector<double> buckets) {
  return prometheus::BuildHistogram()
      .Name(name)
      .Help(help)
      .Register(MetricsRegistry())
      .Add(labels, buckets.empty() ? SecondsBuckets() : std::move(buckets));
}

ScrapedGauges& ScrapedGauges::Process() {
  static auto* const gauges = new std::shared_ptr<ScrapedGauges>(
      std::make_shared<ScrapedGauges>());
  return **gauges;
}

std::unique_ptr<ScrapedGauges::Registration> ScrapedGauges::Register(
    std::vector<Gauge> gauges) {
  std::lock_guard<std::mutex> lock(mu_);
  const int id = next_id_++;
  gauges_[id] = std::move(gauges);
  return std::unique_ptr<Registration>(new Registration(this, id));
}

ScrapedGauges::Registration::~Registration() {
  std::lock_guard<std::mutex> lock(owner_->mu_);
  owner_->gauges_.erase(id_);
}

std::vector<prometheus::MetricFamily> ScrapedGauges::Collect() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, prometheus::MetricFamily> families;
  for (const auto& [id, gauges] : gauges_) {
    for (const Gauge& gauge : gauges) {
      prometheus::MetricFamily& family = families[gauge.name];
      family.name = gauge.name;
      family.help = gauge.help;
      family.type = gauge.counter ? prometheus::MetricType::Counter
                                  : prometheus::MetricType::Gauge;
      prometheus::ClientMetric metric;
      for (const auto& [name, value] : gauge.labels) {
        metric.label.push_back({name, value});
      }
      (gauge.counter ? metric.counter.value : metric.gauge.value) =
          gauge.read();
      family.metric.push_back(std::move(metric));
    }
  }
  std::vector<prometheus::MetricFamily> out;
  for (auto& [name, family] : families) out.push_back(std::move(family));
  return out;
}

std::vector<ScrapedGauges::Gauge> StorageGauges(
    const std::string& store, std::function<StorageFigures()> figures) {
  const std::map<std::string, std::string> labels = {{"store", store}};
  return {
      {"headcount_rocksdb_live_data_bytes",
       "RocksDB's estimate of the live data's size.", labels,
       [figures] { return figures().live_data_bytes; }},
      {"headcount_rocksdb_pending_compaction_bytes",
       "Bytes RocksDB estimates compaction must rewrite; rising without end "
       "means writes will stall.",
       labels, [figures] { return figures().pending_compaction_bytes; }},
      {"headcount_rocksdb_write_stopped",
       "1 while RocksDB stops writes (too many files or pending bytes).",
       labels, [figures] { return figures().write_stopped; }},
      {"headcount_rocksdb_write_stalls_total",
       "Write slowdowns and stops RocksDB has imposed since it opened.",
       labels, [figures] { return figures().write_stalls; }, true},
  };
}

ScrapedGauges::Gauge StreamsGauge(const std::string& service,
                                  const StreamWaker* waker) {
  return {"headcount_streams_open",
          "Watch (ingest) and WatchAlerts (audit) streams open.",
          {{"service", service}},
          [waker] { return static_cast<double>(waker->subscribers()); }};
}

struct MetricsEndpoint::Impl {
  std::unique_ptr<prometheus::Exposer> exposer;
  std::shared_ptr<ScrapedGauges> gauges;
};

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--metrics_listen: must be HOST:PORT, got \"", listen, "\""));
  }
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint);
  endpoint->impl_ = std::make_unique<Impl>();
  try {
    // One thread: scrapes come seconds apart.
    endpoint->impl_->exposer =
        std::make_unique<prometheus::Exposer>(listen, /*num_threads=*/1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat(
        "--metrics_listen: cannot serve metrics on ", listen, ": ", e.what()));
  }
  static auto* const shared_gauges = new std::shared_ptr<ScrapedGauges>(
      &ScrapedGauges::Process(), [](ScrapedGauges*) {});
  endpoint->impl_->exposer->RegisterCollectable(SharedRegistry());
  endpoint->impl_->exposer->RegisterCollectable(*shared_gauges);
  const std::vector<int> ports = endpoint->impl_->exposer->GetListeningPorts();
  endpoint->address_ = absl::StrCat(listen.substr(0, colon), ":",
                                    ports.empty() ? port : ports.front());
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcMetricsInterceptorFactory() {
  return std::make_unique<RpcMetricsFactory>();
}

}  // namespace headcount
