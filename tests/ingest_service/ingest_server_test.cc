// The ingest service's unary calls and batches through its generated stub,
// on a real server bound to port 0 on loopback: outcomes, validation,
// atomicity, readiness and drain.
#include <thread>

#include "tests/ingest_service/ingest_server_fixture.h"

namespace headcount::ingest {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::GrpcOk;
using ::headcount::testing::HasCode;
using ::headcount::testing::LoopbackIngestOptions;
using ::headcount::testing::School;
using ::headcount::testing::WaitFor;
using ::headcount::testing::WatchCollector;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST_F(IngestServerTest, SubmitCorrectRetryAndConflict) {
  v1::SubmitResponse response;
  const auto original = School("城北", "城北中心小学", {{63, 62}, {71, 71}});
  ASSERT_THAT(Submit(original, &response), GrpcOk());
  EXPECT_EQ(response.revision(), 1);
  EXPECT_EQ(response.outcome(), v1::CREATED);
  EXPECT_EQ(response.school().grades(0).onsite_count(), 63);

  auto correction = School("城北", "城北中心小学", {{62, 62}, {71, 71}});
  ASSERT_THAT(Submit(correction, &response), GrpcOk());
  EXPECT_EQ(response.revision(), 2);
  EXPECT_EQ(response.outcome(), v1::UPDATED);

  EXPECT_FALSE(response.replayed());
  // Idempotent retry of the first submission: its original answer, no write.
  ASSERT_THAT(Submit(original, &response), GrpcOk());
  EXPECT_EQ(response.revision(), 1);
  EXPECT_EQ(response.outcome(), v1::CREATED);
  EXPECT_TRUE(response.replayed());
  EXPECT_EQ(server_->store()->revision(), 2);

  // Same id, other content.
  auto conflicting = correction;
  conflicting.set_submission_id(original.submission_id());
  grpc::Status conflict = Submit(conflicting);
  EXPECT_THAT(conflict, HasCode(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_THAT(conflict.error_message(), HasSubstr("submission_id"));

  v1::GetSchoolRequest get;
  get.set_term("2015-autumn");
  get.set_county("利辛县");
  get.set_district("城北");
  get.set_school("城北中心小学");
  v1::SchoolRecord record;
  ASSERT_THAT(stub_->GetSchool(Context().get(), get, &record), GrpcOk());
  EXPECT_EQ(record.grades(0).onsite_count(), 62);
  EXPECT_EQ(record.version(), 2);
  get.set_school("没有这所学校");
  EXPECT_THAT(stub_->GetSchool(Context().get(), get, &record),
              HasCode(grpc::StatusCode::NOT_FOUND));
  get.set_term("2015");
  EXPECT_THAT(stub_->GetSchool(Context().get(), get, &record),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
}

TEST_F(IngestServerTest, EveryValidationRuleStoresNothing) {
  struct Case {
    std::function<void(v1::SubmitRequest&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.clear_term(); }, "term"},
      {[](auto& r) { r.set_term("2015-fall"); }, "term"},
      {[](auto& r) { r.clear_county(); }, "county"},
      {[](auto& r) { r.clear_district(); }, "district"},
      {[](auto& r) { r.clear_school(); }, "school"},
      {[](auto& r) { r.clear_submission_id(); }, "submission_id"},
      {[](auto& r) { r.mutable_grades(0)->set_grade(13); }, "grades[0].grade"},
      {[](auto& r) { r.mutable_grades(1)->set_grade(1); }, "grades[1].grade"},
      {[](auto& r) { r.mutable_grades(0)->set_onsite_count(-1); },
       "grades[0].onsite_count"},
      {[](auto& r) { r.mutable_grades(1)->set_registry_count(5'000'000); },
       "grades[1].registry_count"},
      {[](auto& r) { r.clear_grades(); }, "grades"},
      {[](auto& r) { r.set_school(std::string(300, 'x')); }, "school"},
  };
  for (const Case& c : cases) {
    auto request = School("城北", "s", {{1, 1}, {2, 2}});
    c.mutate(request);
    grpc::Status status = Submit(request);
    ASSERT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT)) << c.field;
    EXPECT_THAT(status.error_message(), HasSubstr(c.field + ": "));
    absl::Status absl_status = FromGrpcStatus(status);
    google::rpc::BadRequest bad_request;
    ASSERT_TRUE(GetDetail(absl_status, bad_request)) << c.field;
    EXPECT_EQ(bad_request.field_violations(0).field(), c.field);
  }
  EXPECT_THAT(ListAll().schools(), SizeIs(0));
  EXPECT_EQ(server_->store()->revision(), 0);
}

// The protobuf runtime refuses a proto3 string that is not UTF-8 before a
// typed handler would run; the raw methods let validation name the field.
TEST_F(IngestServerTest, InvalidUtf8IsNamedAndStoresNothing) {
  auto request = School("城北", "s", {{1, 1}});
  request.set_school("\xe5\x9f");
  grpc::Status status = Submit(request);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), HasSubstr("school: must be valid UTF-8"));

  auto batch_row = School("城北", "t", {{1, 1}});
  batch_row.set_district("\xff");
  v1::ImportSummary summary;
  status = SubmitBatch({School("城北", "u", {{1, 1}}), batch_row}, &summary);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(),
              HasSubstr("row 1: district: must be valid UTF-8"));

  v1::GetSchoolRequest get;
  get.set_term("2015-autumn");
  get.set_county("\xc0\xaf");
  get.set_district("城北");
  get.set_school("s");
  v1::SchoolRecord record;
  status = stub_->GetSchool(Context().get(), get, &record);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), HasSubstr("county"));

  EXPECT_EQ(server_->store()->revision(), 0);
  EXPECT_THAT(Submit(School("城北", "s", {{1, 1}})), GrpcOk());
}

TEST_F(IngestServerTest, BytesThatAreNotARequestAreInvalidArgument) {
  grpc::GenericStub generic(channel_);
  const std::string garbage =
      "\x0a\xff\xff\xff\xff\x0f";  // length past the end
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::Status status;
  headcount::testing::Latch done;
  auto context = Context();
  generic.UnaryCall(context.get(), "/headcount.v1.IngestService/Submit",
                    grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      status = s;
                      done.Notify();
                    });
  done.Wait();
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(),
              HasSubstr("not a well-formed headcount.v1.SubmitRequest"));
  EXPECT_EQ(server_->store()->revision(), 0);
}

TEST_F(IngestServerTest, OversizedMessageIsResourceExhausted) {
  auto request = School("城北", "s", {{1, 1}});
  request.set_submission_id(std::string(kMaxReceiveMessageBytes + 10, 'x'));
  EXPECT_THAT(Submit(request), HasCode(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_EQ(server_->store()->revision(), 0);
}

TEST_F(IngestServerTest, BatchIsAtomicAndListsRejectedRows) {
  std::vector<v1::SubmitRequest> rows = {School("城北", "a", {{1, 1}}),
                                         School("城北", "b", {{1, 1}}),
                                         School("城北", "c", {{1, 1}})};
  rows[1].mutable_grades(0)->set_grade(0);
  v1::ImportSummary summary;
  grpc::Status status = SubmitBatch(rows, &summary);
  ASSERT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), HasSubstr("row 1: grades[0].grade"));
  v1::ImportSummary in_details;
  ASSERT_TRUE(GetDetail(FromGrpcStatus(status), in_details));
  EXPECT_EQ(in_details.rejected(), 1);
  ASSERT_THAT(in_details.rejected_rows(), SizeIs(1));
  EXPECT_EQ(in_details.rejected_rows(0).index(), 1);
  EXPECT_EQ(in_details.rejected_rows(0).field(), "grades[0].grade");
  EXPECT_THAT(ListAll().schools(), SizeIs(0));

  // The dry run of the same batch answers with the summary.
  for (auto& row : rows) row.set_dry_run(true);
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());
  EXPECT_TRUE(summary.dry_run());
  EXPECT_EQ(summary.rejected(), 1);

  // Fixed, and dry: counts without storing.
  rows[1].mutable_grades(0)->set_grade(1);
  summary.Clear();
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());
  EXPECT_EQ(summary.created(), 3);
  EXPECT_EQ(summary.revision(), 0);
  EXPECT_THAT(ListAll().schools(), SizeIs(0));

  // Stored, as one revision.
  for (auto& row : rows) row.set_dry_run(false);
  summary.Clear();
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());
  EXPECT_EQ(summary.created(), 3);
  EXPECT_EQ(summary.revision(), 1);
  EXPECT_EQ(ListAll().revision(), 1);

  // Once more: all unchanged, no revision.
  summary.Clear();
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());
  EXPECT_EQ(summary.unchanged(), 3);
  EXPECT_EQ(summary.revision(), 0);
  EXPECT_EQ(server_->store()->revision(), 1);

  // One correction among unchanged rows, and a conflicting id: nothing.
  rows[0].mutable_grades(0)->set_onsite_count(5);
  rows[0].set_submission_id("new-a");
  rows[2].mutable_grades(0)->set_onsite_count(7);
  summary.Clear();
  EXPECT_THAT(SubmitBatch(rows, &summary),
              HasCode(grpc::StatusCode::ALREADY_EXISTS));
  EXPECT_EQ(server_->store()->revision(), 1);
  rows[2].set_submission_id("new-c");
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());
  EXPECT_EQ(summary.updated(), 2);
  EXPECT_EQ(summary.unchanged(), 1);
  EXPECT_EQ(summary.revision(), 2);
}

TEST_F(IngestServerTest, EmptyBatchAndMixedDryRunAreRejected) {
  v1::ImportSummary summary;
  EXPECT_THAT(SubmitBatch({}, &summary),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  std::vector<v1::SubmitRequest> rows = {School("城北", "a", {{1, 1}}),
                                         School("城北", "b", {{1, 1}})};
  rows[1].set_dry_run(true);
  grpc::Status status = SubmitBatch(rows, &summary);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), HasSubstr("dry_run"));
  EXPECT_EQ(server_->store()->revision(), 0);
}

TEST_F(IngestServerTest, ListSchoolsValidatesFilters) {
  v1::ListSchoolsRequest request;
  request.set_county("利辛县");
  v1::ListSchoolsResponse response;
  grpc::Status status = stub_->ListSchools(Context().get(), request, &response);
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), HasSubstr("county"));
  request.set_term("2015-autumn");
  request.set_page_token("garbage!");
  EXPECT_THAT(stub_->ListSchools(Context().get(), request, &response),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
}

TEST_F(IngestServerTest, HealthIsNotServingUntilTheStoreIsOpen) {
  server_->Shutdown();
  server_.reset();
  auto server = IngestServer::StartListening(Options());
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_EQ(Health((*server)->address()),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  auto stub = v1::IngestService::NewStub(grpc::CreateChannel(
      (*server)->address(), grpc::InsecureChannelCredentials()));
  v1::SubmitResponse response;
  EXPECT_THAT(
      stub->Submit(Context().get(), School("城北", "a", {{1, 1}}), &response),
      HasCode(grpc::StatusCode::UNAVAILABLE));
  ASSERT_TRUE((*server)->OpenStore().ok());
  EXPECT_EQ(Health((*server)->address()),
            grpc::health::v1::HealthCheckResponse::SERVING);
}

// The plaintext listener for probes that cannot do mutual TLS (Kubernetes'
// gRPC probes): "" is liveness, the service's name readiness, and nothing
// but health is served there.
TEST_F(IngestServerTest, HealthListenerServesProbesAndNothingElse) {
  using Status = grpc::health::v1::HealthCheckResponse;
  server_->Shutdown();
  server_.reset();
  IngestServer::Options options = Options();
  options.health_listen = "127.0.0.1:0";
  auto server = IngestServer::StartListening(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string probe = (*server)->host().health_address();
  ASSERT_FALSE(probe.empty());
  ASSERT_NE(probe, (*server)->address());
  EXPECT_EQ(Health(probe, ""), Status::SERVING);  // alive, store not open
  EXPECT_EQ(Health(probe), Status::NOT_SERVING);  // not ready
  EXPECT_EQ(Health(probe, "headcount.v1.AuditService"), Status::UNKNOWN);
  auto stub = v1::IngestService::NewStub(
      grpc::CreateChannel(probe, grpc::InsecureChannelCredentials()));
  v1::ListSchoolsResponse schools;
  EXPECT_THAT(stub->ListSchools(Context().get(), v1::ListSchoolsRequest(),
                                &schools),
              HasCode(grpc::StatusCode::UNIMPLEMENTED));
  ASSERT_TRUE((*server)->OpenStore().ok());
  EXPECT_EQ(Health(probe), Status::SERVING);
  EXPECT_EQ(Health(probe, ""), Status::SERVING);
  (*server)->Shutdown();
  EXPECT_EQ(Health(probe, ""), Status::UNKNOWN);  // closed with the server
}

TEST_F(IngestServerTest, HealthListenerThatCannotBindNamesItsFlag) {
  IngestServer::Options options = Options();
  options.listen = "127.0.0.1:0";
  options.health_listen = "127.0.0.1:http";
  auto server = IngestServer::StartListening(options);
  ASSERT_FALSE(server.ok());
  EXPECT_THAT(std::string(server.status().message()),
              ::testing::HasSubstr("--health_listen: must be HOST:PORT"));
}

TEST_F(IngestServerTest,
       DrainTellsHealthWatchersNotServingBeforeThePortCloses) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("headcount.v1.IngestService");
  auto watch = health->Watch(&context, request);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  std::thread drain([this] { server_->Shutdown(); });
  // The drain's first visible step, on a connection that is still open.
  ASSERT_TRUE(watch->Read(&response));
  EXPECT_EQ(response.status(),
            grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  context.TryCancel();
  (void)watch->Finish();
  drain.join();
  // Then the port is closed: a new probe cannot connect at all.
  EXPECT_EQ(Health(server_->address()),
            grpc::health::v1::HealthCheckResponse::UNKNOWN);
}

// A client that goes away in the middle of a batch (its rows half sent, no
// end of stream) stores nothing: the batch is the whole file or nothing.
TEST_F(IngestServerTest, ABatchCutOffMidStreamStoresNothing) {
  v1::ImportSummary summary;
  grpc::ClientContext context;
  auto writer = stub_->SubmitBatch(&context, &summary);
  ASSERT_TRUE(writer->Write(School("城北", "甲小学", {{1, 1}})));
  ASSERT_TRUE(writer->Write(School("城北", "乙小学", {{1, 1}})));
  // Both rows reach the server before the client vanishes.
  absl::SleepFor(absl::Milliseconds(200));
  context.TryCancel();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  absl::SleepFor(absl::Milliseconds(300));  // a commit would have landed
  EXPECT_EQ(server_->store()->revision(), 0)
      << "the rows of a batch cut off mid-stream were stored";
}

// Every page of a listing shows the schools as of the first page's
// revision, as the proto promises: a school corrected meanwhile appears
// with its old counts, one created meanwhile not at all; once that
// revision is compacted away the next page says so.
TEST_F(IngestServerTest, LaterPagesShowTheFirstPagesRevision) {
  std::vector<v1::SubmitRequest> rows;
  for (const char* name : {"a", "b", "c", "d"}) {
    rows.push_back(School("城北", name, {{10, 10}}));
  }
  v1::ImportSummary summary;
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());  // revision 1
  v1::ListSchoolsRequest request;
  request.set_page_size(2);
  v1::ListSchoolsResponse first;
  ASSERT_THAT(stub_->ListSchools(Context().get(), request, &first), GrpcOk());
  ASSERT_EQ(first.schools_size(), 2);
  ASSERT_EQ(first.revision(), 1);

  v1::SubmitResponse response;
  ASSERT_THAT(Submit(School("城北", "c", {{7, 10}}), &response), GrpcOk());
  ASSERT_THAT(Submit(School("城北", "c", {{8, 10}}), &response), GrpcOk());
  ASSERT_THAT(Submit(School("城北", "bb", {{1, 1}}), &response), GrpcOk());
  ASSERT_EQ(server_->store()->revision(), 4);

  request.set_page_token(first.next_page_token());
  v1::ListSchoolsResponse second;
  ASSERT_THAT(stub_->ListSchools(Context().get(), request, &second), GrpcOk());
  EXPECT_EQ(second.revision(), 1);
  std::vector<std::string> names;
  for (const auto& school : second.schools()) {
    names.push_back(school.school());
    EXPECT_EQ(school.grades(0).onsite_count(), 10) << school.school();
    EXPECT_EQ(school.mod_revision(), 1) << school.school();
  }
  EXPECT_THAT(names, ::testing::ElementsAre("c", "d"));  // no "bb"

  v1::CompactRequest compact;
  compact.set_revision(4);
  v1::CompactResponse compacted;
  ASSERT_THAT(stub_->Compact(Context().get(), compact, &compacted), GrpcOk());
  const grpc::Status status =
      stub_->ListSchools(Context().get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_THAT(status.error_message(), HasSubstr("list again"));
}

}  // namespace
}  // namespace headcount::ingest
