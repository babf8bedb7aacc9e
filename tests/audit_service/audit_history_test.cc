// One history per audit: an ingest wiped under a running audit, an audit
// pointed at another ingest, and the positions of another history or
// beyond the newest refused with the current one named.
#include <filesystem>

#include "tests/audit_service/audit_server_fixture.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::GrpcOk;
using ::headcount::testing::LoopbackIngestOptions;
using ::headcount::testing::WaitFor;
using ::testing::HasSubstr;

// Schools of 旧城 only, as a second history would hold.
std::vector<v1::SubmitRequest> OtherHistory(int revisions) {
  std::vector<v1::SubmitRequest> rows;
  for (int i = 0; i < revisions; ++i) {
    rows.push_back(::headcount::testing::School(
        "旧城", absl::StrCat("新学校", i), {{50, 100}},
        absl::StrCat("other-", i)));
  }
  return rows;
}

class AuditHistoryTest : public AuditServerTest {
 protected:
  std::string Epoch() {
    v1::ListAlertsResponse response;
    EXPECT_THAT(audit_stub_->ListAlerts(Context().get(),
                                        v1::ListAlertsRequest(), &response),
                GrpcOk());
    return response.epoch();
  }

  grpc::Status WatchAlertsStatus(int64_t after, const std::string& epoch) {
    auto context = Context(absl::Seconds(5));
    v1::WatchAlertsRequest request;
    request.set_after_alert_id(after);
    request.set_epoch(epoch);
    auto reader = audit_stub_->WatchAlerts(context.get(), request);
    v1::AlertEvent event;
    while (reader->Read(&event)) {
    }
    return reader->Finish();
  }

  // The county table holds 旧城 and nothing else (the fixture's 27
  // districts are gone).
  void ExpectOnlyTheOtherHistory() {
    v1::CountyReport report = CountyReport();
    ASSERT_EQ(report.rows_size(), 1);
    EXPECT_EQ(report.rows(0).name(), "旧城");
    EXPECT_EQ(report.total().onsite_count(), 50 * report.revision());
  }
};

// The ingest's data is wiped and it restarts on the same address with a
// new, longer history: the audit must not keep the old counts nor skip the
// new revisions it believes it applied.
TEST_F(AuditHistoryTest, IngestWipedUnderARunningAuditStartsTheAuditOver) {
  LoadBatch(FixtureSchools());
  for (const auto& row : OtherHistory(3)) Submit(row);  // revisions 2..4
  Converge();
  const std::string old_epoch = Epoch();
  const int64_t old_last_alert = audit_->store()->last_alert_id();
  ASSERT_GT(old_last_alert, 0);
  const std::string old_history = ingest_->store()->history_id();

  // An alert consumer of the old epoch, streaming.
  grpc::ClientContext watch_context;
  watch_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  v1::WatchAlertsRequest live;
  live.set_after_alert_id(old_last_alert);
  live.set_epoch(old_epoch);
  auto old_stream = audit_stub_->WatchAlerts(&watch_context, live);

  ingest_->Shutdown();
  ingest_.reset();
  std::filesystem::remove_all(dir_.Sub("ingest"));
  StartIngest();  // same address, empty store: a new history
  ASSERT_NE(ingest_->store()->history_id(), old_history);
  for (const auto& row : OtherHistory(6)) Submit(row);  // revisions 1..6
  Converge();

  ExpectOnlyTheOtherHistory();
  EXPECT_EQ(audit_->store()->applied_revision(), 6);
  const std::string new_epoch = Epoch();
  EXPECT_NE(new_epoch, old_epoch);
  // The consumer is told, not left waiting.
  v1::AlertEvent event;
  while (old_stream->Read(&event)) {
    EXPECT_NE(event.epoch(), new_epoch) << "an event of the new epoch was "
                                           "sent to a consumer of the old";
  }
  grpc::Status ended = old_stream->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << ended.error_message();
  EXPECT_THAT(ended.error_message(), HasSubstr(new_epoch));
  // Resuming with the old epoch is refused, naming the new one.
  grpc::Status resumed = WatchAlertsStatus(1, old_epoch);
  EXPECT_EQ(resumed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(resumed.error_message(), HasSubstr(new_epoch));
}

// The audit's data directory restarted against another ingest, whose
// history is shorter than what the audit applied.
TEST_F(AuditHistoryTest, AuditPointedAtAnotherIngestStartsOver) {
  LoadBatch(FixtureSchools());
  for (const auto& row : OtherHistory(3)) Submit(row);
  Converge();
  audit_->Shutdown();
  audit_.reset();
  ingest_->Shutdown();
  ingest_.reset();

  ingest::IngestServer::Options other = LoopbackIngestOptions(dir_.Sub("other"));
  auto server = ingest::IngestServer::Start(other);
  ASSERT_TRUE(server.ok()) << server.status();
  ingest_ = *std::move(server);
  ingest_address_ = ingest_->address();
  ingest_stub_ = v1::IngestService::NewStub(grpc::CreateChannel(
      ingest_address_, grpc::InsecureChannelCredentials()));
  Submit(OtherHistory(2)[0]);
  Submit(OtherHistory(2)[1]);  // revision 2, below the 4 applied
  StartAudit();
  Converge();
  ExpectOnlyTheOtherHistory();
}

TEST_F(AuditHistoryTest, RefusingAnotherHistoryKeepsTheStateAndStaysNotServing) {
  LoadBatch(FixtureSchools());
  Converge();
  audit_->Shutdown();
  audit_.reset();
  ingest_->Shutdown();
  ingest_.reset();
  std::filesystem::remove_all(dir_.Sub("ingest"));
  StartIngest();
  Submit(OtherHistory(1)[0]);
  refuse_other_history_ = true;
  StartAudit();
  ASSERT_TRUE(WaitFor([&] { return audit_->follower().connections() >= 2; }));
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      audit_->address(), grpc::InsecureChannelCredentials()));
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_THAT(health->Check(Context().get(),
                            grpc::health::v1::HealthCheckRequest(), &response),
              GrpcOk());
  EXPECT_EQ(response.status(),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  ExpectTheNoticesFindings();  // nothing of the other history applied
}

TEST_F(AuditHistoryTest, PositionsBeyondTheNewestAreRefusedNamingIt) {
  LoadBatch(FixtureSchools());
  Converge();
  // Watch beyond the ingest's newest revision.
  auto context = Context(absl::Seconds(5));
  v1::WatchRequest request;
  request.set_after_revision(1'000'000);
  auto reader = ingest_stub_->Watch(context.get(), request);
  v1::WatchResponse response;
  EXPECT_FALSE(reader->Read(&response));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(),
              HasSubstr("beyond the newest revision 1 of history " +
                        ingest_->store()->history_id()));
  // WatchAlerts beyond the newest alert id.
  const int64_t newest = audit_->store()->last_alert_id();
  status = WatchAlertsStatus(newest + 1, "");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(),
              HasSubstr(absl::StrCat("beyond the newest alert id ", newest)));
  // A made-up epoch.
  status = WatchAlertsStatus(0, "not-an-epoch");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr(Epoch()));
}

}  // namespace
}  // namespace headcount::audit
