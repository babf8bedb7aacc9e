// The audit across restarts of either service and compaction of the
// ingest's history: exactly once, equal to a recomputation.
#include <algorithm>
#include <filesystem>
#include <random>

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
    return (*fresh)->store()->applied_revision() ==
           ingest_->store()->revision();
  }));
  auto fresh_report = (*fresh)->store()->GetCountyReport(kTerm, kCounty);
  ASSERT_TRUE(fresh_report.ok());
  report.clear_freshness();  // what the audit knew of its feed, not counts
  EXPECT_EQ(fresh_report->SerializeAsString(), report.SerializeAsString());
  // The same open alerts, with the same counts (ids, states, times and
  // revisions differ: the fresh audit raised all of them at once).
  EXPECT_EQ(OpenAlertFacts(*(*fresh)->store()),
            OpenAlertFacts(*audit_->store()));
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
      expected.push_back(
          absl::StrCat(v1::GRADE, "|", school.term(), "|", school.county(), "|",
                       school.district(), "|", school.school(), "|", g.grade(),
                       "|", counts.onsite_count, "|", counts.registry_count,
                       "|", FormatRatio(counts), "|", v1::OVER_REGISTRATION));
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
    auto fresh_district =
        (*fresh)->store()->GetDistrictReport(kTerm, kCounty, row.name());
    auto our_district =
        audit_->store()->GetDistrictReport(kTerm, kCounty, row.name());
    ASSERT_TRUE(fresh_district.ok() && our_district.ok());
    EXPECT_EQ(fresh_district->SerializeAsString(),
              our_district->SerializeAsString())
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
  CompactTheIngest();
  StartAudit();
  Converge();
  ExpectTheNoticesFindings();
}

// What changed in the compacted history beyond new counts reaches a
// rebuild too: a retracted school leaves, a roster arrives.
TEST_F(AuditServerTest, RebuildRemovesRetractedSchoolsAndReadsTheRoster) {
  std::vector<v1::SubmitRequest> schools = FixtureSchools();
  schools.push_back(::headcount::testing::School("纪王厂", "纪王场中心校",
                                                 {{40, 50}}, "typo"));
  LoadBatch(schools);
  Converge();
  EXPECT_EQ(CountyReport().rows_size(), 28);
  audit_->Shutdown();
  audit_.reset();
  v1::RetractRequest retract;
  retract.set_submission_id("drop-typo");
  retract.set_term(kTerm);
  retract.set_county(kCounty);
  retract.set_district("纪王厂");
  retract.set_school("纪王场中心校");
  v1::RetractResponse retracted;
  ASSERT_THAT(ingest_stub_->Retract(Context().get(), retract, &retracted),
              GrpcOk());
  v1::PutRosterResponse put;
  ASSERT_THAT(ingest_stub_->PutRoster(Context().get(), FixtureRoster(), &put),
              GrpcOk());
  CompactTheIngest();
  StartAudit();
  Converge();
  ExpectTheNoticesFindings();  // 27 rows again, the typo's alerts cleared
  v1::GetCoverageReportRequest request;
  request.set_term(kTerm);
  request.set_county(kCounty);
  v1::CoverageReport coverage;
  ASSERT_THAT(
      audit_stub_->GetCoverageReport(Context().get(), request, &coverage),
      GrpcOk());
  EXPECT_EQ(coverage.total().schools_expected(), 109);
  EXPECT_EQ(coverage.total().schools_reported(), 109);
  EXPECT_EQ(coverage.total().grades_reported(),
            coverage.total().grades_expected());
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

}  // namespace
}  // namespace headcount::audit
