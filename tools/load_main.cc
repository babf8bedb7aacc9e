// headcount-load: a quick load generator. Submits distinct schools from N
// concurrent clients to a running ingest service (durable, synced writes)
// and prints submissions per second; with --audit, also times how long a
// submission takes to come back as an alert on WatchAlerts. With
// --province_counties (and --audit): loads a province of that many
// counties x 25 districts x 70 schools x 6 grades, one batch per county,
// and times the reports above the county against reading the same counts
// row by row.
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
#include "tools/feed_watcher.h"

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
ABSL_FLAG(int, province_counties, 0,
          "load a province of this many counties (25 districts x 70 schools "
          "x 6 grades each) and time GetRegionReport; 0: the Submit load");
ABSL_FLAG(int, report_calls, 200, "with --province_counties: calls timed");
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

}  // namespace

// Median and 99th percentile of `micros`, sorted in place.
std::pair<double, double> Percentiles(std::vector<double>& micros) {
  std::sort(micros.begin(), micros.end());
  return {micros[micros.size() / 2],
          micros[std::min(micros.size() - 1, micros.size() * 99 / 100)]};
}

// Times `call` `n` times; prints one line and returns the median (us).
template <typename Call>
double TimeCalls(const char* what, int n, Call call) {
  std::vector<double> micros;
  for (int i = 0; i < n; ++i) {
    const absl::Time start = absl::Now();
    if (!call()) {
      std::fprintf(stderr, "headcount-load: %s failed\n", what);
      std::exit(1);
    }
    micros.push_back(absl::ToDoubleMicroseconds(absl::Now() - start));
  }
  const auto [p50, p99] = Percentiles(micros);
  std::printf("%-58s p50 %9.0f us  p99 %9.0f us  (%d calls)\n", what, p50, p99,
              n);
  return p50;
}

// A province of `counties` counties in 4 cities, loaded and timed.
int LoadProvince(headcount::v1::IngestService::Stub& ingest,
                 const std::shared_ptr<grpc::ChannelCredentials>& credentials,
                 const std::string& run, int counties) {
  namespace v1 = headcount::v1;
  const std::string address = absl::GetFlag(FLAGS_audit);
  if (address.empty()) {
    std::fprintf(stderr, "headcount-load: --province_counties needs --audit\n");
    return 2;
  }
  auto audit = v1::AuditService::NewStub(grpc::CreateChannel(address, credentials));
  const std::string province = absl::StrCat("省", run);
  const std::string term = "2016-autumn";
  auto county_name = [&](int c) { return absl::StrCat(province, "县", c); };
  v1::PutRegionsRequest regions;
  regions.set_submission_id(absl::StrCat(run, "-regions"));
  for (int c = 0; c < counties; ++c) {
    v1::Region* region = regions.add_regions();
    region->set_county(county_name(c));
    region->set_city(absl::StrCat(province, "市", c % 4));
    region->set_province(province);
  }
  {
    grpc::ClientContext context;
    v1::PutRegionsResponse response;
    grpc::Status status = ingest.PutRegions(&context, regions, &response);
    if (!status.ok()) {
      std::fprintf(stderr, "headcount-load: PutRegions: %s\n",
                   status.error_message().c_str());
      return 1;
    }
  }
  const absl::Time load_start = absl::Now();
  int64_t rows = 0;
  for (int c = 0; c < counties; ++c) {
    grpc::ClientContext context;
    v1::ImportSummary summary;
    auto writer = ingest.SubmitBatch(&context, &summary);
    for (int d = 0; d < 25; ++d) {
      for (int s = 0; s < 70; ++s) {
        v1::SubmitRequest school;
        school.set_submission_id(absl::StrCat(run, "-", c, "-", d, "-", s));
        school.set_term(term);
        school.set_county(county_name(c));
        school.set_district(absl::StrCat("学区", d));
        school.set_school(absl::StrCat("学校", s));
        for (int grade = 1; grade <= 6; ++grade) {
          v1::GradeCount* count = school.add_grades();
          count->set_grade(grade);
          count->set_onsite_count(40 + (c + d + s + grade) % 7);
          count->set_registry_count(45);
          ++rows;
        }
        writer->Write(school);
      }
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (!status.ok()) {
      std::fprintf(stderr, "headcount-load: SubmitBatch: %s\n",
                   status.error_message().c_str());
      return 1;
    }
  }
  const absl::Duration loaded = absl::Now() - load_start;
  // Until the audit has it all: the province's report sums every county.
  v1::GetRegionReportRequest by_city;
  by_city.set_term(term);
  by_city.set_province(province);
  v1::RegionReport report;
  for (;;) {
    grpc::ClientContext context;
    if (audit->GetRegionReport(&context, by_city, &report).ok() &&
        report.counties_size() == counties) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  const absl::Duration applied = absl::Now() - load_start;
  std::printf("province of %d counties: %lld school-grades loaded in %s, in the "
              "audit after %s; total %lld/%lld\n",
              counties, static_cast<long long>(rows),
              absl::FormatDuration(loaded).c_str(),
              absl::FormatDuration(applied).c_str(),
              static_cast<long long>(report.total().onsite_count()),
              static_cast<long long>(report.total().registry_count()));
  const int n = absl::GetFlag(FLAGS_report_calls);
  auto call = [](auto method, const auto& request, auto* response) {
    grpc::ClientContext context;
    return method(&context, request, response).ok();
  };
  v1::ListCountiesRequest list;
  list.set_term("2000-spring");  // nothing counted: the smallest answer
  v1::ListCountiesResponse listed;
  const double floor = TimeCalls("baseline: ListCounties of an empty term", n, [&] {
    return call([&](auto* c, const auto& q, auto* r) { return audit->ListCounties(c, q, r); },
                list, &listed);
  });
  const double province_p50 = TimeCalls("GetRegionReport, the province by city", n, [&] {
    return call([&](auto* c, const auto& q, auto* r) { return audit->GetRegionReport(c, q, r); },
                by_city, &report);
  });
  v1::GetRegionReportRequest by_county = by_city;
  by_county.set_city(absl::StrCat(province, "市0"));
  TimeCalls("GetRegionReport, one city by county", n, [&] {
    return call([&](auto* c, const auto& q, auto* r) { return audit->GetRegionReport(c, q, r); },
                by_county, &report);
  });
  v1::GetCountyReportRequest county;
  county.set_term(term);
  county.set_county(county_name(0));
  v1::CountyReport county_report;
  TimeCalls("GetCountyReport, one county (25 districts)", n, [&] {
    return call([&](auto* c, const auto& q, auto* r) { return audit->GetCountyReport(c, q, r); },
                county, &county_report);
  });
  // What the report would cost by re-reading rows: every grade of every
  // county (ListGradeDiscrepancies, 10,500 grades a county), summed here.
  const int reread_calls = std::max(1, n / 20);
  const double reread_p50 = TimeCalls(
      "re-reading every row: ListGradeDiscrepancies of each county", reread_calls, [&] {
        for (int c = 0; c < counties; ++c) {
          v1::ListGradeDiscrepanciesRequest grades;
          grades.set_term(term);
          grades.set_county(county_name(c));
          grades.set_page_size(10000);
          do {
            v1::ListGradeDiscrepanciesResponse page;
            grpc::ClientContext context;
            if (!audit->ListGradeDiscrepancies(&context, grades, &page).ok()) return false;
            grades.set_page_token(page.next_page_token());
          } while (!grades.page_token().empty());
        }
        return true;
      });
  std::printf("province report p50 = %.2fx the empty ListCounties call, %.4fx "
              "re-reading the province's rows\n",
              province_p50 / floor, province_p50 / reread_p50);
  std::printf("HEADCOUNT_FIGURE region_report_p50_us=%.0f floor_p50_us=%.0f "
              "reread_p50_us=%.0f school_grades=%lld\n",
              province_p50, floor, reread_p50, static_cast<long long>(rows));
  return 0;
}

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
  if (absl::GetFlag(FLAGS_province_counties) > 0) {
    return LoadProvince(*stub, *credentials, run,
                        absl::GetFlag(FLAGS_province_counties));
  }
  const int clients = absl::GetFlag(FLAGS_clients);
  const int total = absl::GetFlag(FLAGS_submissions);
  const int watcher_count = absl::GetFlag(FLAGS_watchers);
  std::vector<std::unique_ptr<headcount::v1::IngestService::Stub>> watch_stubs;
  std::vector<std::unique_ptr<headcount::FeedWatcher>> watchers;
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
      watchers.push_back(std::make_unique<headcount::FeedWatcher>(
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
