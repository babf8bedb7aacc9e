// headcount-bench: each figure of the ingest and the audit beside its
// baseline, measured in the same run on the same machine, repeated with the
// two alternating; printed as ratios with min/median/max over repetitions,
// and one machine-readable line per figure (BENCH {...}). BENCHMARKS.md
// holds the latest full run.
//
//   submit   durable Submit (headcount-ingest, a child process) against a
//            plain gRPC echo of the same request bytes (headcount-echo), at
//            1, 16 and 64 concurrent clients: calls/s and the server's CPU
//            per call (from /proc); and the durable echo (headcount-echo
//            --sync_dir, each request put with sync=true before the
//            answer) against both: the floor of durability here
//   commit   the ingest store's commit (in process, one school per commit)
//            against raw synced RocksDB puts of the record's bytes, at the
//            same concurrency
//   batch    one SubmitBatch (rows = school-grades) against one raw synced
//            RocksDB WriteBatch of as many records, into a fresh ingest
//            (cold) and after another as large (warm); and the durable
//            stream (headcount-echo's Collect: the same client stream,
//            written in one synced batch) against both
//   replay   a fresh audit (headcount-audit) catching up from revision 0
//            with a loaded ingest, against a bare Watch reading the same
//            feed: school-grades/s; and the audit's peak RSS, beside the
//            ingest's
//   follow   the audit following a loaded ingest: the revisions it applies
//            per second while 16 clients submit (each Submit a revision),
//            against the revisions the ingest commits meanwhile (1.0: it
//            keeps up), and how far behind it is when the load stops
//   latency  submission -> alert on WatchAlerts (p50, p99, p999) at 10% and
//            50% of the pair's maximum Submit rate (measured first, 16
//            clients), against the same probes' Submit acknowledgement;
//            and the audit's part (acknowledgement -> alert) against a raw
//            synced RocksDB put timed beside the load (100/s, one thread)
//   list     a ListSchools page of one small county (100 schools) while
//            the ingest's newest revision is a large batch of another
//            county, against GetSchool of one school on the same ingest
//   watchers durable Submit from 16 clients while 100 and 1,000 Watch
//            streams are open (--watchers), against the same load with no
//            watcher, with the ingest's CPU per Submit: idle watchers (a
//            county filter that the load never touches), then watchers
//            following every revision (up to --watch_revisions_per_message
//            a message); the watchers read raw bytes, never parsing
//
// --quick runs each once, briefly, so that the README's test command keeps
// the benchmark working; its figures mean little.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "headcount/bench/echo.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "ingest_service/rocksdb_submission_store.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"
#include "tests/fault/service_process.h"
#include "tests/test_util.h"
#include "tools/feed_watcher.h"

ABSL_FLAG(bool, quick, false,
          "one short repetition of each (seconds in all): keeps the "
          "benchmark working, its figures mean little");
ABSL_FLAG(int, repetitions, 3, "repetitions of each pair (A/B alternated)");
ABSL_FLAG(double, seconds, 3.0, "length of each timed load");
ABSL_FLAG(std::string, scenarios,
          "submit,commit,batch,replay,follow,latency,list,watchers",
          "which figures, comma-separated");
ABSL_FLAG(std::string, clients, "1,16,64", "concurrency levels");
ABSL_FLAG(int, batch_schools, 10000,
          "schools of the SubmitBatch figure (6 grades each)");
ABSL_FLAG(int, list_last_batch_schools, 30000,
          "schools of the large newest revision in the list figure");
ABSL_FLAG(int, watch_revisions_per_message, 1000,
          "max_revisions_per_message of the watchers' Watch requests");
ABSL_FLAG(std::string, watchers, "100,1000", "watcher counts of the fan-out figure");
ABSL_FLAG(int, replay_schools, 100000,
          "schools loaded for the replay figure (6 grades each)");

namespace headcount::bench {
namespace {

using ::headcount::testing::ServiceProcess;
using ::headcount::testing::TempDir;

// One figure: ours and the baseline, one value per repetition.
struct Figure {
  Figure(std::string name, std::string label, std::string unit,
         std::string baseline_label)
      : name(std::move(name)),
        label(std::move(label)),
        unit(std::move(unit)),
        baseline_label(std::move(baseline_label)) {}

  std::string name;   // e.g. "submit_calls_per_s"
  std::string label;  // e.g. "durable Submit, 16 clients"
  std::string unit;
  std::string baseline_label;
  std::vector<double> ours, baseline;
};

std::vector<Figure>& Figures() {
  static auto* figures = new std::vector<Figure>;
  return *figures;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void Report() {
  std::printf("\n%-44s %-26s %-26s %s\n", "figure", "ours: median (min-max)",
              "baseline", "ratio: median (min-max)");
  for (const Figure& f : Figures()) {
    std::vector<double> ratios;
    for (size_t i = 0; i < f.ours.size() && i < f.baseline.size(); ++i) {
      ratios.push_back(f.baseline[i] == 0 ? 0 : f.ours[i] / f.baseline[i]);
    }
    auto range = [](const std::vector<double>& v, const char* format) {
      return absl::StrFormat(
          "%s (%s-%s)", absl::StrFormat(format, Median(v)),
          absl::StrFormat(format, *std::min_element(v.begin(), v.end())),
          absl::StrFormat(format, *std::max_element(v.begin(), v.end())));
    };
    const char* format = f.unit == "ms" ? "%.2f" : "%.0f";
    std::printf("%-44s %-26s %-26s %s\n",
                absl::StrCat(f.label, " [", f.unit, "]").c_str(),
                range(f.ours, format).c_str(), range(f.baseline, format).c_str(),
                range(ratios, "%.2f").c_str());
    std::printf("      baseline: %s\n", f.baseline_label.c_str());
  }
  for (const Figure& f : Figures()) {
    std::vector<double> ratios;
    for (size_t i = 0; i < f.ours.size() && i < f.baseline.size(); ++i) {
      ratios.push_back(f.baseline[i] == 0 ? 0 : f.ours[i] / f.baseline[i]);
    }
    std::printf(
        "BENCH {\"figure\":\"%s\",\"unit\":\"%s\",\"median\":%.1f,"
        "\"baseline_median\":%.1f,\"ratio_median\":%.3f,\"ratio_min\":%.3f,"
        "\"ratio_max\":%.3f,\"repetitions\":%zu}\n",
        f.name.c_str(), f.unit.c_str(), Median(f.ours), Median(f.baseline), Median(ratios),
        *std::min_element(ratios.begin(), ratios.end()),
        *std::max_element(ratios.begin(), ratios.end()), f.ours.size());
  }
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "headcount-bench: %s\n", message.c_str());
  std::exit(1);
}

// CPU seconds (user + system) the process `pid` has used.
double CpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) in parentheses.
  const std::vector<std::string> fields =
      absl::StrSplit(stat.substr(stat.rfind(')') + 2), ' ');
  if (fields.size() < 13) return 0;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
}

// The process's peak resident set (VmHWM) in MiB; 0 when unknown.
double PeakRssMib(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "VmHWM:")) {
      std::vector<std::string> fields =
          absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
      return fields.size() >= 2 ? std::stod(fields[1]) / 1024 : 0;
    }
  }
  return 0;
}

// A school of six grades, distinct per (run, client, n), within the 2%
// threshold (as most schools are: no alert).
v1::SubmitRequest School(const std::string& run, int client, int64_t n) {
  v1::SubmitRequest request;
  request.set_submission_id(absl::StrCat(run, "-", client, "-", n));
  request.set_term("2016-spring");
  request.set_county("基准县");
  request.set_district(absl::StrCat("学区", client));
  request.set_school(absl::StrCat("学校", n));
  for (int grade = 1; grade <= 6; ++grade) {
    v1::GradeCount* count = request.add_grades();
    count->set_grade(grade);
    count->set_onsite_count(99 + (n + grade) % 2);
    count->set_registry_count(100);
  }
  return request;
}

// Runs `call(client, n)` from `clients` threads until `seconds` pass;
// calls per second. `call` returns false on failure (the run dies).
double RunLoad(int clients, double seconds,
               const std::function<bool(int, int64_t)>& call) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0};
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (int64_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        if (!call(c, n)) Die("a call failed");
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  absl::SleepFor(absl::Seconds(seconds));
  stop = true;
  for (std::thread& t : threads) t.join();
  return static_cast<double>(done.load()) /
         absl::ToDoubleSeconds(absl::Now() - start);
}

// Channels to `address`, one per 8 clients (distinct connections).
std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& address,
                                                     int clients) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < (clients + 7) / 8; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("headcount.bench.connection", i);  // no subchannel sharing
    channels.push_back(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

std::unique_ptr<ServiceProcess> StartChild(const std::string& binary,
                                           std::vector<std::string> args,
                                           const std::string& log_prefix) {
  args.insert(args.begin(), "--listen=127.0.0.1:0");
  auto started = ServiceProcess::Start(binary, args, log_prefix);
  if (!started.ok()) Die(std::string(started.status().message()));
  return *std::move(started);
}

// An ingest and an audit following it, as child processes in `dir`.
struct ServicePair {
  std::unique_ptr<ServiceProcess> ingest, audit;
};
ServicePair StartPair(TempDir& dir) {
  ServicePair pair;
  pair.ingest = StartChild("headcount-ingest",
                           {"--data_dir=" + dir.Sub("ingest")},
                           dir.Sub("ingest-log"));
  pair.audit = StartChild("headcount-audit",
                          {"--data_dir=" + dir.Sub("audit"),
                           "--ingest=" + pair.ingest->address()},
                          dir.Sub("audit-log"));
  return pair;
}

// The ingest revision the audit has applied (its reports' revision); -1
// when it does not answer.
int64_t AppliedRevision(v1::AuditService::Stub& audit) {
  grpc::ClientContext context;
  v1::ListCountiesRequest request;
  request.set_term("2016-spring");
  v1::ListCountiesResponse response;
  return audit.ListCounties(&context, request, &response).ok()
             ? response.revision()
             : int64_t{-1};
}

// One stub per client over `channels`.
std::vector<std::unique_ptr<v1::IngestService::Stub>> IngestStubs(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels, int clients) {
  std::vector<std::unique_ptr<v1::IngestService::Stub>> stubs;
  for (int c = 0; c < clients; ++c) {
    stubs.push_back(v1::IngestService::NewStub(channels[c % channels.size()]));
  }
  return stubs;
}

struct UnaryResult {
  double calls_per_second;
  double server_cpu_us_per_call;
};

// What answers the unary load: the ingest, or headcount-echo plain or
// durable.
enum class UnaryServer { kSubmit, kEcho, kDurableEcho };

// Durable Submit, or the echo (plain or durable) of the same request.
UnaryResult MeasureUnary(UnaryServer kind, int clients, double seconds) {
  TempDir dir;
  const bool submit = kind == UnaryServer::kSubmit;
  std::vector<std::string> args;
  if (submit) args.push_back("--data_dir=" + dir.Sub("ingest"));
  if (kind == UnaryServer::kDurableEcho) {
    args.push_back("--sync_dir=" + dir.Sub("echo"));
  }
  std::unique_ptr<ServiceProcess> server = StartChild(
      submit ? "headcount-ingest" : "headcount-echo", args, dir.Sub("log"));
  const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  auto channels = Channels(server->address(), clients);
  std::vector<std::unique_ptr<v1::IngestService::Stub>> ingest;
  std::vector<std::unique_ptr<Echo::Stub>> echo;
  for (int c = 0; c < clients; ++c) {
    ingest.push_back(v1::IngestService::NewStub(channels[c % channels.size()]));
    echo.push_back(Echo::NewStub(channels[c % channels.size()]));
  }
  auto call = [&](int c, int64_t n) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    const v1::SubmitRequest request = School(run, c, n);
    if (submit) {
      v1::SubmitResponse response;
      return ingest[c]->Submit(&context, request, &response).ok();
    }
    v1::SubmitRequest response;
    return echo[c]->Echo(&context, request, &response).ok();
  };
  for (int c = 0; c < clients; ++c) call(c, -1);  // connect, warm up
  const double cpu_before = CpuSeconds(server->pid());
  std::atomic<int64_t> calls{0};
  const double rate = RunLoad(clients, seconds, [&](int c, int64_t n) {
    ++calls;
    return call(c, n);
  });
  const double cpu = CpuSeconds(server->pid()) - cpu_before;
  // Connections closed first: a server stopping with clients connected
  // waits for them.
  ingest.clear();
  echo.clear();
  channels.clear();
  server->Stop(SIGTERM);
  return {rate, cpu * 1e6 / static_cast<double>(calls.load())};
}

// Per level: Submit against the echo, and the durable echo (the floor of
// any service acknowledging a synced write here) against both, so that
// the distance to the echo splits into what durability costs on this
// machine and what the ingest adds to it.
void SubmitFigures(const std::vector<int>& levels, int repetitions,
                   double seconds) {
  for (int clients : levels) {
    const std::string level =
        absl::StrCat(clients, clients == 1 ? " client" : " clients");
    Figure calls{absl::StrCat("submit_calls_per_s_c", clients),
                 absl::StrCat("durable Submit, ", level),
                 "calls/s", "headcount-echo: the same request bytes back"};
    Figure cpu{absl::StrCat("submit_server_cpu_us_c", clients),
               absl::StrCat("server CPU per Submit, ", level),
               "us", "headcount-echo's CPU per call"};
    Figure durable_calls{
        absl::StrCat("durable_echo_calls_per_s_c", clients),
        absl::StrCat("durable echo, ", level), "calls/s",
        "headcount-echo without the synced put"};
    Figure durable_cpu{
        absl::StrCat("durable_echo_server_cpu_us_c", clients),
        absl::StrCat("server CPU per durable echo, ", level),
        "us", "headcount-echo's CPU per call"};
    Figure against_durable{
        absl::StrCat("submit_vs_durable_echo_calls_per_s_c", clients),
        absl::StrCat("durable Submit against the durable echo, ", level),
        "calls/s", "headcount-echo --sync_dir: each request put, synced"};
    Figure cpu_against_durable{
        absl::StrCat("submit_vs_durable_echo_server_cpu_us_c", clients),
        absl::StrCat("server CPU per Submit against the durable echo's, ",
                     level),
        "us", "headcount-echo --sync_dir's CPU per call"};
    for (int r = 0; r < repetitions; ++r) {
      // The three rotated, so that each goes first, second and third.
      std::vector<UnaryServer> order = {UnaryServer::kEcho,
                                        UnaryServer::kSubmit,
                                        UnaryServer::kDurableEcho};
      std::rotate(order.begin(), order.begin() + r % 3, order.end());
      std::map<UnaryServer, UnaryResult> result;
      for (UnaryServer kind : order) {
        result[kind] = MeasureUnary(kind, clients, seconds);
      }
      const UnaryResult& submit = result[UnaryServer::kSubmit];
      const UnaryResult& echo = result[UnaryServer::kEcho];
      const UnaryResult& durable = result[UnaryServer::kDurableEcho];
      calls.ours.push_back(submit.calls_per_second);
      calls.baseline.push_back(echo.calls_per_second);
      cpu.ours.push_back(submit.server_cpu_us_per_call);
      cpu.baseline.push_back(echo.server_cpu_us_per_call);
      durable_calls.ours.push_back(durable.calls_per_second);
      durable_calls.baseline.push_back(echo.calls_per_second);
      durable_cpu.ours.push_back(durable.server_cpu_us_per_call);
      durable_cpu.baseline.push_back(echo.server_cpu_us_per_call);
      against_durable.ours.push_back(submit.calls_per_second);
      against_durable.baseline.push_back(durable.calls_per_second);
      cpu_against_durable.ours.push_back(submit.server_cpu_us_per_call);
      cpu_against_durable.baseline.push_back(durable.server_cpu_us_per_call);
      std::fprintf(stderr,
                   "submit c=%d rep %d: %.0f/s vs echo %.0f/s, durable echo "
                   "%.0f/s\n",
                   clients, r, submit.calls_per_second, echo.calls_per_second,
                   durable.calls_per_second);
    }
    Figures().push_back(std::move(calls));
    Figures().push_back(std::move(cpu));
    Figures().push_back(std::move(durable_calls));
    Figures().push_back(std::move(durable_cpu));
    Figures().push_back(std::move(against_durable));
    Figures().push_back(std::move(cpu_against_durable));
  }
}

// The store's commits per second from `clients` threads, one school each.
double MeasureStoreCommit(int clients, double seconds) {
  TempDir dir;
  ingest::RocksDbSubmissionStore::Options options;
  options.data_dir = dir.Sub("store");
  auto store = ingest::RocksDbSubmissionStore::Open(options);
  if (!store.ok()) Die(std::string(store.status().message()));
  const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  return RunLoad(clients, seconds, [&](int c, int64_t n) {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false, ok = false;
    (*store)->Commit(ingest::Puts({School(run, c, n)}), {},
                     [&](absl::StatusOr<ingest::CommitResult> result) {
                       std::lock_guard<std::mutex> lock(mu);
                       ok = result.ok() && result->revision > 0;
                       done = true;
                       cv.notify_one();
                     });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done; });
    return ok;
  });
}

// The bytes the store keeps for one school: its record.
std::string RecordBytes(const v1::SubmitRequest& school) {
  v1::SchoolRecord record;
  record.set_term(school.term());
  record.set_county(school.county());
  record.set_district(school.district());
  record.set_school(school.school());
  *record.mutable_grades() = school.grades();
  record.set_submission_id(school.submission_id());
  record.set_create_revision(1);
  record.set_mod_revision(1);
  record.set_version(1);
  return record.SerializeAsString();
}

std::unique_ptr<rocksdb::DB> OpenRawDb(const std::string& path) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &db);
  if (!status.ok()) Die(status.ToString());
  return std::unique_ptr<rocksdb::DB>(db);
}

// Raw synced puts of one school record each, from `clients` threads.
double MeasureRawPut(int clients, double seconds) {
  TempDir dir;
  std::unique_ptr<rocksdb::DB> db = OpenRawDb(dir.Sub("raw"));
  rocksdb::WriteOptions sync;
  sync.sync = true;
  const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  return RunLoad(clients, seconds, [&](int c, int64_t n) {
    const v1::SubmitRequest school = School(run, c, n);
    return db->Put(sync, absl::StrCat("S", school.submission_id()),
                   RecordBytes(school))
        .ok();
  });
}

void CommitFigures(const std::vector<int>& levels, int repetitions,
                   double seconds) {
  for (int clients : levels) {
    Figure figure{absl::StrCat("store_commits_per_s_c", clients),
                  absl::StrCat("store commit, ", clients,
                               clients == 1 ? " thread" : " threads"),
                  "commits/s",
                  "raw RocksDB Put(sync=true) of the record's bytes"};
    for (int r = 0; r < repetitions; ++r) {
      const bool raw_first = r % 2 == 1;
      double raw = 0;
      if (raw_first) raw = MeasureRawPut(clients, seconds);
      figure.ours.push_back(MeasureStoreCommit(clients, seconds));
      if (!raw_first) raw = MeasureRawPut(clients, seconds);
      figure.baseline.push_back(raw);
    }
    Figures().push_back(std::move(figure));
  }
}

std::vector<v1::SubmitRequest> Schools(const std::string& run, int count,
                                       int first = 0) {
  std::vector<v1::SubmitRequest> schools;
  schools.reserve(count);
  for (int i = first; i < first + count; ++i) {
    schools.push_back(School(run, i % 25, i));
  }
  return schools;
}

// Streams `schools` through the client stream `open` starts (SubmitBatch,
// or the echo's Collect) and waits for its answer; seconds. `name` names
// the call in a failure.
double StreamSchools(
    absl::string_view name,
    absl::FunctionRef<std::unique_ptr<grpc::ClientWriter<v1::SubmitRequest>>(
        grpc::ClientContext*, v1::ImportSummary*)>
        open,
    const std::vector<v1::SubmitRequest>& schools) {
  grpc::ClientContext context;
  v1::ImportSummary summary;
  const absl::Time start = absl::Now();
  auto writer = open(&context, &summary);
  for (const v1::SubmitRequest& school : schools) {
    if (!writer->Write(school)) break;
  }
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) Die(absl::StrCat(name, ": ", status.error_message()));
  return absl::ToDoubleSeconds(absl::Now() - start);
}

// One SubmitBatch of `schools`; seconds.
double SubmitBatch(v1::IngestService::Stub& stub,
                   const std::vector<v1::SubmitRequest>& schools) {
  return StreamSchools(
      "SubmitBatch",
      [&](grpc::ClientContext* context, v1::ImportSummary* summary) {
        return stub.SubmitBatch(context, summary);
      },
      schools);
}

// The same schools streamed to headcount-echo's Collect, which writes
// them in one synced batch at the stream's end; seconds.
double Collect(Echo::Stub& stub,
               const std::vector<v1::SubmitRequest>& schools) {
  return StreamSchools(
      "Collect",
      [&](grpc::ClientContext* context, v1::ImportSummary* summary) {
        return stub.Collect(context, summary);
      },
      schools);
}

// Cold: the batch is the first thing a fresh ingest does, so its memory
// is touched for the first time (page faults cost 11-14 us each on these
// VMs, BENCHMARKS.md). Warm: the same into an ingest that has just taken
// a batch of as many other schools. The durable stream: the same two
// streams to headcount-echo --sync_dir's Collect (the second timed), the
// floor of any service taking a client stream and syncing it.
void BatchFigures(int repetitions, int schools) {
  Figure cold{"submit_batch_rows_per_s",
              absl::StrCat("SubmitBatch of ", schools * 6, " school-grades"),
              "rows/s", "raw RocksDB WriteBatch(sync=true) of as many records"};
  Figure warm{"submit_batch_warm_rows_per_s",
              absl::StrCat("SubmitBatch of ", schools * 6,
                           " school-grades, after another as large"),
              "rows/s", "raw RocksDB WriteBatch(sync=true) of as many records"};
  Figure stream{"durable_stream_rows_per_s",
                absl::StrCat("the same stream collected and synced, after "
                             "another as large"),
                "rows/s",
                "raw RocksDB WriteBatch(sync=true) of as many records"};
  Figure against_stream{
      "submit_batch_warm_vs_durable_stream_rows_per_s",
      "SubmitBatch after another against the durable stream", "rows/s",
      "headcount-echo --sync_dir's Collect of the same stream"};
  for (int r = 0; r < repetitions; ++r) {
    const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
    const std::vector<v1::SubmitRequest> rows = Schools(run, schools);
    const std::vector<v1::SubmitRequest> others =
        Schools(run, schools, schools);
    auto raw = [&] {
      TempDir dir;
      std::unique_ptr<rocksdb::DB> db = OpenRawDb(dir.Sub("raw"));
      const absl::Time start = absl::Now();
      rocksdb::WriteBatch batch;
      for (const v1::SubmitRequest& school : rows) {
        batch.Put(absl::StrCat("S", school.submission_id()),
                  RecordBytes(school));
      }
      rocksdb::WriteOptions sync;
      sync.sync = true;
      if (!db->Write(sync, &batch).ok()) Die("raw WriteBatch failed");
      return schools * 6 / absl::ToDoubleSeconds(absl::Now() - start);
    };
    // Rows/s of the batch into a fresh ingest, cold then warm.
    auto ours = [&] {
      TempDir dir;
      std::unique_ptr<ServiceProcess> server = StartChild(
          "headcount-ingest", {"--data_dir=" + dir.Sub("ingest")},
          dir.Sub("log"));
      auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
          server->address(), grpc::InsecureChannelCredentials()));
      const double cold_seconds = SubmitBatch(*stub, others);
      const double warm_seconds = SubmitBatch(*stub, rows);
      stub.reset();
      server->Stop(SIGTERM);
      return std::make_pair(schools * 6 / cold_seconds,
                            schools * 6 / warm_seconds);
    };
    // Rows/s of the second of two streams collected by a durable echo.
    auto durable = [&] {
      TempDir dir;
      std::unique_ptr<ServiceProcess> server = StartChild(
          "headcount-echo", {"--sync_dir=" + dir.Sub("echo")}, dir.Sub("log"));
      auto stub = Echo::NewStub(grpc::CreateChannel(
          server->address(), grpc::InsecureChannelCredentials()));
      Collect(*stub, others);
      const double seconds = Collect(*stub, rows);
      stub.reset();
      server->Stop(SIGTERM);
      return schools * 6 / seconds;
    };
    std::pair<double, double> measured;
    double baseline = 0, floor = 0;
    // The three rotated, so that each goes first, second and third.
    for (int i = 0; i < 3; ++i) {
      switch ((i + r) % 3) {
        case 0: measured = ours(); break;
        case 1: baseline = raw(); break;
        default: floor = durable(); break;
      }
    }
    cold.ours.push_back(measured.first);
    cold.baseline.push_back(baseline);
    warm.ours.push_back(measured.second);
    warm.baseline.push_back(baseline);
    stream.ours.push_back(floor);
    stream.baseline.push_back(baseline);
    against_stream.ours.push_back(measured.second);
    against_stream.baseline.push_back(floor);
  }
  Figures().push_back(std::move(cold));
  Figures().push_back(std::move(warm));
  Figures().push_back(std::move(stream));
  Figures().push_back(std::move(against_stream));
}

void ReplayFigures(int repetitions, int schools) {
  Figure figure{"audit_replay_rows_per_s",
                absl::StrCat("fresh audit replaying ", schools * 6,
                             " school-grades"),
                "rows/s", "a bare Watch reading the same feed from 0"};
  Figure rss{"audit_replay_peak_rss_mib",
             absl::StrCat("the audit's peak RSS replaying ", schools * 6,
                          " school-grades"),
             "MiB", "the ingest's peak RSS, loaded and read"};
  for (int r = 0; r < repetitions; ++r) {
    TempDir dir;
    std::unique_ptr<ServiceProcess> ingest = StartChild(
        "headcount-ingest", {"--data_dir=" + dir.Sub("ingest")},
        dir.Sub("ingest-log"));
    auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
        ingest->address(), grpc::InsecureChannelCredentials()));
    const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
    constexpr int kPerBatch = 5000;
    int64_t revision = 0;
    for (int first = 0; first < schools; first += kPerBatch) {
      SubmitBatch(*stub, Schools(run, std::min(kPerBatch, schools - first),
                                 first));
      ++revision;
    }
    auto watch = [&] {
      grpc::ClientContext context;
      v1::WatchRequest request;
      const absl::Time start = absl::Now();
      auto reader = stub->Watch(&context, request);
      v1::WatchResponse response;
      int64_t grades = 0;
      while (reader->Read(&response)) {
        for (const v1::Event& e : response.events()) {
          grades += e.school().grades_size();
        }
        if (response.revision() == revision && !response.fragment()) break;
      }
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      context.TryCancel();
      reader->Finish();
      if (grades != static_cast<int64_t>(schools) * 6) {
        Die(absl::StrCat("Watch delivered ", grades, " school-grades"));
      }
      return grades / seconds;
    };
    auto audit = [&] {
      TempDir audit_dir;
      const absl::Time start = absl::Now();
      std::unique_ptr<ServiceProcess> process = StartChild(
          "headcount-audit",
          {"--data_dir=" + audit_dir.Sub("audit"),
           "--ingest=" + ingest->address()},
          audit_dir.Sub("log"));
      auto audit_stub = v1::AuditService::NewStub(grpc::CreateChannel(
          process->address(), grpc::InsecureChannelCredentials()));
      while (AppliedRevision(*audit_stub) != revision) {
        absl::SleepFor(absl::Milliseconds(10));
      }
      const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
      rss.ours.push_back(PeakRssMib(process->pid()));
      audit_stub.reset();
      process->Stop(SIGTERM);
      return schools * 6 / seconds;
    };
    if (r % 2 == 1) {
      figure.baseline.push_back(watch());
      figure.ours.push_back(audit());
    } else {
      figure.ours.push_back(audit());
      figure.baseline.push_back(watch());
    }
    rss.baseline.push_back(PeakRssMib(ingest->pid()));
    stub.reset();
    ingest->Stop(SIGTERM);
  }
  Figures().push_back(std::move(figure));
  Figures().push_back(std::move(rss));
}

void FollowFigures(int repetitions, double seconds) {
  constexpr int kClients = 16;
  Figure rate{"audit_follow_revisions_per_s",
              "audit applying revisions under 16 submitting clients",
              "revisions/s", "the ingest's revisions/s in the same window"};
  Figure lag{"audit_follow_lag_revisions",
             "audit behind the ingest when the load stops", "revisions",
             "the revisions the load committed"};
  for (int r = 0; r < repetitions; ++r) {
    TempDir dir;
    auto [ingest, audit] = StartPair(dir);
    auto channels = Channels(ingest->address(), kClients);
    auto stubs = IngestStubs(channels, kClients);
    auto audit_stub = v1::AuditService::NewStub(grpc::CreateChannel(
        audit->address(), grpc::InsecureChannelCredentials()));
    auto applied = [&] { return AppliedRevision(*audit_stub); };
    const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
    std::atomic<int64_t> newest{0};
    const int64_t applied_before = std::max<int64_t>(applied(), 0);
    const absl::Time start = absl::Now();
    RunLoad(kClients, seconds, [&](int c, int64_t n) {
      grpc::ClientContext context;
      v1::SubmitResponse response;
      if (!stubs[c]->Submit(&context, School(run, c, n), &response).ok()) {
        return false;
      }
      int64_t seen = newest.load();
      while (response.revision() > seen &&
             !newest.compare_exchange_weak(seen, response.revision())) {
      }
      return true;
    });
    const double window = absl::ToDoubleSeconds(absl::Now() - start);
    const int64_t applied_at_end = applied();
    rate.ours.push_back((applied_at_end - applied_before) / window);
    rate.baseline.push_back(newest.load() / window);
    lag.ours.push_back(static_cast<double>(newest.load() - applied_at_end));
    lag.baseline.push_back(static_cast<double>(newest.load()));
    // Let it catch up before it stops (a clean end, and proof it can).
    while (applied() < newest.load()) absl::SleepFor(absl::Milliseconds(10));
    stubs.clear();
    channels.clear();
    audit_stub.reset();
    audit->Stop(SIGTERM);
    ingest->Stop(SIGTERM);
  }
  Figures().push_back(std::move(rate));
  Figures().push_back(std::move(lag));
}

// The p-th quantile (0..1) of `v`, sorted in place.
double Quantile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

struct LatencyRun {
  double alert_p50_ms = 0, alert_p99_ms = 0, alert_p999_ms = 0;
  double ack_p50_ms = 0, ack_p99_ms = 0, ack_p999_ms = 0;
  // The audit's part: from the probe's acknowledgement to its alert (0
  // when the alert came first).
  double after_ack_p50_ms = 0, after_ack_p99_ms = 0;
  // From the call to the audit starting to apply the probe's revision (the
  // alert's time; the two processes share this machine's clock).
  double applying_p50_ms = 0, applying_p99_ms = 0;
  // A raw synced RocksDB put of a record's size, 100 a second from one
  // thread beside the load: what the audit's own synced write costs on
  // this disk meanwhile.
  double raw_put_p50_ms = 0, raw_put_p99_ms = 0;
  double lag = 0;  // revisions behind when the load stopped
  int probes = 0;
};

// Paced Submits at `rate`/s for `seconds` from 8 threads; every 10th a
// probe whose grade is 50% under its registry (an alert), timed from the
// call to its RAISED event on a WatchAlerts stream.
LatencyRun MeasureLatency(ServiceProcess& ingest, ServiceProcess& audit,
                          const std::string& raw_path, double rate,
                          double seconds) {
  constexpr int kThreads = 8;
  auto channels = Channels(ingest.address(), kThreads);
  auto stubs = IngestStubs(channels, kThreads);
  auto audit_stub = v1::AuditService::NewStub(grpc::CreateChannel(
      audit.address(), grpc::InsecureChannelCredentials()));
  const std::string run = absl::StrCat("lat", absl::ToUnixMicros(absl::Now()));
  // One probe's times: its call, its acknowledgement, its alert.
  struct Probe {
    absl::Time call;
    std::optional<absl::Time> acked, alerted, applying;
  };
  std::mutex mu;
  // By district and school: the paced threads number their schools
  // alike, so a school's name alone is not one probe.
  std::map<std::string, Probe> probes;
  int unalerted = 0;
  // The stream, from the newest alert on.
  v1::ListAlertsResponse head;
  {
    grpc::ClientContext context;
    audit_stub->ListAlerts(&context, v1::ListAlertsRequest(), &head);
  }
  grpc::ClientContext watch_context;
  v1::WatchAlertsRequest watch_request;
  watch_request.set_after_alert_id(head.last_alert_id());
  watch_request.mutable_filter()->set_level(v1::GRADE);
  auto reader = audit_stub->WatchAlerts(&watch_context, watch_request);
  std::thread watcher([&] {
    v1::AlertEvent event;
    while (reader->Read(&event)) {
      if (event.state() != v1::AlertEvent::RAISED) continue;
      const absl::Time now = absl::Now();
      std::lock_guard<std::mutex> lock(mu);
      auto it =
          probes.find(absl::StrCat(event.district(), "/", event.school()));
      if (it == probes.end() || it->second.alerted.has_value()) continue;
      it->second.alerted = now;
      it->second.applying = absl::FromUnixSeconds(event.time().seconds()) +
                            absl::Nanoseconds(event.time().nanos());
      --unalerted;
    }
  });
  std::atomic<int64_t> newest{0};
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  const absl::Duration interval = absl::Seconds(kThreads / rate);
  for (int c = 0; c < kThreads; ++c) {
    threads.emplace_back([&, c] {
      absl::Time next = start + interval * c / kThreads;
      for (int64_t n = 0;; ++n) {
        if (next > start + absl::Seconds(seconds)) break;
        absl::SleepFor(next - absl::Now());
        next += interval;
        v1::SubmitRequest request = School(run, c, n);
        const bool probe = n % 10 == 0;
        if (probe) {
          request.mutable_grades(0)->set_onsite_count(10);
          request.mutable_grades(0)->set_registry_count(100);
        }
        const absl::Time call = absl::Now();
        if (probe) {
          std::lock_guard<std::mutex> lock(mu);
          probes[absl::StrCat(request.district(), "/", request.school())]
              .call = call;
          ++unalerted;
        }
        grpc::ClientContext context;
        v1::SubmitResponse response;
        if (!stubs[c]->Submit(&context, request, &response).ok()) {
          Die("a paced Submit failed");
        }
        const absl::Time acked = absl::Now();
        int64_t seen = newest.load();
        while (response.revision() > seen &&
               !newest.compare_exchange_weak(seen, response.revision())) {
        }
        if (probe) {
          std::lock_guard<std::mutex> lock(mu);
          probes[absl::StrCat(request.district(), "/", request.school())]
              .acked = acked;
        }
      }
    });
  }
  std::vector<double> raw_put_ms;
  std::thread raw_putter([&] {
    std::unique_ptr<rocksdb::DB> db = OpenRawDb(raw_path);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    const std::string value(300, 'x');
    for (absl::Time next = start; next < start + absl::Seconds(seconds);
         next += absl::Milliseconds(10)) {
      absl::SleepFor(next - absl::Now());
      const absl::Time put = absl::Now();
      if (!db->Put(sync, absl::StrCat("probe", raw_put_ms.size()), value)
               .ok()) {
        Die("a raw synced put failed");
      }
      raw_put_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - put));
    }
  });
  for (std::thread& t : threads) t.join();
  raw_putter.join();
  LatencyRun result;
  result.raw_put_p50_ms = Quantile(raw_put_ms, 0.5);
  result.raw_put_p99_ms = Quantile(raw_put_ms, 0.99);
  result.lag = static_cast<double>(newest.load() -
                                   AppliedRevision(*audit_stub));
  // Every probe's alert, or give up after 10 s (then they count as lost).
  const absl::Time wait_until = absl::Now() + absl::Seconds(10);
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (unalerted == 0 || absl::Now() > wait_until) break;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  watch_context.TryCancel();
  watcher.join();
  reader->Finish();
  std::lock_guard<std::mutex> lock(mu);
  if (unalerted > 0) {
    Die(absl::StrCat(unalerted, " probes raised no alert within 10 s"));
  }
  // Every probe was acknowledged (a failed Submit ends the run) and alerted.
  std::vector<double> alert_ms, ack_ms, after_ack_ms, applying_ms;
  for (const auto& [school, probe] : probes) {
    applying_ms.push_back(
        absl::ToDoubleMilliseconds(*probe.applying - probe.call));
    alert_ms.push_back(absl::ToDoubleMilliseconds(*probe.alerted - probe.call));
    ack_ms.push_back(absl::ToDoubleMilliseconds(*probe.acked - probe.call));
    after_ack_ms.push_back(std::max(
        0.0, absl::ToDoubleMilliseconds(*probe.alerted - *probe.acked)));
  }
  result.probes = static_cast<int>(probes.size());
  result.alert_p50_ms = Quantile(alert_ms, 0.5);
  result.alert_p99_ms = Quantile(alert_ms, 0.99);
  result.alert_p999_ms = Quantile(alert_ms, 0.999);
  result.ack_p50_ms = Quantile(ack_ms, 0.5);
  result.ack_p99_ms = Quantile(ack_ms, 0.99);
  result.ack_p999_ms = Quantile(ack_ms, 0.999);
  result.after_ack_p50_ms = Quantile(after_ack_ms, 0.5);
  result.after_ack_p99_ms = Quantile(after_ack_ms, 0.99);
  result.applying_p50_ms = Quantile(applying_ms, 0.5);
  result.applying_p99_ms = Quantile(applying_ms, 0.99);
  return result;
}

void LatencyFigures(int repetitions, double seconds) {
  for (const int percent : {10, 50}) {
    Figure p50{absl::StrCat("alert_latency_p50_ms_at_", percent, "pct"),
               absl::StrCat("submission -> alert p50 at ", percent, "% of max"),
               "ms", "the probes' Submit acknowledgement p50"};
    Figure p99{absl::StrCat("alert_latency_p99_ms_at_", percent, "pct"),
               absl::StrCat("submission -> alert p99 at ", percent, "% of max"),
               "ms", "the probes' Submit acknowledgement p99"};
    Figure p999{absl::StrCat("alert_latency_p999_ms_at_", percent, "pct"),
                absl::StrCat("submission -> alert p999 at ", percent,
                             "% of max"),
                "ms", "the probes' Submit acknowledgement p999"};
    Figure after_ack{
        absl::StrCat("alert_after_ack_p99_ms_at_", percent, "pct"),
        absl::StrCat("acknowledgement -> alert p99 at ", percent, "% of max"),
        "ms", "a raw synced RocksDB put p99 under the same load"};
    Figure lag{absl::StrCat("alert_latency_lag_revisions_at_", percent, "pct"),
               absl::StrCat("audit behind at the end, ", percent, "% of max"),
               "revisions", "the run's probes (a scale, not a baseline)"};
    for (int r = 0; r < repetitions; ++r) {
      TempDir dir;
      auto [ingest, audit] = StartPair(dir);
      // The pair's maximum: 16 clients as fast as they go.
      const double max_rate = [&] {
        auto channels = Channels(ingest->address(), 16);
        auto stubs = IngestStubs(channels, 16);
        const std::string run =
            absl::StrCat("max", absl::ToUnixMicros(absl::Now()));
        return RunLoad(16, std::min(seconds, 2.0), [&](int c, int64_t n) {
          grpc::ClientContext context;
          v1::SubmitResponse response;
          return stubs[c]->Submit(&context, School(run, c, n), &response).ok();
        });
      }();
      // Caught up before the paced load starts.
      {
        auto audit_stub = v1::AuditService::NewStub(grpc::CreateChannel(
            audit->address(), grpc::InsecureChannelCredentials()));
        auto ingest_stub = v1::IngestService::NewStub(grpc::CreateChannel(
            ingest->address(), grpc::InsecureChannelCredentials()));
        v1::ListSchoolsRequest list;
        list.set_page_size(1);
        v1::ListSchoolsResponse listed;
        grpc::ClientContext list_context;
        if (!ingest_stub->ListSchools(&list_context, list, &listed).ok()) {
          Die("ListSchools");
        }
        while (AppliedRevision(*audit_stub) < listed.revision()) {
          absl::SleepFor(absl::Milliseconds(10));
        }
      }
      const LatencyRun run =
          MeasureLatency(*ingest, *audit, dir.Sub("raw"),
                         max_rate * percent / 100, seconds);
      std::fprintf(stderr,
                   "latency at %d%% of %.0f/s: %d probes, alert p50 %.2f p99 "
                   "%.2f p999 %.2f ms, ack p50 %.2f p99 %.2f ms, ack -> "
                   "alert p50 %.2f p99 %.2f ms, the audit applying p50 %.2f "
                   "p99 %.2f ms, raw synced put p50 %.2f p99 %.2f ms, lag "
                   "%.0f\n",
                   percent, max_rate, run.probes, run.alert_p50_ms,
                   run.alert_p99_ms, run.alert_p999_ms, run.ack_p50_ms,
                   run.ack_p99_ms, run.after_ack_p50_ms, run.after_ack_p99_ms,
                   run.applying_p50_ms, run.applying_p99_ms,
                   run.raw_put_p50_ms, run.raw_put_p99_ms, run.lag);
      p50.ours.push_back(run.alert_p50_ms);
      p50.baseline.push_back(run.ack_p50_ms);
      p99.ours.push_back(run.alert_p99_ms);
      p99.baseline.push_back(run.ack_p99_ms);
      p999.ours.push_back(run.alert_p999_ms);
      p999.baseline.push_back(run.ack_p999_ms);
      after_ack.ours.push_back(run.after_ack_p99_ms);
      after_ack.baseline.push_back(run.raw_put_p99_ms);
      lag.ours.push_back(run.lag);
      lag.baseline.push_back(run.probes);
      audit->Stop(SIGTERM);
      ingest->Stop(SIGTERM);
    }
    Figures().push_back(std::move(p50));
    Figures().push_back(std::move(p99));
    Figures().push_back(std::move(p999));
    Figures().push_back(std::move(after_ack));
    Figures().push_back(std::move(lag));
  }
}

void ListFigures(int repetitions, int last_batch_schools) {
  Figure page{"list_schools_page_us",
              "ListSchools page of 100 schools, large newest revision", "us",
              "GetSchool of one school, same ingest"};
  for (int r = 0; r < repetitions; ++r) {
    TempDir dir;
    std::unique_ptr<ServiceProcess> ingest = StartChild(
        "headcount-ingest", {"--data_dir=" + dir.Sub("ingest")},
        dir.Sub("log"));
    auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
        ingest->address(), grpc::InsecureChannelCredentials()));
    const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
    // The small county, then a large revision of another county.
    std::vector<v1::SubmitRequest> small = Schools(run, 100);
    for (auto& school : small) school.set_county("小县");
    SubmitBatch(*stub, small);
    SubmitBatch(*stub, Schools(run, last_batch_schools, 100));
    // Restarted: RocksDB flushes what it recovers from its log into table
    // files, where the newest revision's entry is one large block.
    stub.reset();
    ingest->Stop(SIGTERM);
    ingest = StartChild("headcount-ingest", {"--data_dir=" + dir.Sub("ingest")},
                        dir.Sub("log2"));
    stub = v1::IngestService::NewStub(grpc::CreateChannel(
        ingest->address(), grpc::InsecureChannelCredentials()));
    auto time_calls = [&](const std::function<bool()>& call) {
      std::vector<double> micros;
      for (int i = 0; i < 200; ++i) {
        const absl::Time start = absl::Now();
        if (!call()) Die("a list call failed");
        micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
      }
      return Quantile(micros, 0.5);
    };
    v1::ListSchoolsRequest list;
    list.set_term("2016-spring");
    list.set_county("小县");
    list.set_page_size(100);
    v1::GetSchoolRequest get;
    get.set_term(small[0].term());
    get.set_county(small[0].county());
    get.set_district(small[0].district());
    get.set_school(small[0].school());
    auto list_call = [&] {
      grpc::ClientContext context;
      v1::ListSchoolsResponse response;
      return stub->ListSchools(&context, list, &response).ok() &&
             response.schools_size() == 100;
    };
    auto get_call = [&] {
      grpc::ClientContext context;
      v1::SchoolRecord record;
      return stub->GetSchool(&context, get, &record).ok();
    };
    if (r % 2 == 1) {
      page.baseline.push_back(time_calls(get_call));
      page.ours.push_back(time_calls(list_call));
    } else {
      page.ours.push_back(time_calls(list_call));
      page.baseline.push_back(time_calls(get_call));
    }
    stub.reset();
    ingest->Stop(SIGTERM);
  }
  Figures().push_back(std::move(page));
}

// Submit from 16 clients with `watchers` Watch streams following.
struct WatchedLoad {
  double calls_per_s = 0;
  double server_cpu_us_per_call = 0;
  // Bytes the watchers received a second, all together.
  double watch_bytes_per_s = 0;
};

// The watchers read raw bytes (RawFeedWatcher): on one machine, parsing
// a thousand copies of the feed would charge the clients' CPU to the
// ingest. Idle watchers watch another county (Watch's county filter), so
// that the load's revisions have nothing for them.
WatchedLoad SubmitsWithWatchers(int watchers, bool idle, double seconds) {
  TempDir dir;
  std::unique_ptr<ServiceProcess> ingest = StartChild(
      "headcount-ingest", {"--data_dir=" + dir.Sub("ingest")}, dir.Sub("log"));
  auto channels = Channels(ingest->address(), 16);
  auto stubs = IngestStubs(channels, 16);
  std::vector<std::unique_ptr<grpc::GenericStub>> watch_stubs;
  std::vector<std::unique_ptr<RawFeedWatcher>> streams;
  std::atomic<int64_t> bytes{0};
  v1::WatchRequest request;
  request.set_max_revisions_per_message(
      absl::GetFlag(FLAGS_watch_revisions_per_message));
  if (idle) request.set_county("无提交县");
  for (int w = 0; w < watchers; ++w) {
    if (w % 100 == 0) {  // 100 streams a connection
      grpc::ChannelArguments args;
      args.SetInt("headcount.bench.watch_connection", w);
      watch_stubs.push_back(
          std::make_unique<grpc::GenericStub>(grpc::CreateCustomChannel(
              ingest->address(), grpc::InsecureChannelCredentials(), args)));
    }
    streams.push_back(std::make_unique<RawFeedWatcher>(watch_stubs.back().get(),
                                                       request, &bytes));
  }
  const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  const int64_t bytes_before = bytes.load();
  const double cpu_before = CpuSeconds(ingest->pid());
  std::atomic<int64_t> calls{0};
  WatchedLoad load;
  load.calls_per_s = RunLoad(16, seconds, [&](int c, int64_t n) {
    ++calls;
    grpc::ClientContext context;
    v1::SubmitResponse response;
    return stubs[c]->Submit(&context, School(run, c, n), &response).ok();
  });
  load.server_cpu_us_per_call = (CpuSeconds(ingest->pid()) - cpu_before) *
                                1e6 / static_cast<double>(calls.load());
  load.watch_bytes_per_s =
      static_cast<double>(bytes.load() - bytes_before) / seconds;
  for (auto& stream : streams) stream->Stop();
  streams.clear();
  watch_stubs.clear();
  stubs.clear();
  channels.clear();
  ingest->Stop(SIGTERM);
  return load;
}

void WatcherFigures(const std::vector<int>& counts, int repetitions,
                    double seconds) {
  for (bool idle : {true, false}) {
    for (int watchers : counts) {
      const std::string kind = idle ? "idle_watchers" : "watchers";
      const std::string label =
          absl::StrCat(watchers, idle ? " idle watchers" : " watchers");
      Figure calls{absl::StrCat("submit_with_", watchers, "_", kind, "_per_s"),
                   absl::StrCat("Submit, 16 clients, ", label), "calls/s",
                   "the same load with no watcher"};
      Figure cpu{absl::StrCat("submit_with_", watchers, "_", kind, "_cpu_us"),
                 absl::StrCat("ingest CPU per Submit, ", label), "us",
                 "the same load with no watcher"};
      std::vector<double> fan_out;
      for (int r = 0; r < repetitions; ++r) {
        WatchedLoad with, without;
        if (r % 2 == 1) {
          without = SubmitsWithWatchers(0, idle, seconds);
          with = SubmitsWithWatchers(watchers, idle, seconds);
        } else {
          with = SubmitsWithWatchers(watchers, idle, seconds);
          without = SubmitsWithWatchers(0, idle, seconds);
        }
        calls.ours.push_back(with.calls_per_s);
        calls.baseline.push_back(without.calls_per_s);
        cpu.ours.push_back(with.server_cpu_us_per_call);
        cpu.baseline.push_back(without.server_cpu_us_per_call);
        fan_out.push_back(with.watch_bytes_per_s / 1e6);
      }
      std::printf("%s received %.2f MB/s in all (median)\n", label.c_str(),
                  Median(fan_out));
      Figures().push_back(std::move(calls));
      Figures().push_back(std::move(cpu));
    }
  }
}

// The positive numbers of the comma-separated `list` of flag --`name`.
std::vector<int> Counts(absl::string_view name, absl::string_view list) {
  std::vector<int> counts;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    int count = 0;
    if (!absl::SimpleAtoi(item, &count) || count <= 0) {
      Die(absl::StrCat("--", name, ": not a positive number: ", item));
    }
    counts.push_back(count);
  }
  return counts;
}

int Main() {
  const bool quick = absl::GetFlag(FLAGS_quick);
  const int repetitions = quick ? 1 : absl::GetFlag(FLAGS_repetitions);
  const double seconds = quick ? 0.3 : absl::GetFlag(FLAGS_seconds);
  const std::vector<int> levels = Counts("clients", absl::GetFlag(FLAGS_clients));
  const std::vector<int> watcher_counts =
      Counts("watchers", absl::GetFlag(FLAGS_watchers));
  const std::string scenarios = absl::GetFlag(FLAGS_scenarios);
  auto wanted = [&](absl::string_view name) {
    for (absl::string_view s : absl::StrSplit(scenarios, ',')) {
      if (s == name) return true;
    }
    return false;
  };
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  std::printf("headcount-bench on %s, %ld cores, %s%d repetition(s), %.1f s "
              "per load\n",
              host, sysconf(_SC_NPROCESSORS_ONLN), quick ? "quick, " : "",
              repetitions, seconds);
  if (wanted("submit")) SubmitFigures(levels, repetitions, seconds);
  if (wanted("commit")) CommitFigures(levels, repetitions, seconds);
  if (wanted("batch")) {
    BatchFigures(repetitions,
                 quick ? 1000 : absl::GetFlag(FLAGS_batch_schools));
  }
  if (wanted("replay")) {
    ReplayFigures(repetitions,
                  quick ? 2000 : absl::GetFlag(FLAGS_replay_schools));
  }
  if (wanted("follow")) FollowFigures(repetitions, quick ? 0.5 : 5.0);
  if (wanted("latency")) LatencyFigures(repetitions, quick ? 0.5 : 5.0);
  if (wanted("watchers")) {
    WatcherFigures(quick ? std::vector<int>{10} : watcher_counts, repetitions,
                   seconds);
  }
  if (wanted("list")) {
    ListFigures(repetitions,
                quick ? 1000 : absl::GetFlag(FLAGS_list_last_batch_schools));
  }
  if (Figures().empty()) Die("no scenario run (--scenarios)");
  Report();
  return 0;
}

}  // namespace
}  // namespace headcount::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  // The services beside this binary, not the build's: a copy of the bench
  // in another directory (an A/B of two builds) runs its own services.
  // An empty HEADCOUNT_BIN_DIR counts as unset, as in BinaryPath.
  const char* given = std::getenv("HEADCOUNT_BIN_DIR");
  if (given == nullptr || *given == '\0') {
    std::string self(4096, '\0');
    const ssize_t n = readlink("/proc/self/exe", self.data(), self.size());
    if (n > 0) {
      self.resize(static_cast<size_t>(n));
      setenv("HEADCOUNT_BIN_DIR", self.substr(0, self.rfind('/')).c_str(), 1);
    }
  }
  return headcount::bench::Main();
}
