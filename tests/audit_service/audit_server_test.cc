// Both services on loopback, port 0, driven through their generated stubs:
// the notice's findings from its fixture, the per-school and per-grade
// reports, readiness.
#include <map>
#include <set>

#include <algorithm>
#include <filesystem>
#include <random>

#include "google/protobuf/util/time_util.h"
#include "tests/audit_service/audit_server_fixture.h"

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


TEST_F(AuditServerTest, GoldenOneBatchReproducesTheNotice) {
  LoadBatch(FixtureSchools());
  Converge();
  ExpectTheNoticesFindings();
  EXPECT_EQ(CountyReport().revision(), 1);
  v1::ListCountiesRequest counties_request;
  counties_request.set_term(kTerm);
  v1::ListCountiesResponse counties;
  ASSERT_THAT(
      audit_stub_->ListCounties(Context().get(), counties_request, &counties),
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
  std::vector<v1::AlertEvent> events = WatchAlerts(before.last_alert_id(), 1);
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
  for (const auto& a : OpenAlerts(v1::DISTRICT))
    districts.push_back(a.district());
  EXPECT_THAT(districts,
              UnorderedElementsAreArray({"永兴", "纪王场", "程家集"}));
  EXPECT_THAT(OpenAlerts(v1::GRADE), SizeIs(18));
}

// Retractions undo what was submitted in error, exactly once: a misspelt
// district (a 28th row, its alert) and an extra grade of a real school go,
// and the notice's findings are back, row for row.
TEST_F(AuditServerTest, RetractionsUndoATypoAndAnExtraGrade) {
  LoadBatch(FixtureSchools());
  Converge();
  v1::ListAlertsResponse before;
  ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), {}, &before), GrpcOk());
  const std::vector<std::string> open_before = OpenAlertFacts(*audit_->store());
  v1::SubmitRequest typo = ::headcount::testing::School(
      "纪王厂", "纪王场中心校", {{40, 50}}, "typo");
  Submit(typo);
  v1::SubmitRequest extra;
  for (const auto& s : FixtureSchools()) {
    if (s.school() == "双龙中学") extra = s;
  }
  extra.set_submission_id("extra-grade");
  extra.clear_grades();
  v1::GradeCount* grade = extra.add_grades();
  grade->set_grade(10);
  grade->set_onsite_count(1);
  grade->set_registry_count(90);
  Submit(extra);
  Converge();
  EXPECT_EQ(CountyReport().rows_size(), 28);
  std::vector<std::string> districts;
  for (const auto& a : OpenAlerts(v1::DISTRICT)) {
    districts.push_back(a.district());
  }
  EXPECT_THAT(districts, ::testing::Contains("纪王厂"));

  auto retract = [&](const std::string& district, const std::string& school,
                     std::vector<int> grades, const std::string& id) {
    v1::RetractRequest request;
    request.set_submission_id(id);
    request.set_term(kTerm);
    request.set_county(kCounty);
    request.set_district(district);
    request.set_school(school);
    for (int g : grades) request.add_grades(g);
    v1::RetractResponse response;
    EXPECT_THAT(ingest_stub_->Retract(Context().get(), request, &response),
                GrpcOk());
    return response;
  };
  v1::RetractResponse gone = retract("纪王厂", "纪王场中心校", {}, "undo-typo");
  EXPECT_TRUE(gone.school_removed());
  EXPECT_THAT(gone.grades_removed(), ElementsAreArray({1}));
  v1::RetractResponse trimmed = retract("永兴", "双龙中学", {10}, "undo-extra");
  EXPECT_FALSE(trimmed.school_removed());
  EXPECT_THAT(trimmed.school().grades(), SizeIs(3));
  Converge();
  ExpectTheNoticesFindings();  // 27 rows, the 4 districts, 19 grades

  // The alerts the mistakes raised were cleared, each once; those they
  // changed are back as they were.
  EXPECT_EQ(OpenAlertFacts(*audit_->store()), open_before);
  const int64_t after_id = audit_->store()->last_alert_id();
  std::vector<v1::AlertEvent> events =
      WatchAlerts(before.last_alert_id(), after_id - before.last_alert_id());
  std::map<std::string, std::vector<std::string>> states;
  for (const v1::AlertEvent& e : events) {
    states[absl::StrCat(v1::Level_Name(e.level()), " ", e.district(), " ",
                        e.school(), " ", e.grade())]
        .push_back(v1::AlertEvent::State_Name(e.state()));
  }
  EXPECT_THAT(states["DISTRICT 纪王厂  0"],
              ElementsAreArray({"RAISED", "CLEARED"}));
  EXPECT_THAT(states["GRADE 纪王厂 纪王场中心校 1"],
              ElementsAreArray({"RAISED", "CLEARED"}));
  EXPECT_THAT(states["GRADE 永兴 双龙中学 10"],
              ElementsAreArray({"RAISED", "CLEARED"}));
  EXPECT_EQ(ingest_->store()->revision(), 5);
  v1::GetDistrictReportRequest district;
  district.set_term(kTerm);
  district.set_county(kCounty);
  district.set_district("纪王厂");
  v1::DistrictReport report;
  EXPECT_EQ(audit_stub_->GetDistrictReport(Context().get(), district, &report)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// Schools whose counts changed after a given time (the end of the
// inspection): each listed once with how often and when, in pinyin order.
TEST_F(AuditServerTest, CountyReportListsSchoolsCorrectedAfterATime) {
  LoadBatch(FixtureSchools());
  Converge();
  absl::SleepFor(absl::Milliseconds(20));
  const absl::Time inspection_end = absl::Now();
  absl::SleepFor(absl::Milliseconds(20));
  v1::SubmitRequest shuanglong, shenghuang;
  for (const auto& s : FixtureSchools()) {
    if (s.school() == "双龙中学") shuanglong = s;
    if (s.school() == "盛黄小学") shenghuang = s;
  }
  for (int i = 0; i < 2; ++i) {
    shuanglong.mutable_grades(2)->set_onsite_count(60 + i);
    shuanglong.set_submission_id(absl::StrCat("fix-", i));
    Submit(shuanglong);
  }
  v1::RetractRequest retract;
  retract.set_submission_id("drop-6");
  retract.set_term(kTerm);
  retract.set_county(kCounty);
  retract.set_district("旧城");
  retract.set_school("盛黄小学");
  retract.add_grades(6);
  v1::RetractResponse retracted;
  ASSERT_THAT(ingest_stub_->Retract(Context().get(), retract, &retracted),
              GrpcOk());
  Converge();

  v1::GetCountyReportRequest request;
  request.set_term(kTerm);
  request.set_county(kCounty);
  *request.mutable_corrected_after() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(inspection_end));
  v1::CountyReport report;
  ASSERT_THAT(audit_stub_->GetCountyReport(Context().get(), request, &report),
              GrpcOk());
  ASSERT_THAT(report.late_corrections(), SizeIs(2));
  const v1::LateCorrection& jiucheng = report.late_corrections(0);  // jiù
  EXPECT_EQ(jiucheng.district(), "旧城");
  EXPECT_EQ(jiucheng.school(), "盛黄小学");
  EXPECT_EQ(jiucheng.corrections(), 1);
  const v1::LateCorrection& yongxing = report.late_corrections(1);  // yǒng
  EXPECT_EQ(yongxing.school(), "双龙中学");
  EXPECT_EQ(yongxing.corrections(), 2);
  EXPECT_EQ(yongxing.onsite_count(), 28 + 34 + 61);
  EXPECT_LT(yongxing.first_submitted_at().seconds(),
            yongxing.last_corrected_at().seconds() + 1);
  // Before the fixture: every change counts; without the field: no list.
  request.mutable_corrected_after()->set_seconds(0);
  ASSERT_THAT(audit_stub_->GetCountyReport(Context().get(), request, &report),
              GrpcOk());
  EXPECT_THAT(report.late_corrections(), SizeIs(2));
  request.clear_corrected_after();
  ASSERT_THAT(audit_stub_->GetCountyReport(Context().get(), request, &report),
              GrpcOk());
  EXPECT_THAT(report.late_corrections(), SizeIs(0));
}

// A roster travels the feed as its own events: the audit applies them (and
// stays caught up) without touching the sums.
TEST_F(AuditServerTest, RosterEventsAreAppliedWithoutChangingTheTable) {
  LoadBatch(FixtureSchools());
  v1::PutRosterRequest roster = FixtureRoster();
  v1::PutRosterResponse put;
  ASSERT_THAT(ingest_stub_->PutRoster(Context().get(), roster, &put), GrpcOk());
  EXPECT_EQ(put.added(), 109);
  EXPECT_EQ(put.revision(), 2);
  roster.set_submission_id("roster-again");
  roster.mutable_schools()->RemoveLast();
  ASSERT_THAT(ingest_stub_->PutRoster(Context().get(), roster, &put), GrpcOk());
  EXPECT_EQ(put.removed(), 1);
  EXPECT_EQ(put.unchanged(), 108);
  v1::GetRosterRequest get;
  get.set_term(kTerm);
  get.set_county(kCounty);
  v1::Roster stored;
  ASSERT_THAT(ingest_stub_->GetRoster(Context().get(), get, &stored), GrpcOk());
  EXPECT_THAT(stored.schools(), SizeIs(108));
  EXPECT_EQ(stored.revision(), 3);
  Converge();
  EXPECT_EQ(audit_->store()->applied_revision(), 3);
  ExpectTheNoticesFindings();
}

// Coverage: the fixture's roster against counts without three schools and
// two grades of a fourth, and with a school the roster does not know.
TEST_F(AuditServerTest, CoverageNamesWhatWasNotCounted) {
  std::vector<v1::SubmitRequest> schools = FixtureSchools();
  const v1::PutRosterRequest roster = FixtureRoster();
  int roster_grades = 0;
  for (const auto& s : schools) roster_grades += s.grades_size();
  // Counts first (no roster yet, so the extra school is taken).
  std::vector<v1::SubmitRequest> counted;
  std::set<std::string> dropped = {"双龙中学", "盛黄小学", "城北中心小学"};
  int dropped_grades = 0;
  for (v1::SubmitRequest s : schools) {
    if (dropped.count(s.school()) > 0) {
      dropped_grades += s.grades_size();
      continue;
    }
    if (s.school() == "王寨教学点") {  // two grades short
      s.mutable_grades()->DeleteSubrange(0, 2);
    }
    counted.push_back(std::move(s));
  }
  counted.push_back(::headcount::testing::School("纪王场", "纪王场新校", {{1, 1}}, "x"));
  LoadBatch(counted);
  v1::PutRosterResponse put;
  ASSERT_THAT(ingest_stub_->PutRoster(Context().get(), roster, &put), GrpcOk());
  Converge();

  v1::GetCoverageReportRequest request;
  request.set_term(kTerm);
  request.set_county(kCounty);
  v1::CoverageReport report;
  ASSERT_THAT(audit_stub_->GetCoverageReport(Context().get(), request, &report),
              GrpcOk());
  EXPECT_EQ(report.districts_size(), 27);
  EXPECT_EQ(report.total().schools_expected(), 109);
  EXPECT_EQ(report.total().schools_reported(), 106);
  EXPECT_EQ(report.total().grades_expected(), roster_grades);
  EXPECT_EQ(report.total().grades_reported(), roster_grades - dropped_grades - 2);
  std::vector<std::string> missing, short_schools, unexpected;
  for (const v1::DistrictCoverage& d : report.districts()) {
    for (const auto& s : d.missing_schools()) missing.push_back(d.district() + "/" + s);
    for (const auto& g : d.missing_grades()) {
      short_schools.push_back(absl::StrCat(d.district(), "/", g.school(), ":",
                                           g.grades(0), ",", g.grades(1)));
      EXPECT_EQ(g.grades_size(), 2);
    }
    for (const auto& s : d.unexpected_schools()) unexpected.push_back(d.district() + "/" + s);
  }
  EXPECT_THAT(missing, UnorderedElementsAreArray(
                           {"永兴/双龙中学", "旧城/盛黄小学", "城北/城北中心小学"}));
  ASSERT_THAT(short_schools, SizeIs(1));
  EXPECT_THAT(short_schools[0], ::testing::StartsWith("旧城/王寨教学点:"));
  EXPECT_THAT(unexpected, ElementsAreArray({"纪王场/纪王场新校"}));

  // The rest counted (and the stranger retracted): complete.
  for (const auto& s : schools) {
    if (dropped.count(s.school()) > 0 || s.school() == "王寨教学点") {
      v1::SubmitRequest again = s;
      again.set_submission_id(absl::StrCat("late-", s.school()));
      Submit(again);
    }
  }
  v1::RetractRequest retract;
  retract.set_submission_id("drop-x");
  retract.set_term(kTerm);
  retract.set_county(kCounty);
  retract.set_district("纪王场");
  retract.set_school("纪王场新校");
  v1::RetractResponse retracted;
  ASSERT_THAT(ingest_stub_->Retract(Context().get(), retract, &retracted),
              GrpcOk());
  Converge();
  ASSERT_THAT(audit_stub_->GetCoverageReport(Context().get(), request, &report),
              GrpcOk());
  EXPECT_EQ(report.total().schools_reported(), 109);
  EXPECT_EQ(report.total().grades_reported(), roster_grades);
  for (const v1::DistrictCoverage& d : report.districts()) {
    EXPECT_THAT(d.missing_schools(), SizeIs(0)) << d.district();
    EXPECT_THAT(d.missing_grades(), SizeIs(0)) << d.district();
    EXPECT_THAT(d.unexpected_schools(), SizeIs(0)) << d.district();
  }
  ExpectTheNoticesFindings();
  request.set_county("临泉县");
  EXPECT_EQ(audit_stub_->GetCoverageReport(Context().get(), request, &report)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// Coverage alerts: none before the operator's deadline; once the clock
// passes it, one per incomplete district, raised once (not again after a
// restart); a late count clears one, a retraction updates another, and
// withdrawing the deadline clears the rest.
TEST_F(AuditServerTest, IncompleteDistrictsAlertAfterTheDeadline) {
  audit_.reset();
  coverage_deadlines_[kTerm] = clock_.Now() + absl::Hours(1);
  StartAudit();
  v1::PutRosterResponse put;
  ASSERT_THAT(
      ingest_stub_->PutRoster(Context().get(), FixtureRoster(), &put),
      GrpcOk());
  std::vector<v1::SubmitRequest> counted;
  v1::SubmitRequest shuanglong, wangzhai;
  for (v1::SubmitRequest s : FixtureSchools()) {
    if (s.school() == "双龙中学") {
      shuanglong = s;
      continue;
    }
    if (s.school() == "王寨教学点") {
      wangzhai = s;
      s.mutable_grades()->DeleteSubrange(0, 2);
    }
    counted.push_back(std::move(s));
  }
  LoadBatch(counted);
  Converge();
  auto coverage_alerts = [&] {
    std::vector<v1::AlertEvent> open;
    for (v1::AlertEvent& a : OpenAlerts(v1::DISTRICT)) {
      if (a.rule() == v1::INCOMPLETE_COVERAGE) open.push_back(std::move(a));
    }
    return open;
  };
  // The coverage events after `after` (written with their revision's).
  auto coverage_events = [&](int64_t after) {
    std::vector<v1::AlertEvent> events;
    absl::StatusOr<std::vector<v1::AlertEvent>> all =
        audit_->store()->ReadAlerts(after, 10000);
    EXPECT_TRUE(all.ok()) << all.status();
    for (v1::AlertEvent& e : *all) {
      if (e.rule() == v1::INCOMPLETE_COVERAGE) events.push_back(std::move(e));
    }
    return events;
  };
  // Before the deadline: several checks, nothing.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_THAT(coverage_alerts(), IsEmpty());
  const int64_t before = audit_->store()->last_alert_id();

  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(WaitFor([&] { return coverage_alerts().size() == 2; }));
  std::vector<v1::AlertEvent> raised = WatchAlerts(before, 2);
  ASSERT_THAT(raised, SizeIs(2));
  std::map<std::string, v1::AlertEvent> by_district;
  for (const v1::AlertEvent& e : raised) {
    EXPECT_EQ(e.state(), v1::AlertEvent::RAISED);
    EXPECT_EQ(e.level(), v1::DISTRICT);
    EXPECT_EQ(e.revision(), 2);  // the revision applied when it was due
    EXPECT_EQ(google::protobuf::util::TimeUtil::TimestampToSeconds(e.deadline()),
              absl::ToUnixSeconds(coverage_deadlines_[kTerm]));
    by_district[e.district()] = e;
  }
  ASSERT_EQ(by_district.count("永兴"), 1u);
  ASSERT_EQ(by_district.count("旧城"), 1u);
  EXPECT_THAT(by_district["永兴"].coverage().missing_schools(),
              ElementsAreArray({"双龙中学"}));
  EXPECT_EQ(by_district["永兴"].coverage().schools_reported() + 1,
            by_district["永兴"].coverage().schools_expected());
  ASSERT_THAT(by_district["旧城"].coverage().missing_grades(), SizeIs(1));
  EXPECT_EQ(by_district["旧城"].coverage().missing_grades(0).school(),
            "王寨教学点");
  EXPECT_EQ(by_district["旧城"].coverage().grades_reported() + 2,
            by_district["旧城"].coverage().grades_expected());
  // The deadline is recorded with its alerts: a restart raises nothing.
  const int64_t raised_last = audit_->store()->last_alert_id();
  audit_.reset();
  StartAudit();
  Converge();
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(audit_->store()->last_alert_id(), raised_last);
  EXPECT_THAT(coverage_alerts(), SizeIs(2));

  // 双龙中学 counted late: 永兴 clears with that revision.
  shuanglong.set_submission_id("late-双龙中学");
  Submit(shuanglong);
  Converge();
  std::vector<v1::AlertEvent> cleared = coverage_events(raised_last);
  ASSERT_THAT(cleared, SizeIs(1));
  EXPECT_EQ(cleared[0].state(), v1::AlertEvent::CLEARED);
  EXPECT_EQ(cleared[0].district(), "永兴");
  EXPECT_EQ(cleared[0].revision(), 3);
  // 王寨教学点 retracted whole: 旧城 now misses a school.
  v1::RetractRequest retract;
  retract.set_submission_id("drop-王寨教学点");
  retract.set_term(kTerm);
  retract.set_county(kCounty);
  retract.set_district(wangzhai.district());
  retract.set_school("王寨教学点");
  v1::RetractResponse retracted;
  ASSERT_THAT(ingest_stub_->Retract(Context().get(), retract, &retracted),
              GrpcOk());
  Converge();
  std::vector<v1::AlertEvent> updated = coverage_events(cleared[0].alert_id());
  ASSERT_THAT(updated, SizeIs(1));
  EXPECT_EQ(updated[0].state(), v1::AlertEvent::UPDATED);
  EXPECT_EQ(updated[0].district(), "旧城");
  EXPECT_THAT(updated[0].coverage().missing_schools(),
              ElementsAreArray({"王寨教学点"}));
  EXPECT_THAT(updated[0].coverage().missing_grades(), IsEmpty());

  // The operator withdraws the deadline: 旧城's alert clears.
  audit_.reset();
  coverage_deadlines_.clear();
  StartAudit();
  Converge();
  ASSERT_TRUE(WaitFor([&] { return coverage_alerts().empty(); }));
  std::vector<v1::AlertEvent> withdrawn =
      coverage_events(updated[0].alert_id());
  ASSERT_THAT(withdrawn, SizeIs(1));
  EXPECT_EQ(withdrawn[0].state(), v1::AlertEvent::CLEARED);
  EXPECT_EQ(withdrawn[0].district(), "旧城");
  EXPECT_EQ(withdrawn[0].rule(), v1::INCOMPLETE_COVERAGE);
  EXPECT_THAT(coverage_alerts(), IsEmpty());
}

// The autumn term beside a spring term in which 永兴 counted what its
// registry says and had one more school: 永兴 is over only now, the other
// three districts in both terms, and 18 of the 19 flagged school-grades
// persist (双龙中学's grade 9 was fine in spring).
TEST_F(AuditServerTest, CompareTermsShowsChangesAndPersistentProblems) {
  std::vector<v1::SubmitRequest> spring;
  for (v1::SubmitRequest s : FixtureSchools()) {
    s.set_term("2015-spring");
    s.set_submission_id(absl::StrCat("spring-", s.submission_id()));
    if (s.district() == "永兴") {
      for (auto& g : *s.mutable_grades()) g.set_onsite_count(g.registry_count());
    }
    spring.push_back(std::move(s));
  }
  v1::SubmitRequest closed =
      ::headcount::testing::School("永兴", "永兴旧校", {{30, 30}}, "closed");
  closed.set_term("2015-spring");
  spring.push_back(closed);
  LoadBatch(spring);
  LoadBatch(FixtureSchools());
  Converge();

  v1::CompareTermsRequest request;
  request.set_term(kTerm);
  request.set_previous_term("2015-spring");
  request.set_county(kCounty);
  v1::TermComparison comparison;
  ASSERT_THAT(audit_stub_->CompareTerms(Context().get(), request, &comparison),
              GrpcOk());
  EXPECT_EQ(comparison.rows_size(), 27);
  EXPECT_TRUE(comparison.has_freshness());
  std::vector<std::string> persistent;
  for (const v1::TermComparisonRow& row : comparison.rows()) {
    if (row.persistent()) persistent.push_back(row.name());
    if (row.name() == "永兴") {
      EXPECT_EQ(row.current().onsite_count(), 514);
      EXPECT_EQ(row.current().ratio(), "0.036");
      EXPECT_TRUE(row.current().over_threshold());
      EXPECT_EQ(row.previous().onsite_count(), 533 + 30);
      EXPECT_EQ(row.previous().registry_count(), 533 + 30);
      EXPECT_FALSE(row.previous().over_threshold());
      EXPECT_EQ(row.onsite_change(), 514 - 563);
      EXPECT_EQ(row.registry_change(), -30);
      EXPECT_EQ(row.difference_change(), 19);
    }
  }
  EXPECT_THAT(persistent,
              UnorderedElementsAreArray({"旧城", "纪王场", "程家集"}));
  EXPECT_EQ(comparison.total().name(), "合计");
  EXPECT_EQ(comparison.total().current().onsite_count(), 60135);
  EXPECT_EQ(comparison.total().onsite_change(), 60135 - (60135 + 19 + 30));
  EXPECT_THAT(comparison.persistent_grades(), SizeIs(18));
  for (const v1::PersistentGrade& g : comparison.persistent_grades()) {
    EXPECT_NE(g.current().school(), "双龙中学");
    EXPECT_EQ(g.current().grade(), g.previous().grade());
    EXPECT_TRUE(g.previous().over_threshold());
  }

  // 永兴's schools: the closed one was counted only in spring.
  request.set_district("永兴");
  ASSERT_THAT(audit_stub_->CompareTerms(Context().get(), request, &comparison),
              GrpcOk());
  bool saw_closed = false;
  for (const v1::TermComparisonRow& row : comparison.rows()) {
    if (row.name() != "永兴旧校") continue;
    saw_closed = true;
    EXPECT_FALSE(row.has_current());
    EXPECT_EQ(row.previous().onsite_count(), 30);
    EXPECT_EQ(row.onsite_change(), -30);
  }
  EXPECT_TRUE(saw_closed);
  EXPECT_THAT(comparison.persistent_grades(), IsEmpty());
  request.set_term("2016-spring");
  request.set_previous_term("2016-autumn");
  EXPECT_EQ(
      audit_stub_->CompareTerms(Context().get(), request, &comparison)
          .error_code(),
      grpc::StatusCode::NOT_FOUND);
}

// Above counties: 利辛县 in 亳州市 and 临泉县 in 阜阳市, both in 安徽省 (涡阳县
// too, without counts): the province's table by city and a city's by
// county, alerts filtered by province and city, a county moved.
TEST_F(AuditServerTest, RegionReportsAndAlertFiltersAboveTheCounty) {
  v1::PutRegionsRequest regions;
  regions.set_submission_id("regions");
  for (const auto& [county, city] :
       std::vector<std::pair<std::string, std::string>>{
           {"利辛县", "亳州市"}, {"临泉县", "阜阳市"}, {"涡阳县", "亳州市"}}) {
    v1::Region* region = regions.add_regions();
    region->set_county(county);
    region->set_city(city);
    region->set_province("安徽省");
  }
  v1::PutRegionsResponse put;
  ASSERT_THAT(ingest_stub_->PutRegions(Context().get(), regions, &put),
              GrpcOk());
  LoadBatch(FixtureSchools());
  v1::SubmitRequest linquan = ::headcount::testing::School(
      "城关", "临泉一中", {{90, 100}, {100, 100}}, "linquan");
  linquan.set_county("临泉县");
  Submit(linquan);
  Converge();

  v1::GetRegionReportRequest request;
  request.set_term(kTerm);
  request.set_province("安徽省");
  v1::RegionReport report;
  ASSERT_THAT(audit_stub_->GetRegionReport(Context().get(), request, &report),
              GrpcOk());
  ASSERT_EQ(report.rows_size(), 2);
  EXPECT_EQ(report.rows(0).name(), "亳州市");  // bo before fu
  EXPECT_EQ(report.rows(0).onsite_count(), 60135);
  EXPECT_EQ(report.rows(0).registry_count(), 60216);
  EXPECT_EQ(report.rows(0).ratio(), "0.001");
  EXPECT_EQ(report.rows(1).name(), "阜阳市");
  EXPECT_EQ(report.rows(1).onsite_count(), 190);
  EXPECT_EQ(report.rows(1).registry_count(), 200);
  EXPECT_TRUE(report.rows(1).over_threshold());  // 5%
  EXPECT_EQ(report.total().name(), "合计");
  EXPECT_EQ(report.total().onsite_count(), 60135 + 190);
  EXPECT_EQ(report.total().registry_count(), 60216 + 200);
  EXPECT_THAT(report.counties(), ElementsAreArray({"利辛县", "临泉县"}));
  EXPECT_TRUE(report.has_freshness());
  request.set_city("亳州市");
  ASSERT_THAT(audit_stub_->GetRegionReport(Context().get(), request, &report),
              GrpcOk());
  ASSERT_EQ(report.rows_size(), 1);  // 涡阳县 counted nothing
  EXPECT_EQ(report.rows(0).name(), "利辛县");

  // Alerts carry their county's region; the filters select by it.
  v1::ListAlertsRequest alerts;
  alerts.mutable_filter()->set_province("安徽省");
  alerts.mutable_filter()->set_city("阜阳市");
  v1::ListAlertsResponse open;
  ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), alerts, &open),
              GrpcOk());
  ASSERT_THAT(open.alerts(), Not(IsEmpty()));
  for (const v1::AlertEvent& e : open.alerts()) {
    EXPECT_EQ(e.county(), "临泉县");
    EXPECT_EQ(e.city(), "阜阳市");
  }
  alerts.mutable_filter()->set_city("亳州市");
  alerts.mutable_filter()->set_level(v1::DISTRICT);
  ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), alerts, &open),
              GrpcOk());
  EXPECT_THAT(open.alerts(), SizeIs(4));  // 利辛县's four districts
  std::vector<v1::AlertEvent> watched =
      WatchAlerts(0, 1, alerts.filter());
  ASSERT_THAT(watched, SizeIs(1));
  EXPECT_EQ(watched[0].province(), "安徽省");

  // 临泉县 moves to 亳州市: one city left in the province's table.
  regions.set_submission_id("regions-2");
  regions.clear_regions();
  v1::Region* moved = regions.add_regions();
  moved->set_county("临泉县");
  moved->set_city("亳州市");
  moved->set_province("安徽省");
  ASSERT_THAT(ingest_stub_->PutRegions(Context().get(), regions, &put),
              GrpcOk());
  EXPECT_EQ(put.changed(), 1);
  Converge();
  request.clear_city();
  ASSERT_THAT(audit_stub_->GetRegionReport(Context().get(), request, &report),
              GrpcOk());
  ASSERT_EQ(report.rows_size(), 1);
  EXPECT_EQ(report.rows(0).onsite_count(), 60135 + 190);
  request.set_province("河南省");
  EXPECT_EQ(audit_stub_->GetRegionReport(Context().get(), request, &report)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
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
  ASSERT_THAT(
      audit_stub_->ListGradeDiscrepancies(Context().get(), grades, &flagged),
      GrpcOk());
  EXPECT_THAT(flagged.grades(), SizeIs(19));
  grades.set_only_flagged(false);
  grades.set_district("纪王场");
  v1::ListGradeDiscrepanciesResponse all;
  ASSERT_THAT(
      audit_stub_->ListGradeDiscrepancies(Context().get(), grades, &all),
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
  ingest::IngestServer::Options options =
      LoopbackIngestOptions(dir_.Sub("ingest"));
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

}  // namespace
}  // namespace headcount::audit
