// kill -9 of the real headcount-audit at random moments while the notice's
// fixture, random corrections and retractions, self-checks and moves of the
// county between cities stream into the ingest (alerts at every level, city
// and province and source mismatches included). After the last restart its
// reports and open alerts equal a recomputation from scratch, and its alert
// stream has every alert_id once, in order, and replays to exactly the open
// alerts.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "audit_service/audit_server.h"
#include "cli/spreadsheet/csv_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "tests/fault/service_process.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

constexpr int kCorrections = 200;
constexpr int kMinKills = 10;

std::vector<v1::SubmitRequest> FixtureSchools() {
  std::ifstream in(FixturePath("headcounts.csv"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto imported = ParseHeadcountCsv(buffer.str());
  EXPECT_TRUE(imported.ok());
  return imported->schools;
}

std::string AlertKey(const v1::AlertEvent& e) {
  // A grade's source mismatch is apart from its over-registration. The
  // place above a county's alert is where its county lay when written (in
  // ListAlerts: now), so only a city's or province's own names it.
  const bool above = e.level() == v1::CITY || e.level() == v1::PROVINCE;
  return absl::StrCat(e.level(), "/", above ? e.province() : "", "/",
                      above ? e.city() : "", "/", e.district(),
                      "/", e.school(), "/", e.grade(), "/",
                      e.rule() == v1::SOURCE_MISMATCH ? "S" : "");
}
std::string AlertValue(const v1::AlertEvent& e) {
  return absl::StrCat(e.onsite_count(), "/", e.registry_count(), "/", e.ratio(), "/",
                      e.rule(), "/", e.self_check_onsite_count());
}

// The policy of both audits: every level, a low threshold so that the
// county, its city and province are over it, source mismatches on.
constexpr char kOverThreshold[] = "0.001";

std::map<std::string, std::string> OpenSet(v1::AuditService::Stub& stub) {
  v1::ListAlertsResponse response;
  EXPECT_TRUE(stub.ListAlerts(Context().get(), {}, &response).ok());
  std::map<std::string, std::string> open;
  for (const auto& a : response.alerts()) open[AlertKey(a)] = AlertValue(a);
  return open;
}

TEST(AuditCrashTest, KillNineWhileTheFeedStreams) {
  TempDir dir;
  auto ingest = ingest::IngestServer::Start(LoopbackIngestOptions(dir.Sub("ingest")));
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  const std::string ingest_address = (*ingest)->address();

  const std::vector<std::string> audit_args = {
      "--data_dir=" + dir.Sub("audit"), "--ingest=" + ingest_address,
      absl::StrCat("--over_threshold=", kOverThreshold),
      "--levels=grade,school,district,county,city,province",
      "--source_mismatch_alerts"};
  auto args_with = [&](const std::string& listen) {
    std::vector<std::string> args = audit_args;
    args.insert(args.begin(), "--listen=" + listen);
    return args;
  };
  auto started =
      ServiceProcess::Start("headcount-audit", args_with("127.0.0.1:0"), dir.Sub("audit"));
  ASSERT_TRUE(started.ok()) << started.status();
  std::unique_ptr<ServiceProcess> audit = *std::move(started);
  const std::string audit_address = audit->address();

  // The feed: the fixture in shuffled order, then random corrections and
  // retractions, self-checks, and moves of the county between two cities.
  std::atomic<bool> fed{false};
  std::atomic<int> retractions{0};
  std::atomic<int> self_checks{0};
  std::atomic<int> moves{0};
  std::thread feeder([&] {
    auto stub = v1::IngestService::NewStub(FastReconnectChannel(ingest_address));
    std::vector<v1::SubmitRequest> schools = FixtureSchools();
    std::mt19937 random(1103);
    std::shuffle(schools.begin(), schools.end(), random);
    auto submit = [&](const v1::SubmitRequest& request) {
      v1::SubmitResponse response;
      grpc::Status status = stub->Submit(Context().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
      absl::SleepFor(absl::Milliseconds(3));
    };
    auto retract = [&](const v1::SubmitRequest& school, std::vector<int> grades,
                       int i) {
      v1::RetractRequest request;
      request.set_submission_id(absl::StrCat("retraction-", i));
      request.set_term(school.term());
      request.set_county(school.county());
      request.set_district(school.district());
      request.set_school(school.school());
      for (int grade : grades) request.add_grades(grade);
      v1::RetractResponse response;
      grpc::Status status = stub->Retract(Context().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
      ++retractions;
      absl::SleepFor(absl::Milliseconds(3));
    };
    auto place = [&](const std::string& city, int i) {
      v1::PutRegionsRequest request;
      request.set_submission_id(absl::StrCat("regions-", i));
      v1::Region* region = request.add_regions();
      region->set_county("利辛县");
      region->set_city(city);
      region->set_province("安徽省");
      v1::PutRegionsResponse response;
      grpc::Status status = stub->PutRegions(Context().get(), request, &response);
      EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
      ++moves;
      absl::SleepFor(absl::Milliseconds(3));
    };
    place("亳州市", -1);
    for (const auto& school : schools) submit(school);
    // Corrections of one grade, and now and then a retraction of a grade
    // or of a whole school (a later correction brings the school back).
    std::vector<bool> removed(schools.size(), false);
    for (int i = 0; i < kCorrections; ++i) {
      const size_t k = random() % schools.size();
      v1::SubmitRequest& school = schools[k];
      const int action = static_cast<int>(random() % 10);
      if (action == 8) {
        // The district's self-check: the inspection's counts, some grades
        // claimed higher.
        v1::SubmitRequest self = school;
        self.set_source(v1::SELF_CHECK);
        self.set_submission_id(absl::StrCat("self-check-", i));
        for (auto& g : *self.mutable_grades()) {
          g.set_onsite_count(g.onsite_count() + static_cast<int64_t>(random() % 4));
        }
        submit(self);
        ++self_checks;
        continue;
      }
      if (action == 9) {
        place(i % 2 == 0 ? "阜阳市" : "亳州市", i);
        continue;
      }
      if (!removed[k] && action == 0) {
        retract(school, {}, i);
        removed[k] = true;
        continue;
      }
      if (!removed[k] && action == 1 && school.grades_size() > 1) {
        const int index = static_cast<int>(random() % school.grades_size());
        retract(school, {school.grades(index).grade()}, i);
        school.mutable_grades()->DeleteSubrange(index, 1);
        continue;
      }
      auto* grade = school.mutable_grades(random() % school.grades_size());
      const int64_t delta = static_cast<int64_t>(random() % 31) - 15;
      grade->set_onsite_count(std::max<int64_t>(0, grade->onsite_count() + delta));
      school.set_submission_id(absl::StrCat("correction-", i));
      submit(school);
      removed[k] = false;
    }
    fed = true;
  });

  std::mt19937 random(20151103);
  int kills = 0;
  while (!fed.load() || kills < kMinKills) {
    absl::SleepFor(absl::Milliseconds(30 + random() % 150));
    audit->Stop(SIGKILL);
    ++kills;
    auto restarted =
        ServiceProcess::Start("headcount-audit", args_with(audit_address), dir.Sub("audit"));
    ASSERT_TRUE(restarted.ok()) << "kill " << kills << ": " << restarted.status();
    audit = *std::move(restarted);
  }
  feeder.join();
  EXPECT_GE(retractions.load(), 20);
  EXPECT_GE(self_checks.load(), 10);
  EXPECT_GE(moves.load(), 10);

  auto stub = v1::AuditService::NewStub(FastReconnectChannel(audit_address));
  const int64_t target = (*ingest)->store()->revision();
  v1::GetCountyReportRequest request;
  request.set_term("2015-autumn");
  request.set_county("利辛县");
  v1::CountyReport report;
  const absl::Time converge_start = absl::Now();
  ASSERT_TRUE(WaitFor([&] {
    return stub->GetCountyReport(Context().get(), request, &report).ok() &&
           report.revision() == target;
  }, absl::Seconds(60)));
  const absl::Duration converge = absl::Now() - converge_start;

  // The recomputation: a fresh audit over the same feed.
  audit::AuditServer::Options fresh_options;
  fresh_options.listen = "127.0.0.1:0";
  fresh_options.store.data_dir = dir.Sub("fresh");
  fresh_options.follower.ingest_address = ingest_address;
  fresh_options.store.policy.over_ppm = 1'000;
  fresh_options.store.policy.levels = {v1::GRADE, v1::SCHOOL, v1::DISTRICT, v1::COUNTY,
                                       v1::CITY, v1::PROVINCE};
  fresh_options.store.policy.source_mismatch_alerts = true;
  auto fresh = audit::AuditServer::Start(fresh_options);
  ASSERT_TRUE(fresh.ok());
  auto fresh_stub = v1::AuditService::NewStub(FastReconnectChannel((*fresh)->address()));
  v1::CountyReport fresh_report;
  ASSERT_TRUE(WaitFor([&] {
    return fresh_stub->GetCountyReport(Context().get(), request, &fresh_report).ok() &&
           fresh_report.revision() == target;
  }, absl::Seconds(60)));
  // Freshness says what each audit knew of its feed, not what it counted.
  report.clear_freshness();
  fresh_report.clear_freshness();
  EXPECT_EQ(report.SerializeAsString(), fresh_report.SerializeAsString());

  v1::ListGradeDiscrepanciesRequest grades_request;
  grades_request.set_term("2015-autumn");
  grades_request.set_county("利辛县");
  v1::ListGradeDiscrepanciesResponse grades, fresh_grades;
  ASSERT_TRUE(stub->ListGradeDiscrepancies(Context().get(), grades_request, &grades).ok());
  ASSERT_TRUE(fresh_stub->ListGradeDiscrepancies(Context().get(), grades_request,
                                                 &fresh_grades).ok());
  ASSERT_TRUE(grades.next_page_token().empty());
  grades.clear_freshness();
  fresh_grades.clear_freshness();
  EXPECT_EQ(grades.SerializeAsString(), fresh_grades.SerializeAsString());
  const auto open = OpenSet(*stub);
  EXPECT_EQ(open, OpenSet(*fresh_stub));
  int above_county = 0, mismatches = 0;
  for (const auto& [key, value] : open) {
    above_county += key.rfind(absl::StrCat(v1::CITY, "/"), 0) == 0 ||
                    key.rfind(absl::StrCat(v1::PROVINCE, "/"), 0) == 0;
    mismatches += key.back() == 'S';
  }
  EXPECT_EQ(above_county, 2) << "the county's city and province are over 0.1%";
  EXPECT_GT(mismatches, 0);
  // The self-check compared, and the region table, as the fresh audit has them.
  v1::CompareSourcesRequest sources_request;
  sources_request.set_term("2015-autumn");
  sources_request.set_county("利辛县");
  v1::SourceComparison sources, fresh_sources;
  ASSERT_TRUE(stub->CompareSources(Context().get(), sources_request, &sources).ok());
  ASSERT_TRUE(
      fresh_stub->CompareSources(Context().get(), sources_request, &fresh_sources).ok());
  sources.clear_freshness();
  fresh_sources.clear_freshness();
  EXPECT_EQ(sources.SerializeAsString(), fresh_sources.SerializeAsString());
  EXPECT_GT(sources.grades_compared(), 0);
  v1::GetRegionReportRequest region_request;
  region_request.set_term("2015-autumn");
  region_request.set_province("安徽省");
  v1::RegionReport region, fresh_region;
  ASSERT_TRUE(stub->GetRegionReport(Context().get(), region_request, &region).ok());
  ASSERT_TRUE(
      fresh_stub->GetRegionReport(Context().get(), region_request, &fresh_region).ok());
  region.clear_freshness();
  fresh_region.clear_freshness();
  EXPECT_EQ(region.SerializeAsString(), fresh_region.SerializeAsString());
  EXPECT_EQ(region.total().onsite_count(), report.total().onsite_count());

  // Both against the ingest's own records, summed here: every district's
  // counts, and every school and grade there is (no more: retracted ones
  // are gone).
  std::map<std::string, std::pair<int64_t, int64_t>> district_sums;
  std::set<std::string> stored_grades, audited_grades;
  {
    auto ingest_stub = v1::IngestService::NewStub(FastReconnectChannel(ingest_address));
    v1::ListSchoolsRequest list;
    list.set_page_size(1000);
    v1::ListSchoolsResponse page;
    ASSERT_TRUE(ingest_stub->ListSchools(Context().get(), list, &page).ok());
    ASSERT_TRUE(page.next_page_token().empty());
    for (const auto& school : page.schools()) {
      if (school.source() != v1::INSPECTION) continue;  // compared, not summed
      for (const auto& g : school.grades()) {
        district_sums[school.district()].first += g.onsite_count();
        district_sums[school.district()].second += g.registry_count();
        stored_grades.insert(absl::StrCat(school.district(), "/", school.school(), "/",
                                          g.grade(), "/", g.onsite_count(), "/",
                                          g.registry_count()));
      }
    }
  }
  std::map<std::string, std::pair<int64_t, int64_t>> reported;
  for (const auto& row : report.rows()) {
    reported[row.name()] = {row.onsite_count(), row.registry_count()};
  }
  EXPECT_EQ(reported, district_sums);
  for (const auto& g : grades.grades()) {
    audited_grades.insert(absl::StrCat(g.district(), "/", g.school(), "/", g.grade(), "/",
                                       g.onsite_count(), "/", g.registry_count()));
  }
  EXPECT_EQ(audited_grades, stored_grades);

  // The persisted alert stream: ids 1..N once each, replaying to `open`.
  v1::ListAlertsResponse head;
  ASSERT_TRUE(stub->ListAlerts(Context().get(), {}, &head).ok());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
  auto reader = stub->WatchAlerts(&context, v1::WatchAlertsRequest());
  std::map<std::string, std::string> replayed;
  v1::AlertEvent event;
  int64_t expected_id = 1;
  int bad_transitions = 0;
  while (expected_id <= head.last_alert_id() && reader->Read(&event)) {
    EXPECT_EQ(event.alert_id(), expected_id) << "missing or repeated alert_id";
    expected_id = event.alert_id() + 1;
    const std::string key = AlertKey(event);
    const bool was_open = replayed.count(key) > 0;
    if ((event.state() == v1::AlertEvent::RAISED && was_open) ||
        (event.state() != v1::AlertEvent::RAISED && !was_open)) {
      ++bad_transitions;
    }
    if (event.state() == v1::AlertEvent::CLEARED) {
      replayed.erase(key);
    } else {
      replayed[key] = AlertValue(event);
    }
  }
  context.TryCancel();
  reader->Finish();
  EXPECT_EQ(expected_id, head.last_alert_id() + 1);
  EXPECT_EQ(bad_transitions, 0);
  EXPECT_EQ(replayed, open);
  std::printf("[ figures ] %d kill -9 of the audit over %lld revisions; caught up "
              "%s after the last restart; %lld alert events checked, %zu open\n",
              kills, static_cast<long long>(target),
              absl::FormatDuration(converge).c_str(),
              static_cast<long long>(head.last_alert_id()), open.size());
}

}  // namespace
}  // namespace headcount::testing
