// headcount-load: a quick load generator. Submits distinct schools from N
// concurrent clients to a running ingest service (durable, synced writes)
// and prints submissions per second; with --audit, also times how long a
// submission takes to come back as an alert on WatchAlerts.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/rpc/tls_files.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "headcount/v1/ingest.grpc.pb.h"

ABSL_FLAG(std::string, ingest, "127.0.0.1:50051", "ingest HOST:PORT");
ABSL_FLAG(std::string, audit, "", "audit HOST:PORT; empty: skip latency");
ABSL_FLAG(int, clients, 16, "concurrent clients");
ABSL_FLAG(int, submissions, 4000, "submissions in all");
ABSL_FLAG(int, latency_samples, 20, "alerts timed end to end");
ABSL_FLAG(std::string, ca, "", "PEM CA of the services: connect with TLS");
ABSL_FLAG(std::string, cert, "",
          "PEM client certificate (a county office of the load's county)");
ABSL_FLAG(std::string, key, "", "PEM private key of --cert");
ABSL_FLAG(int, watchers, 0,
          "Watch streams kept reading the ingest's feed during the load "
          "(100 per connection)");
ABSL_FLAG(int, watch_revisions_per_message, 0,
          "the watchers' WatchRequest.max_revisions_per_message");

namespace {

headcount::v1::SubmitRequest School(const std::string& run, int n, int onsite,
                                    int attempt = 0) {
  headcount::v1::SubmitRequest request;
  request.set_submission_id(absl::StrCat(run, "-", n, "-", onsite, "-", attempt));
  request.set_term("2016-spring");
  request.set_county("负载县");
  request.set_district(absl::StrCat("学区", n % 20));
  request.set_school(absl::StrCat(run, "学校", n));
  for (int grade = 1; grade <= 6; ++grade) {
    auto* count = request.add_grades();
    count->set_grade(grade);
    count->set_onsite_count(onsite);
    count->set_registry_count(100);
  }
  return request;
}

// A Watch stream that reads everything and counts the events it received
// (one per submission of this load).
class Watcher final
    : public grpc::ClientReadReactor<headcount::v1::WatchResponse> {
 public:
  Watcher(headcount::v1::IngestService::Stub* stub, int64_t after_revision,
          int revisions_per_message, std::atomic<int64_t>* events_seen)
      : events_seen_(events_seen) {
    headcount::v1::WatchRequest request;
    request.set_after_revision(after_revision);
    request.set_max_revisions_per_message(revisions_per_message);
    stub->async()->Watch(&context_, &request, this);
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    *events_seen_ += response_.events_size();
    StartRead(&response_);
  }
  void OnDone(const grpc::Status&) override {
    absl::MutexLock lock(&mu_);
    done_ = true;
  }
  void Stop() {
    context_.TryCancel();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(&done_));
  }

 private:
  grpc::ClientContext context_;
  headcount::v1::WatchResponse response_;
  std::atomic<int64_t>* const events_seen_;
  absl::Mutex mu_;
  bool done_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const std::string run = absl::StrCat(absl::ToUnixMicros(absl::Now()));
  auto credentials = headcount::ChannelCredentials(
      {absl::GetFlag(FLAGS_ca), absl::GetFlag(FLAGS_cert),
       absl::GetFlag(FLAGS_key)},
      "--");
  if (!credentials.ok()) {
    std::fprintf(stderr, "headcount-load: %s\n",
                 std::string(credentials.status().message()).c_str());
    return 2;
  }
  auto channel =
      grpc::CreateChannel(absl::GetFlag(FLAGS_ingest), *credentials);
  auto stub = headcount::v1::IngestService::NewStub(channel);
  const int clients = absl::GetFlag(FLAGS_clients);
  const int total = absl::GetFlag(FLAGS_submissions);
  const int watcher_count = absl::GetFlag(FLAGS_watchers);
  std::vector<std::unique_ptr<headcount::v1::IngestService::Stub>> watch_stubs;
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::atomic<int64_t> events_seen{0};
  int64_t first_revision = 0;
  if (watcher_count > 0) {
    // Watchers follow from the revision of this first submission on.
    grpc::ClientContext context;
    headcount::v1::SubmitResponse response;
    grpc::Status status =
        stub->Submit(&context, School(run, -1, 99), &response);
    if (!status.ok()) {
      std::fprintf(stderr, "headcount-load: %s\n",
                   status.error_message().c_str());
      return 1;
    }
    first_revision = response.school().mod_revision();
    for (int w = 0; w < watcher_count; ++w) {
      if (w % 100 == 0) {
        grpc::ChannelArguments args;
        args.SetInt("headcount.load.connection", w / 100);  // its own
        watch_stubs.push_back(headcount::v1::IngestService::NewStub(
            grpc::CreateCustomChannel(absl::GetFlag(FLAGS_ingest),
                                      *credentials, args)));
      }
      watchers.push_back(std::make_unique<Watcher>(
          watch_stubs.back().get(), first_revision,
          absl::GetFlag(FLAGS_watch_revisions_per_message), &events_seen));
    }
  }
  std::atomic<int> next{0}, failed{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (int n = next++; n < total; n = next++) {
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
        headcount::v1::SubmitResponse response;
        if (!stub->Submit(&context, School(run, n, 99), &response).ok()) ++failed;
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("submit: %d submissions, %d clients, %.2f s, %.0f/s, %d failed\n",
              total, clients, seconds, total / seconds, failed.load());
  if (watcher_count > 0) {
    // Each accepted submission is one event every watcher must receive.
    const int64_t due =
        static_cast<int64_t>(watcher_count) * (total - failed.load());
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (events_seen.load() < due && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
    }
    std::printf(
        "watchers: %d streams, %lld of %lld events delivered %.2f s after "
        "the first submission\n",
        watcher_count, static_cast<long long>(events_seen.load()),
        static_cast<long long>(due),
        absl::ToDoubleSeconds(absl::Now() - start));
    for (auto& watcher : watchers) watcher->Stop();
    if (events_seen.load() < due) return 1;
  }

  if (absl::GetFlag(FLAGS_audit).empty()) return failed.load() == 0 ? 0 : 1;
  auto audit = headcount::v1::AuditService::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_audit), *credentials));
  std::vector<double> millis;
  for (int i = 0; i < absl::GetFlag(FLAGS_latency_samples); ++i) {
    headcount::v1::ListAlertsResponse open;
    grpc::ClientContext list_context;
    list_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    audit->ListAlerts(&list_context, {}, &open);
    grpc::ClientContext watch_context;
    watch_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    headcount::v1::WatchAlertsRequest watch;
    watch.set_after_alert_id(open.last_alert_id());
    watch.mutable_filter()->set_term("2016-spring");
    watch.mutable_filter()->set_county("负载县");
    watch.mutable_filter()->set_level(headcount::v1::GRADE);
    auto reader = audit->WatchAlerts(&watch_context, watch);
    // Toggle one school over and back under 2%: each is one alert event.
    const absl::Time sent = absl::Now();
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    headcount::v1::SubmitResponse response;
    stub->Submit(&context, School(run, 0, i % 2 == 0 ? 50 : 99, i + 1), &response);
    headcount::v1::AlertEvent event;
    if (reader->Read(&event)) {
      millis.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
    }
    watch_context.TryCancel();
    reader->Finish();
  }
  std::sort(millis.begin(), millis.end());
  if (!millis.empty()) {
    std::printf("submit->alert: %zu samples, median %.1f ms, max %.1f ms\n",
                millis.size(), millis[millis.size() / 2], millis.back());
  }
  return failed.load() == 0 ? 0 : 1;
}
