// Prometheus metrics of a server process (prometheus-cpp): the process's
// registry of counters and histograms, gauges read when scraped, the
// /metrics HTTP endpoint (--metrics_listen), and the interceptor that counts
// and times every call. Every metric is named headcount_..., in base units.
#ifndef HEADCOUNT_COMMON_SERVER_METRICS_H_
#define HEADCOUNT_COMMON_SERVER_METRICS_H_

#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/server/stream_waker.h"
#include "common/storage/durable_db.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace headcount {

// The process's registry: counters and histograms live here for the
// process's lifetime (one server per process in production; tests that
// run several read differences).
prometheus::Registry& MetricsRegistry();

// A counter or histogram of MetricsRegistry, made on first use.
prometheus::Counter& MetricCounter(const std::string& name,
                                   const std::string& help,
                                   const std::map<std::string, std::string>&
                                       labels = {});
// Buckets in seconds from 0.5 ms to about 16 s (doubling), or `buckets`.
prometheus::Histogram& MetricHistogram(
    const std::string& name, const std::string& help,
    const std::map<std::string, std::string>& labels = {},
    std::vector<double> buckets = {});

// Gauges whose value is read when /metrics is scraped (a store's revision,
// RocksDB's sizes): cheaper and truer than updating them on every change.
// Thread-safe.
class ScrapedGauges : public prometheus::Collectable {
 public:
  struct Gauge {
    std::string name;
    std::string help;
    std::map<std::string, std::string> labels;
    std::function<double()> read;
    // A cumulative count read from elsewhere (RocksDB's stall count):
    // exposed as a counter; its name ends in _total.
    bool counter = false;
  };
  // Removes its gauges when destroyed; their `read` functions are never
  // called after that (so they may capture objects the owner destroys
  // next).
  class Registration {
   public:
    ~Registration();

   private:
    friend class ScrapedGauges;
    Registration(ScrapedGauges* owner, int id) : owner_(owner), id_(id) {}
    ScrapedGauges* const owner_;
    const int id_;
  };

  // The process's set, exposed by every MetricsEndpoint.
  static ScrapedGauges& Process();

  std::unique_ptr<Registration> Register(std::vector<Gauge> gauges);
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  mutable std::mutex mu_;
  int next_id_ = 0;
  std::map<int, std::vector<Gauge>> gauges_;
};

// The gauges of one RocksDB store, labelled store=`store`, read through
// `figures` at each scrape: headcount_rocksdb_live_data_bytes,
// headcount_rocksdb_pending_compaction_bytes,
// headcount_rocksdb_write_stopped, headcount_rocksdb_write_stalls_total.
std::vector<ScrapedGauges::Gauge> StorageGauges(
    const std::string& store, std::function<StorageFigures()> figures);

// headcount_streams_open{service=`service`}: the streams `waker` (not
// owned, outlives the gauge's registration) has registered.
ScrapedGauges::Gauge StreamsGauge(const std::string& service,
                                  const StreamWaker* waker);

// Serves MetricsRegistry() and ScrapedGauges::Process() at /metrics, in
// the Prometheus text format.
class MetricsEndpoint {
 public:
  // `listen` is HOST:PORT (port 0 picks one). INVALID_ARGUMENT for a bad
  // address, UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& listen);
  ~MetricsEndpoint();
  // HOST:PORT it serves on.
  const std::string& address() const { return address_; }

 private:
  MetricsEndpoint() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string address_;
};

// For GrpcServer: headcount_grpc_handled_total{service,method,code} for
// every call and headcount_grpc_handling_seconds{service,method} for unary
// ones (a stream's lifetime says nothing of its latency).
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewRpcMetricsInterceptorFactory();

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_METRICS_H_
