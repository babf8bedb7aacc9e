// The audit's handlers over a fake AuditReader, on a real gRPC server on
// loopback: what reaches the reader, how its answers and errors travel,
// and what a detached store answers. No RocksDB, no ingest.
#include "audit_service/audit_service_impl.h"

#include <memory>
#include <vector>

#include "common/domain/mutex.h"
#include "common/server/stream_waker.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::GrpcOk;
using ::headcount::testing::HasCode;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Answers from fixed data and records the counties asked for.
class FakeAuditReader final : public AuditReader {
 public:
  int64_t last_alert_id() const override {
    return static_cast<int64_t>(events.size());
  }
  std::string epoch() const override { return "epoch-1"; }
  absl::StatusOr<v1::ListCountiesResponse> ListCounties(
      absl::string_view) override {
    return v1::ListCountiesResponse();
  }
  absl::StatusOr<v1::CountyReport> GetCountyReport(
      const v1::GetCountyReportRequest& request) override {
    const std::string& term = request.term();
    const std::string& county = request.county();
    MutexLock lock(&mu_);
    asked_.emplace_back(county);
    if (county != "利辛县") return absl::NotFoundError("nothing counted");
    v1::CountyReport report;
    report.set_term(std::string(term));
    report.set_county(std::string(county));
    report.mutable_total()->set_ratio("0.001");
    return report;
  }
  absl::StatusOr<v1::CoverageReport> GetCoverageReport(
      absl::string_view, absl::string_view) override {
    return absl::UnimplementedError("not in this fake");
  }
  absl::StatusOr<v1::TermComparison> CompareTerms(
      const v1::CompareTermsRequest&) override {
    return absl::UnimplementedError("not in this fake");
  }
  absl::StatusOr<v1::RegionReport> GetRegionReport(
      const v1::GetRegionReportRequest&) override {
    return absl::UnimplementedError("not in this fake");
  }
  absl::StatusOr<v1::SourceComparison> CompareSources(
      const v1::CompareSourcesRequest&) override {
    return absl::UnimplementedError("not in this fake");
  }
  absl::StatusOr<v1::DistrictReport> GetDistrictReport(
      const v1::GetDistrictReportRequest&) override {
    return absl::UnimplementedError("not in this fake");
  }
  absl::StatusOr<v1::ListGradeDiscrepanciesResponse> ListGradeDiscrepancies(
      const v1::ListGradeDiscrepanciesRequest&) override {
    return absl::UnimplementedError("not in this fake");
  }
  absl::StatusOr<v1::ListAlertsResponse> ListAlerts(
      const v1::AlertFilter&) override {
    return absl::UnimplementedError("not in this fake");
  }
  absl::StatusOr<std::vector<v1::AlertEvent>> ReadAlerts(
      int64_t after_alert_id, int max_events) override {
    std::vector<v1::AlertEvent> out;
    for (const v1::AlertEvent& e : events) {
      if (e.alert_id() > after_alert_id &&
          static_cast<int>(out.size()) < max_events) {
        out.push_back(e);
      }
    }
    return out;
  }
  std::vector<std::string> asked() {
    MutexLock lock(&mu_);
    return asked_;
  }

  std::vector<v1::AlertEvent> events;  // set before serving

 private:
  absl::Mutex mu_;
  std::vector<std::string> asked_ ABSL_GUARDED_BY(mu_);
};

class AuditServiceImplTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int id = 1; id <= 3; ++id) {
      v1::AlertEvent& e = reader_.events.emplace_back();
      e.set_alert_id(id);
      e.set_term("2015-autumn");
      e.set_county(id == 2 ? "蒙城县" : "利辛县");
      e.set_level(v1::DISTRICT);
    }
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = v1::AuditService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    waker_.CloseAll();
    server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
    service_.AttachStore(nullptr);
  }

  grpc::Status CountyReport(const std::string& term, const std::string& county,
                            v1::CountyReport* report) {
    v1::GetCountyReportRequest request;
    request.set_term(term);
    request.set_county(county);
    return stub_->GetCountyReport(Context().get(), request, report);
  }

  FakeAuditReader reader_;
  StreamWaker waker_;
  AuditServiceImpl service_{std::make_shared<const Authorizer>(), &waker_,
                            absl::Seconds(60), RealClock()};
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::AuditService::Stub> stub_;
};

TEST_F(AuditServiceImplTest, UnavailableUntilAttachedAndAfterDetached) {
  v1::CountyReport report;
  grpc::Status status = CountyReport("2015-autumn", "利辛县", &report);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::UNAVAILABLE));
  EXPECT_THAT(status.error_message(), HasSubstr("audit store is not open"));
  service_.AttachStore(&reader_);
  EXPECT_THAT(CountyReport("2015-autumn", "利辛县", &report), GrpcOk());
  service_.AttachStore(nullptr);
  EXPECT_THAT(CountyReport("2015-autumn", "利辛县", &report),
              HasCode(grpc::StatusCode::UNAVAILABLE));
}

TEST_F(AuditServiceImplTest, InvalidRequestsNeverReachTheReader) {
  service_.AttachStore(&reader_);
  v1::CountyReport report;
  grpc::Status status = CountyReport("2015", "利辛县", &report);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), HasSubstr("term: must be"));
  EXPECT_THAT(CountyReport("2015-autumn", "\xff", &report),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_TRUE(reader_.asked().empty());
}

TEST_F(AuditServiceImplTest, AnswersAndErrorsOfTheReaderTravel) {
  service_.AttachStore(&reader_);
  v1::CountyReport report;
  ASSERT_THAT(CountyReport("2015-autumn", "利辛县", &report), GrpcOk());
  EXPECT_EQ(report.county(), "利辛县");
  EXPECT_EQ(report.total().ratio(), "0.001");
  grpc::Status status = CountyReport("2015-autumn", "无县", &report);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::NOT_FOUND));
  EXPECT_EQ(status.error_message(), "nothing counted");
  EXPECT_THAT(reader_.asked(), ElementsAre("利辛县", "无县"));
}

TEST_F(AuditServiceImplTest, WatchAlertsSendsWhatPassesTheFilterInOrder) {
  service_.AttachStore(&reader_);
  v1::WatchAlertsRequest request;
  request.mutable_filter()->set_term("2015-autumn");
  request.mutable_filter()->set_county("利辛县");
  auto context = Context();
  auto stream = stub_->WatchAlerts(context.get(), request);
  std::vector<int64_t> ids;
  v1::AlertEvent event;
  while (ids.size() < 2 && stream->Read(&event))
    ids.push_back(event.alert_id());
  EXPECT_THAT(ids, ElementsAre(1, 3));  // 2 is 蒙城县
  context->TryCancel();
  (void)stream->Finish();
}

}  // namespace
}  // namespace headcount::audit
