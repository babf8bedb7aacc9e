// Both services on loopback, port 0, driven through their generated stubs:
// the notice's findings from its fixture, corrections, restarts, alert
// streams.
#include "audit_service/audit_server.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/spreadsheet/csv_import.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::GrpcOk;
using ::headcount::testing::HasCode;
using ::headcount::testing::LoopbackIngestOptions;
using ::headcount::testing::WaitFor;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;

constexpr char kTerm[] = "2015-autumn";
constexpr char kCounty[] = "利辛县";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::vector<std::string>> ReadTsv(const std::string& name) {
  std::vector<std::vector<std::string>> rows;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(testing::FixturePath(name)), '\n',
                      absl::SkipEmpty())) {
    rows.push_back(absl::StrSplit(line, '\t'));
  }
  return rows;
}

std::vector<v1::SubmitRequest> FixtureSchools() {
  auto imported = ParseHeadcountCsv(
      ReadFile(testing::FixturePath("headcounts.csv")));
  EXPECT_TRUE(imported.ok()) << imported.status();
  return imported->schools;
}

// The open alerts as what they say: place, counts and rule, sorted.
std::vector<std::string> OpenAlertFacts(AuditStore& store) {
  auto alerts = store.ListAlerts({});
  EXPECT_TRUE(alerts.ok()) << alerts.status();
  std::vector<std::string> facts;
  if (!alerts.ok()) return facts;
  for (const v1::AlertEvent& a : alerts->alerts()) {
    facts.push_back(absl::StrCat(a.level(), "|", a.term(), "|", a.county(), "|",
                                 a.district(), "|", a.school(), "|", a.grade(), "|",
                                 a.onsite_count(), "|", a.registry_count(), "|",
                                 a.ratio(), "|", a.rule()));
  }
  std::sort(facts.begin(), facts.end());
  return facts;
}

class AuditServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartIngest();
    StartAudit();
  }

  void StartIngest() {
    // A restart listens on the address of the first start.
    ingest::IngestServer::Options options =
        LoopbackIngestOptions(dir_.Sub("ingest"));
    if (!ingest_address_.empty()) options.listen = ingest_address_;
    auto server = ingest::IngestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    ingest_ = *std::move(server);
    ingest_address_ = ingest_->address();
    ingest_stub_ = v1::IngestService::NewStub(
        grpc::CreateChannel(ingest_address_, grpc::InsecureChannelCredentials()));
  }

  void StartAudit(ThresholdPolicy policy = ThresholdPolicy()) {
    AuditServer::Options options;
    options.listen = "127.0.0.1:0";
    options.store.data_dir = dir_.Sub("audit");
    options.store.policy = policy;
    options.store.clock = &clock_;
    options.clock = &clock_;
    options.follower.ingest_address = ingest_address_;
    options.follower.min_backoff = absl::Milliseconds(20);
    options.follower.max_backoff = absl::Milliseconds(200);
    options.follower.progress_interval = absl::Milliseconds(100);
    options.shutdown_grace = absl::Seconds(2);
    auto server = AuditServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    audit_ = *std::move(server);
    audit_stub_ = v1::AuditService::NewStub(grpc::CreateChannel(
        audit_->address(), grpc::InsecureChannelCredentials()));
  }

  void LoadBatch(const std::vector<v1::SubmitRequest>& rows) {
    v1::ImportSummary summary;
    auto context = Context();
    auto writer = ingest_stub_->SubmitBatch(context.get(), &summary);
    for (const auto& row : rows) ASSERT_TRUE(writer->Write(row));
    writer->WritesDone();
    ASSERT_THAT(writer->Finish(), GrpcOk());
  }

  void Submit(const v1::SubmitRequest& request) {
    v1::SubmitResponse response;
    ASSERT_THAT(ingest_stub_->Submit(Context().get(), request, &response),
                GrpcOk());
  }

  // Waits until the audit has applied everything the ingest committed.
  void Converge() {
    ASSERT_TRUE(WaitFor([&] {
      return audit_->store()->applied_revision() ==
             ingest_->store()->revision();
    })) << audit_->store()->applied_revision() << " vs "
        << ingest_->store()->revision();
  }

  v1::CountyReport CountyReport() {
    v1::GetCountyReportRequest request;
    request.set_term(kTerm);
    request.set_county(kCounty);
    v1::CountyReport report;
    EXPECT_THAT(audit_stub_->GetCountyReport(Context().get(), request, &report),
                GrpcOk());
    return report;
  }

  std::vector<v1::AlertEvent> OpenAlerts(v1::Level level) {
    v1::ListAlertsRequest request;
    request.mutable_filter()->set_level(level);
    v1::ListAlertsResponse response;
    EXPECT_THAT(audit_stub_->ListAlerts(Context().get(), request, &response),
                GrpcOk());
    return {response.alerts().begin(), response.alerts().end()};
  }

  // Every alert event after `after_id`, read through WatchAlerts until
  // `count` arrived.
  std::vector<v1::AlertEvent> WatchAlerts(int64_t after_id, size_t count,
                                          const v1::AlertFilter& filter = {}) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::WatchAlertsRequest request;
    request.set_after_alert_id(after_id);
    *request.mutable_filter() = filter;
    auto reader = audit_stub_->WatchAlerts(&context, request);
    std::vector<v1::AlertEvent> events;
    v1::AlertEvent event;
    while (events.size() < count && reader->Read(&event)) events.push_back(event);
    context.TryCancel();
    reader->Finish();
    return events;
  }

  void ExpectTheNoticesFindings() {
    // Attachment 1, row by row.
    v1::CountyReport report = CountyReport();
    auto expected = ReadTsv("expected_districts.tsv");
    ASSERT_EQ(report.rows_size() + 2, static_cast<int>(expected.size()));
    for (int i = 0; i < report.rows_size(); ++i) {
      const auto& want = expected[i + 1];
      const v1::ReportRow& row = report.rows(i);
      EXPECT_EQ(absl::StrCat(row.row_number()), want[0]);
      EXPECT_EQ(row.name(), want[1]);
      EXPECT_EQ(absl::StrCat(row.onsite_count()), want[2]) << want[1];
      EXPECT_EQ(absl::StrCat(row.registry_count()), want[3]) << want[1];
      EXPECT_EQ(absl::StrCat(row.difference()), want[4]) << want[1];
      EXPECT_EQ(row.ratio(), want[5]) << want[1];
    }
    const auto& total = expected.back();
    EXPECT_EQ(total[0], "合计");
    EXPECT_EQ(absl::StrCat(report.total().onsite_count()), total[2]);
    EXPECT_EQ(absl::StrCat(report.total().registry_count()), total[3]);
    EXPECT_EQ(absl::StrCat(report.total().difference()), total[4]);
    EXPECT_EQ(report.total().ratio(), total[5]);
    EXPECT_EQ(report.total().onsite_count(), 60135);
    EXPECT_EQ(report.total().registry_count(), 60216);

    std::vector<std::string> districts;
    for (const auto& a : OpenAlerts(v1::DISTRICT)) districts.push_back(a.district());
    EXPECT_THAT(districts, UnorderedElementsAreArray(
                               {"永兴", "旧城", "纪王场", "程家集"}));
    std::vector<std::string> grades, want_grades;
    for (const auto& a : OpenAlerts(v1::GRADE)) {
      grades.push_back(absl::StrCat(a.district(), "\t", a.school(), "\t",
                                    a.grade(), "\t", a.onsite_count(), "\t",
                                    a.registry_count(), "\t", a.difference(),
                                    "\t", a.ratio()));
    }
    auto expected_grades = ReadTsv("expected_grade_alerts.tsv");
    for (size_t i = 1; i < expected_grades.size(); ++i) {
      want_grades.push_back(absl::StrJoin(expected_grades[i], "\t"));
    }
    EXPECT_THAT(want_grades, SizeIs(19));
    EXPECT_THAT(grades, UnorderedElementsAreArray(want_grades));
    EXPECT_THAT(OpenAlerts(v1::COUNTY), SizeIs(0));  // 0.13% overall
  }

  headcount::testing::TempDir dir_;
  std::string ingest_address_;
  headcount::testing::SimulatedClock clock_;  // alert times
  std::unique_ptr<ingest::IngestServer> ingest_;
  std::unique_ptr<AuditServer> audit_;
  std::unique_ptr<v1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<v1::AuditService::Stub> audit_stub_;
};

TEST_F(AuditServerTest, GoldenOneBatchReproducesTheNotice) {
  LoadBatch(FixtureSchools());
  Converge();
  ExpectTheNoticesFindings();
  EXPECT_EQ(CountyReport().revision(), 1);
  v1::ListCountiesRequest counties_request;
  counties_request.set_term(kTerm);
  v1::ListCountiesResponse counties;
  ASSERT_THAT(audit_stub_->ListCounties(Context().get(), counties_request,
                                        &counties),
              GrpcOk());
  EXPECT_THAT(counties.counties(), ElementsAreArray({kCounty}));

  // 盛黄小学 grade 6 (54 on site, 82 registered) corrected to its registry.
  v1::ListAlertsResponse before;
  ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), {}, &before), GrpcOk());
  v1::SubmitRequest school;
  for (const auto& s : FixtureSchools()) {
    if (s.school() == "盛黄小学") school = s;
  }
  for (auto& g : *school.mutable_grades()) {
    if (g.grade() == 6) g.set_onsite_count(g.registry_count());
  }
  school.set_submission_id("correction-盛黄小学-6");
  Submit(school);
  Converge();
  std::vector<v1::AlertEvent> events =
      WatchAlerts(before.last_alert_id(), 1);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].state(), v1::AlertEvent::CLEARED);
  EXPECT_EQ(events[0].level(), v1::GRADE);
  EXPECT_EQ(events[0].school(), "盛黄小学");
  EXPECT_EQ(events[0].grade(), 6);
  EXPECT_EQ(events[0].revision(), 2);
  EXPECT_EQ(events[0].difference(), 0);
  // 旧城 drops to 21 of 1426 = 1.5%: its district alert clears too.
  v1::CountyReport report = CountyReport();
  EXPECT_EQ(report.total().onsite_count(), 60135 + 28);
  for (const auto& row : report.rows()) {
    if (row.name() == "旧城") {
      EXPECT_EQ(row.onsite_count(), 1377 + 28);
      EXPECT_EQ(row.difference(), 49 - 28);
      EXPECT_EQ(row.ratio(), "0.015");
      EXPECT_FALSE(row.over_threshold());
    }
  }
  std::vector<std::string> districts;
  for (const auto& a : OpenAlerts(v1::DISTRICT)) districts.push_back(a.district());
  EXPECT_THAT(districts, UnorderedElementsAreArray({"永兴", "纪王场", "程家集"}));
  EXPECT_THAT(OpenAlerts(v1::GRADE), SizeIs(18));
}

TEST_F(AuditServerTest, GoldenShuffledSingleSubmissionsReproduceTheNotice) {
  std::vector<v1::SubmitRequest> schools = FixtureSchools();
  std::mt19937 random(20151103);
  std::shuffle(schools.begin(), schools.end(), random);
  for (const auto& school : schools) Submit(school);
  Converge();
  EXPECT_EQ(audit_->store()->applied_revision(), 109);
  ExpectTheNoticesFindings();
}

TEST_F(AuditServerTest, DistrictReportAndGradeListing) {
  LoadBatch(FixtureSchools());
  Converge();
  v1::GetDistrictReportRequest request;
  request.set_term(kTerm);
  request.set_county(kCounty);
  request.set_district("纪王场");
  v1::DistrictReport report;
  ASSERT_THAT(audit_stub_->GetDistrictReport(Context().get(), request, &report),
              GrpcOk());
  EXPECT_EQ(report.total().onsite_count(), 1450);
  EXPECT_EQ(report.total().registry_count(), 1500);
  EXPECT_EQ(report.total().ratio(), "0.033");
  int64_t onsite = 0;
  for (const auto& row : report.rows()) onsite += row.onsite_count();
  EXPECT_EQ(onsite, 1450);

  v1::ListGradeDiscrepanciesRequest grades;
  grades.set_term(kTerm);
  grades.set_county(kCounty);
  grades.set_only_flagged(true);
  v1::ListGradeDiscrepanciesResponse flagged;
  ASSERT_THAT(audit_stub_->ListGradeDiscrepancies(Context().get(), grades, &flagged),
              GrpcOk());
  EXPECT_THAT(flagged.grades(), SizeIs(19));
  grades.set_only_flagged(false);
  grades.set_district("纪王场");
  v1::ListGradeDiscrepanciesResponse all;
  ASSERT_THAT(audit_stub_->ListGradeDiscrepancies(Context().get(), grades, &all),
              GrpcOk());
  int over = 0;
  for (const auto& g : all.grades()) over += g.over_threshold();
  EXPECT_EQ(over, 4);  // the notice names four grades of 纪王场
  EXPECT_GT(all.grades_size(), over);

  request.set_district("没有");
  EXPECT_THAT(audit_stub_->GetDistrictReport(Context().get(), request, &report),
              HasCode(grpc::StatusCode::NOT_FOUND));
  request.set_term("2015");
  EXPECT_THAT(audit_stub_->GetDistrictReport(Context().get(), request, &report),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
}

TEST_F(AuditServerTest, AuditRestartResumesWithoutDoubleCounting) {
  std::vector<v1::SubmitRequest> schools = FixtureSchools();
  std::vector<v1::SubmitRequest> first(schools.begin(), schools.begin() + 50);
  std::vector<v1::SubmitRequest> rest(schools.begin() + 50, schools.end());
  LoadBatch(first);
  Converge();
  const int64_t alerts_before = audit_->store()->last_alert_id();
  audit_->Shutdown();
  audit_.reset();
  LoadBatch(rest);
  // A correction while the audit is down: replaces, never adds.
  v1::SubmitRequest corrected = schools[0];
  corrected.mutable_grades(0)->set_onsite_count(
      corrected.grades(0).onsite_count() + 3);
  corrected.set_submission_id("late-correction");
  Submit(corrected);
  // And one of a grade that stays over 2% (双龙中学 grade 9, 53 of 72 -> 54
  // of 72): its open alert must be UPDATED to the new counts.
  for (const v1::SubmitRequest& school : schools) {
    if (school.school() != "双龙中学") continue;
    v1::SubmitRequest still_over = school;
    for (v1::GradeCount& g : *still_over.mutable_grades()) {
      if (g.grade() == 9) g.set_onsite_count(g.onsite_count() + 1);
    }
    still_over.set_submission_id("late-still-over");
    Submit(still_over);
  }
  StartAudit();
  Converge();
  EXPECT_GE(audit_->store()->last_alert_id(), alerts_before);
  v1::CountyReport report = CountyReport();
  EXPECT_EQ(report.total().onsite_count(), 60135 + 3 + 1);
  EXPECT_EQ(report.total().registry_count(), 60216);

  // Equal to a recomputation from scratch by a second audit.
  AuditServer::Options options;
  options.listen = "127.0.0.1:0";
  options.store.data_dir = dir_.Sub("audit-fresh");
  options.follower.ingest_address = ingest_address_;
  options.follower.progress_interval = absl::Milliseconds(100);
  auto fresh = AuditServer::Start(options);
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(WaitFor([&] {
    return (*fresh)->store()->applied_revision() == ingest_->store()->revision();
  }));
  auto fresh_report = (*fresh)->store()->GetCountyReport(kTerm, kCounty);
  ASSERT_TRUE(fresh_report.ok());
  EXPECT_EQ(fresh_report->SerializeAsString(), report.SerializeAsString());
  // The same open alerts, with the same counts (ids, states, times and
  // revisions differ: the fresh audit raised all of them at once).
  EXPECT_EQ(OpenAlertFacts(*(*fresh)->store()), OpenAlertFacts(*audit_->store()));
  EXPECT_THAT(OpenAlertFacts(*audit_->store()), Not(IsEmpty()));
  // Its grade alerts are exactly the grades the ingest holds over 2%,
  // computed here from the ingest's records.
  std::vector<std::string> expected;
  v1::ListSchoolsRequest list;
  list.set_page_size(1000);
  auto page = ingest_->store()->ListSchools(list);
  ASSERT_TRUE(page.ok());
  ASSERT_TRUE(page->next_page_token().empty());
  for (const v1::SchoolRecord& school : page->schools()) {
    for (const v1::GradeCount& g : school.grades()) {
      const Counts counts{g.onsite_count(), g.registry_count()};
      if (ThresholdPolicy().Evaluate(counts) == v1::RULE_UNSPECIFIED) continue;
      expected.push_back(absl::StrCat(v1::GRADE, "|", school.term(), "|",
                                      school.county(), "|", school.district(),
                                      "|", school.school(), "|", g.grade(), "|",
                                      counts.onsite_count, "|",
                                      counts.registry_count, "|",
                                      FormatRatio(counts), "|",
                                      v1::OVER_REGISTRATION));
    }
  }
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> grade_facts;
  for (const std::string& fact : OpenAlertFacts(*audit_->store())) {
    if (absl::StartsWith(fact, absl::StrCat(v1::GRADE, "|"))) {
      grade_facts.push_back(fact);
    }
  }
  EXPECT_EQ(grade_facts, expected);
  // And the same per-grade and per-school figures.
  v1::ListGradeDiscrepanciesRequest grades;
  grades.set_term(kTerm);
  grades.set_county(kCounty);
  auto fresh_grades = (*fresh)->store()->ListGradeDiscrepancies(grades);
  auto our_grades = audit_->store()->ListGradeDiscrepancies(grades);
  ASSERT_TRUE(fresh_grades.ok() && our_grades.ok());
  EXPECT_EQ(fresh_grades->SerializeAsString(), our_grades->SerializeAsString());
  for (const v1::ReportRow& row : report.rows()) {
    auto fresh_district = (*fresh)->store()->GetDistrictReport(kTerm, kCounty, row.name());
    auto our_district = audit_->store()->GetDistrictReport(kTerm, kCounty, row.name());
    ASSERT_TRUE(fresh_district.ok() && our_district.ok());
    EXPECT_EQ(fresh_district->SerializeAsString(), our_district->SerializeAsString())
        << row.name();
  }
}

TEST_F(AuditServerTest, FollowsAcrossAnIngestRestart) {
  std::vector<v1::SubmitRequest> schools = FixtureSchools();
  LoadBatch({schools.begin(), schools.begin() + 10});
  Converge();
  ingest_->Shutdown();
  ingest_.reset();
  StartIngest();  // same address and data
  LoadBatch({schools.begin() + 10, schools.end()});
  Converge();
  EXPECT_GE(audit_->follower().connections(), 2);
  ExpectTheNoticesFindings();
}

TEST_F(AuditServerTest, RebuildsFromListWhenHistoryWasCompacted) {
  std::vector<v1::SubmitRequest> schools = FixtureSchools();
  LoadBatch({schools.begin(), schools.begin() + 5});
  Converge();
  audit_->Shutdown();
  audit_.reset();
  for (auto it = schools.begin() + 5; it != schools.end(); ++it) Submit(*it);
  v1::CompactRequest compact;
  compact.set_revision(ingest_->store()->revision());
  v1::CompactResponse compacted;
  ASSERT_THAT(ingest_stub_->Compact(Context().get(), compact, &compacted), GrpcOk());
  StartAudit();
  Converge();
  ExpectTheNoticesFindings();
}

TEST_F(AuditServerTest, WatchAlertsResumesAndFilters) {
  LoadBatch(FixtureSchools());
  Converge();
  const int64_t last = audit_->store()->last_alert_id();
  // 19 grades, 4 districts, and whatever schools the grades pushed over.
  std::vector<v1::AlertEvent> all = WatchAlerts(0, last);
  ASSERT_THAT(all, SizeIs(last));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].alert_id(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(all[i].state(), v1::AlertEvent::RAISED);
  }
  // Resume from the middle.
  std::vector<v1::AlertEvent> tail = WatchAlerts(last - 3, 3);
  ASSERT_THAT(tail, SizeIs(3));
  EXPECT_EQ(tail[0].alert_id(), last - 2);
  // Filters.
  v1::AlertFilter filter;
  filter.set_term(kTerm);
  filter.set_county(kCounty);
  filter.set_district("纪王场");
  filter.set_level(v1::GRADE);
  std::vector<v1::AlertEvent> jiwang = WatchAlerts(0, 4, filter);
  ASSERT_THAT(jiwang, SizeIs(4));
  for (const auto& e : jiwang) {
    EXPECT_EQ(e.district(), "纪王场");
    EXPECT_EQ(e.level(), v1::GRADE);
  }
  // Live: a new over-registered school arrives after the stream opened.
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::WatchAlertsRequest request;
  request.set_after_alert_id(last);
  auto reader = audit_stub_->WatchAlerts(&context, request);
  Submit(headcount::testing::School("城北", "新学校", {{10, 20}}));
  v1::AlertEvent live;
  ASSERT_TRUE(reader->Read(&live));
  EXPECT_EQ(live.alert_id(), last + 1);
  EXPECT_EQ(live.school(), "新学校");
  EXPECT_EQ(live.ratio(), "0.500");
  context.TryCancel();
  reader->Finish();

  // Bad filters are named.
  v1::WatchAlertsRequest bad;
  bad.mutable_filter()->set_district("城北");
  grpc::ClientContext bad_context;
  bad_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  auto bad_reader = audit_stub_->WatchAlerts(&bad_context, bad);
  v1::AlertEvent ignored;
  EXPECT_FALSE(bad_reader->Read(&ignored));
  grpc::Status status = bad_reader->Finish();
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("filter.district"));
}

TEST_F(AuditServerTest, AlertEventsSurviveAnAuditRestart) {
  LoadBatch(FixtureSchools());
  Converge();
  const int64_t last = audit_->store()->last_alert_id();
  audit_->Shutdown();
  audit_.reset();
  StartAudit();
  Converge();
  EXPECT_EQ(audit_->store()->last_alert_id(), last);  // nothing re-raised
  EXPECT_THAT(WatchAlerts(0, last), SizeIs(last));
}

TEST_F(AuditServerTest, PolicyFlagsChangeWhatIsFlagged) {
  audit_->Shutdown();
  audit_.reset();
  ThresholdPolicy policy;
  policy.over_ppm = 30'000;                      // 3%
  policy.levels = {v1::DISTRICT};
  StartAudit(policy);
  LoadBatch(FixtureSchools());
  Converge();
  std::vector<std::string> districts;
  for (const auto& a : OpenAlerts(v1::LEVEL_UNSPECIFIED)) {
    EXPECT_EQ(a.level(), v1::DISTRICT);
    districts.push_back(a.district());
  }
  // 永兴 3.6%, 旧城 3.4%, 纪王场 3.3%; 程家集 2.1% no longer.
  EXPECT_THAT(districts, UnorderedElementsAreArray({"永兴", "旧城", "纪王场"}));
}

TEST_F(AuditServerTest, UnderRegistrationRuleWhenEnabled) {
  audit_->Shutdown();
  audit_.reset();
  ThresholdPolicy policy;
  policy.under_ppm = 20'000;
  policy.levels = {v1::DISTRICT};
  StartAudit(policy);
  LoadBatch(FixtureSchools());
  Converge();
  std::vector<std::string> under;
  for (const auto& a : OpenAlerts(v1::DISTRICT)) {
    if (a.rule() == v1::UNDER_REGISTRATION) under.push_back(a.district());
  }
  // 巩店 -3.2%, 孙庙 -2.9%; 王市 (-1.99%) is within 2%.
  EXPECT_THAT(under, UnorderedElementsAreArray({"巩店", "孙庙"}));
}

TEST_F(AuditServerTest, InvalidUtf8InARequestIsNamed) {
  v1::GetCountyReportRequest request;
  request.set_term(kTerm);
  request.set_county("\xe5\x88");
  v1::CountyReport report;
  grpc::Status status =
      audit_stub_->GetCountyReport(Context().get(), request, &report);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(),
              ::testing::HasSubstr("county: must be valid UTF-8"));
}

TEST_F(AuditServerTest, HealthServesOnlyOnceCaughtUp) {
  LoadBatch(FixtureSchools());
  // A fresh audit while the ingest is listening but its store is not open:
  // the audit cannot learn the ingest's revision, so it must not serve.
  audit_->Shutdown();
  audit_.reset();
  ingest_->Shutdown();
  ingest_.reset();
  ingest::IngestServer::Options options = LoopbackIngestOptions(dir_.Sub("ingest"));
  options.listen = ingest_address_;
  auto closed = ingest::IngestServer::StartListening(options);
  ASSERT_TRUE(closed.ok()) << closed.status();
  ingest_ = *std::move(closed);
  std::filesystem::remove_all(dir_.Sub("audit"));
  StartAudit();
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      audit_->address(), grpc::InsecureChannelCredentials()));
  auto status_now = [&] {
    grpc::health::v1::HealthCheckRequest request;
    grpc::health::v1::HealthCheckResponse response;
    EXPECT_TRUE(health->Check(Context().get(), request, &response).ok());
    return response.status();
  };
  // Several follower retries (20..200 ms backoff) without catching up.
  ASSERT_TRUE(WaitFor([&] { return audit_->follower().connections() >= 3; }));
  EXPECT_EQ(status_now(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(audit_->follower().caught_up());

  ASSERT_TRUE(ingest_->OpenStore().ok());
  ASSERT_TRUE(WaitFor([&] {
    return status_now() == grpc::health::v1::HealthCheckResponse::SERVING;
  }));
  // SERVING means everything the ingest had is applied.
  EXPECT_TRUE(audit_->follower().caught_up());
  EXPECT_EQ(audit_->store()->applied_revision(), ingest_->store()->revision());
}

TEST_F(AuditServerTest, AlertEventsCarryTheClocksTime) {
  LoadBatch(FixtureSchools());
  Converge();
  const int64_t last = audit_->store()->last_alert_id();
  const absl::Time start = clock_.Now();
  for (const v1::AlertEvent& event : WatchAlerts(0, last)) {
    EXPECT_EQ(absl::FromUnixSeconds(event.time().seconds()), start);
  }
  clock_.Advance(absl::Hours(26));  // a correction two days later
  for (const v1::SubmitRequest& school : FixtureSchools()) {
    if (school.school() != "双龙中学") continue;
    v1::SubmitRequest corrected = school;
    for (v1::GradeCount& g : *corrected.mutable_grades()) {
      if (g.grade() == 9) g.set_onsite_count(g.registry_count());
    }
    corrected.set_submission_id("corrected");
    Submit(corrected);
  }
  Converge();
  std::vector<v1::AlertEvent> later =
      WatchAlerts(last, audit_->store()->last_alert_id() - last);
  ASSERT_THAT(later, Not(IsEmpty()));
  for (const v1::AlertEvent& event : later) {
    EXPECT_EQ(absl::FromUnixSeconds(event.time().seconds()),
              start + absl::Hours(26));
  }
}

}  // namespace
}  // namespace headcount::audit
