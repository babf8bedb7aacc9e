// The district's self-check (自查) beside the county's inspection (抽查):
// two records per school in the ingest, apart in the audit, compared grade
// by grade; through the real servers.
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "tests/audit_service/audit_server_fixture.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::GrpcOk;
using ::headcount::testing::HasCode;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// 永兴's self-check claims every registered student present (the phantom
// enrollment the inspection then found missing); 王市's equals the
// inspection.
std::vector<v1::SubmitRequest> SelfCheck() {
  std::vector<v1::SubmitRequest> rows;
  for (v1::SubmitRequest s : FixtureSchools()) {
    if (s.district() != "永兴" && s.district() != "王市") continue;
    s.set_source(v1::SELF_CHECK);
    s.set_submission_id("self-" + s.submission_id());
    if (s.district() == "永兴") {
      for (auto& g : *s.mutable_grades()) g.set_onsite_count(g.registry_count());
    }
    rows.push_back(std::move(s));
  }
  return rows;
}

// One school's record of `source` in the ingest.
grpc::Status GetSchool(v1::IngestService::Stub& ingest,
                       const std::string& district, const std::string& school,
                       v1::Source source, v1::SchoolRecord* record) {
  v1::GetSchoolRequest get;
  get.set_term(kTerm);
  get.set_county(kCounty);
  get.set_district(district);
  get.set_school(school);
  get.set_source(source);
  return ingest.GetSchool(Context().get(), get, record);
}

// What the comparison must find, computed here from the fixture: per
// district the grades both counted and those differing by more than 2% of
// the self-check's count.
struct Expected {
  int compared = 0;
  int flagged = 0;
  int inspection_only = 0;
  Counts yongxing;  // 永兴's self-check sums
};

Expected ExpectedComparison() {
  Expected expected;
  for (const v1::SubmitRequest& s : FixtureSchools()) {
    const bool checked = s.district() == "永兴" || s.district() == "王市";
    for (const auto& g : s.grades()) {
      if (!checked) {
        ++expected.inspection_only;
        continue;
      }
      ++expected.compared;
      const int64_t self = s.district() == "永兴" ? g.registry_count()
                                                   : g.onsite_count();
      const int64_t diff = self - g.onsite_count();
      if (diff != 0 && std::abs(diff) * 50 > self) ++expected.flagged;
      if (s.district() == "永兴") expected.yongxing += Counts{self, g.registry_count()};
    }
  }
  return expected;
}

TEST_F(AuditServerTest, SelfCheckStaysApartFromThePublishedTable) {
  LoadBatch(FixtureSchools());
  LoadBatch(SelfCheck());
  Converge();
  // The published table is the inspection's alone; no alert of the rule
  // unless asked for.
  ExpectTheNoticesFindings();
  for (const v1::AlertEvent& a : OpenAlerts(v1::LEVEL_UNSPECIFIED)) {
    EXPECT_NE(a.rule(), v1::SOURCE_MISMATCH);
  }

  // The ingest holds two records of a self-checked school.
  const v1::SubmitRequest checked = SelfCheck().front();
  v1::SchoolRecord inspected, reported;
  ASSERT_THAT(GetSchool(*ingest_stub_, checked.district(), checked.school(),
                        v1::INSPECTION, &inspected),
              GrpcOk());
  ASSERT_THAT(GetSchool(*ingest_stub_, checked.district(), checked.school(),
                        v1::SELF_CHECK, &reported),
              GrpcOk());
  EXPECT_EQ(inspected.source(), v1::INSPECTION);
  EXPECT_EQ(reported.source(), v1::SELF_CHECK);
  EXPECT_EQ(reported.version(), 1);  // its own record, not a correction

  // The self-check's own tables.
  const Expected expected = ExpectedComparison();
  v1::GetCountyReportRequest county;
  county.set_term(kTerm);
  county.set_county(kCounty);
  county.set_source(v1::SELF_CHECK);
  county.set_include_schools(true);
  v1::CountyReport report;
  ASSERT_THAT(audit_stub_->GetCountyReport(Context().get(), county, &report),
              GrpcOk());
  EXPECT_EQ(report.source(), v1::SELF_CHECK);
  ASSERT_THAT(report.rows(), SizeIs(2));
  EXPECT_EQ(report.rows(0).name(), "王市");  // pinyin: wang < yong
  EXPECT_EQ(report.rows(1).name(), "永兴");
  EXPECT_EQ(report.rows(1).onsite_count(), expected.yongxing.onsite_count);
  EXPECT_EQ(report.rows(1).registry_count(), expected.yongxing.registry_count);
  EXPECT_EQ(report.rows(1).difference(), 0);
  ASSERT_THAT(report.district_reports(), SizeIs(2));
  EXPECT_EQ(report.district_reports(1).total().onsite_count(),
            expected.yongxing.onsite_count);
  v1::GetDistrictReportRequest district;
  district.set_term(kTerm);
  district.set_county(kCounty);
  district.set_district("永兴");
  district.set_source(v1::SELF_CHECK);
  v1::DistrictReport schools;
  ASSERT_THAT(
      audit_stub_->GetDistrictReport(Context().get(), district, &schools),
      GrpcOk());
  EXPECT_EQ(schools.total().onsite_count(), expected.yongxing.onsite_count);
  county.set_county("临泉县");
  EXPECT_THAT(audit_stub_->GetCountyReport(Context().get(), county, &report),
              HasCode(grpc::StatusCode::NOT_FOUND));

  // The comparison, grade by grade.
  v1::CompareSourcesRequest compare;
  compare.set_term(kTerm);
  compare.set_county(kCounty);
  v1::SourceComparison comparison;
  ASSERT_THAT(
      audit_stub_->CompareSources(Context().get(), compare, &comparison),
      GrpcOk());
  EXPECT_EQ(comparison.grades_compared(), expected.compared);
  EXPECT_EQ(comparison.grades_flagged(), expected.flagged);
  EXPECT_GT(expected.flagged, 0);
  EXPECT_EQ(comparison.inspection_only(), expected.inspection_only);
  EXPECT_EQ(comparison.self_check_only(), 0);
  EXPECT_EQ(comparison.threshold_ppm(), 20'000);
  EXPECT_THAT(comparison.grades(), SizeIs(expected.compared));
  EXPECT_TRUE(comparison.has_freshness());
  for (const v1::SourceGrade& g : comparison.grades()) {
    EXPECT_EQ(g.difference(), g.self_check_onsite() - g.inspection_onsite());
    EXPECT_EQ(g.self_check_registry(), g.inspection_registry());
    if (g.district() == "王市") {
      EXPECT_FALSE(g.over_threshold()) << g.school();
    }
  }
  compare.set_only_flagged(true);
  compare.set_district("永兴");
  ASSERT_THAT(
      audit_stub_->CompareSources(Context().get(), compare, &comparison),
      GrpcOk());
  EXPECT_THAT(comparison.grades(), SizeIs(expected.flagged));
  for (const v1::SourceGrade& g : comparison.grades()) {
    EXPECT_TRUE(g.over_threshold());
    EXPECT_GT(g.difference(), 0);
  }
  compare.set_county("临泉县");
  compare.clear_district();
  EXPECT_THAT(
      audit_stub_->CompareSources(Context().get(), compare, &comparison),
      HasCode(grpc::StatusCode::NOT_FOUND));
}

TEST_F(AuditServerTest, SourceMismatchAlertsWhenEnabled) {
  audit_->Shutdown();
  audit_.reset();
  ThresholdPolicy policy;
  policy.levels = {v1::DISTRICT};
  policy.source_mismatch_alerts = true;
  StartAudit(policy);
  LoadBatch(FixtureSchools());
  LoadBatch(SelfCheck());
  Converge();
  const Expected expected = ExpectedComparison();
  std::map<std::tuple<std::string, int>, v1::AlertEvent> mismatches;
  for (const v1::AlertEvent& a : OpenAlerts(v1::GRADE)) {
    ASSERT_EQ(a.rule(), v1::SOURCE_MISMATCH);
    EXPECT_EQ(a.district(), "永兴");
    EXPECT_EQ(a.self_check_onsite_count(), a.registry_count());
    EXPECT_EQ(a.difference(), a.self_check_onsite_count() - a.onsite_count());
    mismatches[{a.school(), a.grade()}] = a;
  }
  ASSERT_THAT(mismatches, SizeIs(expected.flagged));
  // The district alerts are the notice's as before.
  EXPECT_THAT(OpenAlerts(v1::DISTRICT), SizeIs(4));

  // The district corrects one grade's self-check to what the inspection
  // found: that alert clears, the others stay.
  const v1::AlertEvent first = mismatches.begin()->second;
  v1::SubmitRequest fix;
  fix.set_submission_id("self-fix");
  fix.set_term(kTerm);
  fix.set_county(kCounty);
  fix.set_district(first.district());
  fix.set_school(first.school());
  fix.set_source(v1::SELF_CHECK);
  v1::GradeCount* g = fix.add_grades();
  g->set_grade(first.grade());
  g->set_onsite_count(first.onsite_count());
  g->set_registry_count(first.registry_count());
  Submit(fix);
  Converge();
  EXPECT_THAT(OpenAlerts(v1::GRADE), SizeIs(expected.flagged - 1));
  const std::vector<v1::AlertEvent> cleared =
      WatchAlerts(audit_->store()->last_alert_id() - 1, 1);
  ASSERT_THAT(cleared, SizeIs(1));
  EXPECT_EQ(cleared[0].state(), v1::AlertEvent::CLEARED);
  EXPECT_EQ(cleared[0].school(), first.school());
  EXPECT_EQ(cleared[0].grade(), first.grade());

  // Retracting a school's self-check clears its alerts and leaves its
  // inspection (and the published table) alone.
  v1::RetractRequest retract;
  retract.set_submission_id("retract-self");
  retract.set_term(kTerm);
  retract.set_county(kCounty);
  retract.set_district(first.district());
  retract.set_school(first.school());
  retract.set_source(v1::SELF_CHECK);
  v1::RetractResponse retracted;
  ASSERT_THAT(ingest_stub_->Retract(Context().get(), retract, &retracted),
              GrpcOk());
  EXPECT_TRUE(retracted.school_removed());
  Converge();
  for (const v1::AlertEvent& a : OpenAlerts(v1::GRADE)) {
    EXPECT_NE(a.school(), first.school());
  }
  EXPECT_EQ(CountyReport().total().onsite_count(), 60135);
  EXPECT_EQ(CountyReport().total().registry_count(), 60216);
  v1::SchoolRecord record;
  EXPECT_THAT(GetSchool(*ingest_stub_, first.district(), first.school(),
                        v1::INSPECTION, &record),
              GrpcOk());
  EXPECT_THAT(GetSchool(*ingest_stub_, first.district(), first.school(),
                        v1::SELF_CHECK, &record),
              HasCode(grpc::StatusCode::NOT_FOUND));

  ExpectARestartRaisesNothing(policy);
}

}  // namespace
}  // namespace headcount::audit
