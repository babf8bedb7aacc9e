// The fixture of the audit's end-to-end tests: an in-process ingest and
// audit on loopback (port 0), the notice's fixture loaded through the
// generated stubs, and helpers to read the results.
#ifndef HEADCOUNT_TESTS_AUDIT_SERVICE_AUDIT_SERVER_FIXTURE_H_
#define HEADCOUNT_TESTS_AUDIT_SERVICE_AUDIT_SERVER_FIXTURE_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "audit_service/audit_server.h"
#include "cli/spreadsheet/csv_import.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::audit {

inline constexpr char kTerm[] = "2015-autumn";
inline constexpr char kCounty[] = "利辛县";

// The contents of a file.
std::string ReadFile(const std::string& path);
// The fixture's TSV file `name`, split into cells.
std::vector<std::vector<std::string>> ReadTsv(const std::string& name);
// The fixture's 109 schools as submissions.
std::vector<v1::SubmitRequest> FixtureSchools();
// The roster of the fixture's 109 schools, each with the grades it counted.
v1::PutRosterRequest FixtureRoster();
// The open alerts as what they say: place, counts and rule, sorted.
std::vector<std::string> OpenAlertFacts(AuditStore& store);

class AuditServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StartIngest();
    StartAudit();
  }

  void StartIngest() {
    // A restart listens on the address of the first start.
    ingest::IngestServer::Options options =
        ::headcount::testing::LoopbackIngestOptions(dir_.Sub("ingest"));
    if (!ingest_address_.empty()) options.listen = ingest_address_;
    auto server = ingest::IngestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    ingest_ = *std::move(server);
    ingest_address_ = ingest_->address();
    ingest_stub_ = v1::IngestService::NewStub(grpc::CreateChannel(
        ingest_address_, grpc::InsecureChannelCredentials()));
  }

  void StartAudit(ThresholdPolicy policy = ThresholdPolicy()) {
    AuditServer::Options options;
    options.listen = "127.0.0.1:0";
    options.store.data_dir = dir_.Sub("audit");
    options.store.policy = policy;
    options.clock = &clock_;
    options.follower.ingest_address = ingest_address_;
    options.follower.min_backoff = absl::Milliseconds(20);
    options.follower.max_backoff = absl::Milliseconds(200);
    options.follower.progress_interval = absl::Milliseconds(100);
    options.follower.refuse_other_history = refuse_other_history_;
    options.store.coverage_deadlines = coverage_deadlines_;
    options.coverage_check_interval = absl::Milliseconds(20);
    options.shutdown_grace = absl::Seconds(2);
    auto server = AuditServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    audit_ = *std::move(server);
    audit_stub_ = v1::AuditService::NewStub(grpc::CreateChannel(
        audit_->address(), grpc::InsecureChannelCredentials()));
  }

  void LoadBatch(const std::vector<v1::SubmitRequest>& rows) {
    v1::ImportSummary summary;
    auto context = ::headcount::testing::Context();
    auto writer = ingest_stub_->SubmitBatch(context.get(), &summary);
    for (const auto& row : rows) ASSERT_TRUE(writer->Write(row));
    writer->WritesDone();
    ASSERT_THAT(writer->Finish(), ::headcount::testing::GrpcOk());
  }

  void Submit(const v1::SubmitRequest& request) {
    v1::SubmitResponse response;
    ASSERT_THAT(ingest_stub_->Submit(::headcount::testing::Context().get(),
                                     request, &response),
                ::headcount::testing::GrpcOk());
  }

  // Compacts the ingest's history up to its revision.
  void CompactTheIngest() {
    v1::CompactRequest compact;
    compact.set_revision(ingest_->store()->revision());
    v1::CompactResponse compacted;
    ASSERT_THAT(ingest_stub_->Compact(::headcount::testing::Context().get(),
                                      compact, &compacted),
                ::headcount::testing::GrpcOk());
  }

  // Restarts the audit with `policy` and expects it to append no alert
  // event on catching up: what it applied before was applied once.
  void ExpectARestartRaisesNothing(const ThresholdPolicy& policy) {
    const int64_t last = audit_->store()->last_alert_id();
    audit_->Shutdown();
    audit_.reset();
    StartAudit(policy);
    Converge();
    EXPECT_EQ(audit_->store()->last_alert_id(), last);
  }

  // Waits until the audit has applied everything the ingest committed.
  void Converge() {
    ASSERT_TRUE(::headcount::testing::WaitFor([&] {
      return audit_->store()->history_id() ==
                 ingest_->store()->history_id() &&
             audit_->store()->applied_revision() ==
                 ingest_->store()->revision();
    })) << audit_->store()->applied_revision()
        << " vs " << ingest_->store()->revision();
  }

  v1::CountyReport CountyReport() {
    v1::GetCountyReportRequest request;
    request.set_term(kTerm);
    request.set_county(kCounty);
    v1::CountyReport report;
    EXPECT_THAT(audit_stub_->GetCountyReport(
                    ::headcount::testing::Context().get(), request, &report),
                ::headcount::testing::GrpcOk());
    return report;
  }

  std::vector<v1::AlertEvent> OpenAlerts(v1::Level level) {
    v1::ListAlertsRequest request;
    request.mutable_filter()->set_level(level);
    v1::ListAlertsResponse response;
    EXPECT_THAT(audit_stub_->ListAlerts(::headcount::testing::Context().get(),
                                        request, &response),
                ::headcount::testing::GrpcOk());
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
    while (events.size() < count && reader->Read(&event))
      events.push_back(event);
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
    for (const auto& a : OpenAlerts(v1::DISTRICT))
      districts.push_back(a.district());
    EXPECT_THAT(districts, ::testing::UnorderedElementsAreArray(
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
    EXPECT_THAT(want_grades, ::testing::SizeIs(19));
    EXPECT_THAT(grades, ::testing::UnorderedElementsAreArray(want_grades));
    EXPECT_THAT(OpenAlerts(v1::COUNTY), ::testing::SizeIs(0));  // 0.13% overall
  }

  headcount::testing::TempDir dir_;
  bool refuse_other_history_ = false;  // StartAudit's follower option
  // StartAudit's store option.
  std::map<std::string, absl::Time> coverage_deadlines_;
  std::string ingest_address_;
  headcount::testing::SimulatedClock clock_;  // alert times
  std::unique_ptr<ingest::IngestServer> ingest_;
  std::unique_ptr<AuditServer> audit_;
  std::unique_ptr<v1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<v1::AuditService::Stub> audit_stub_;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_TESTS_AUDIT_SERVICE_AUDIT_SERVER_FIXTURE_H_
