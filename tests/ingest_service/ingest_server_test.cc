// The ingest service through its generated stub, on a real server bound to
// port 0 on loopback.
#include "ingest_service/ingest_server.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "ingest_service/watch_reactor.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

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

class IngestServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  // Time (progress, stalls, commit times) moves only with clock_.
  IngestServer::Options Options() {
    IngestServer::Options options = LoopbackIngestOptions(dir_.Sub("ingest"));
    options.clock = &clock_;
    options.store.clock = &clock_;
    return options;
  }

  void Start() {
    auto server = IngestServer::Start(Options());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    Connect();
  }

  void Connect() {
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::IngestService::NewStub(channel_);
  }

  void Restart() {
    server_->Shutdown();
    server_.reset();
    Start();
  }

  grpc::Status Submit(const v1::SubmitRequest& request,
                      v1::SubmitResponse* response = nullptr) {
    v1::SubmitResponse ignored;
    return stub_->Submit(Context().get(), request,
                         response != nullptr ? response : &ignored);
  }

  grpc::Status SubmitBatch(const std::vector<v1::SubmitRequest>& rows,
                           v1::ImportSummary* summary) {
    auto context = Context();
    auto writer = stub_->SubmitBatch(context.get(), summary);
    for (const auto& row : rows) {
      if (!writer->Write(row)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  v1::ListSchoolsResponse ListAll() {
    v1::ListSchoolsResponse response;
    EXPECT_THAT(stub_->ListSchools(Context().get(), v1::ListSchoolsRequest(),
                                   &response),
                GrpcOk());
    return response;
  }

  grpc::health::v1::HealthCheckResponse::ServingStatus Health(
      const std::string& address) {
    auto health = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service("headcount.v1.IngestService");
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(Context().get(), request, &response);
    if (!status.ok()) return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    return response.status();
  }

  headcount::testing::TempDir dir_;
  headcount::testing::SimulatedClock clock_;
  std::unique_ptr<IngestServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

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
  const std::string garbage = "\x0a\xff\xff\xff\xff\x0f";  // length past the end
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
  std::vector<v1::SubmitRequest> rows = {
      School("城北", "a", {{1, 1}}), School("城北", "b", {{1, 1}}),
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

TEST_F(IngestServerTest, WatchFromZeroThenLive) {
  ASSERT_THAT(Submit(School("城北", "a", {{1, 1}})), GrpcOk());
  v1::ImportSummary summary;
  ASSERT_THAT(SubmitBatch({School("城北", "b", {{1, 1}}),
                           School("城关", "c", {{1, 1}})},
                          &summary),
              GrpcOk());
  WatchCollector watch(*stub_, v1::WatchRequest());
  ASSERT_TRUE(WaitFor([&] { return watch.revisions().size() == 2; }));
  ASSERT_THAT(Submit(School("城北", "a", {{1, 2}})), GrpcOk());
  ASSERT_TRUE(WaitFor([&] { return watch.revisions().size() == 3; }));
  EXPECT_THAT(watch.revisions(), ElementsAre(1, 2, 3));
  EXPECT_THAT(watch.schools(), ElementsAre("a", "b", "c", "a"));
  std::vector<v1::WatchResponse> responses = watch.responses();
  EXPECT_THAT(responses[1].events(), SizeIs(2));  // one revision together
  const v1::Event& correction = responses.back().events(0);
  EXPECT_EQ(correction.prev_school().grades(0).registry_count(), 1);
  EXPECT_EQ(correction.school().grades(0).registry_count(), 2);
}

TEST_F(IngestServerTest, LargeRevisionTravelsAsFragments) {
  std::vector<v1::SubmitRequest> rows;
  for (int i = 0; i < kMaxEventsPerMessage + 10; ++i) {
    rows.push_back(School("城北", absl::StrCat("s", i), {{1, 1}}));
  }
  v1::ImportSummary summary;
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());
  WatchCollector watch(*stub_, v1::WatchRequest());
  ASSERT_TRUE(WaitFor([&] { return watch.schools().size() == rows.size(); }));
  auto responses = watch.responses();
  ASSERT_THAT(responses, SizeIs(2));
  EXPECT_TRUE(responses[0].fragment());
  EXPECT_FALSE(responses[1].fragment());
  EXPECT_EQ(responses[0].revision(), responses[1].revision());
}

TEST_F(IngestServerTest, ResumesAfterReconnectAndAcrossRestart) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(Submit(School("城北", absl::StrCat("s", i), {{1, 1}})),
                GrpcOk());
  }
  int64_t last_seen = 0;
  {
    WatchCollector watch(*stub_, v1::WatchRequest());
    ASSERT_TRUE(WaitFor([&] { return watch.revisions().size() == 3; }));
    last_seen = watch.revisions().back();
  }
  ASSERT_THAT(Submit(School("城北", "s3", {{1, 1}})), GrpcOk());
  v1::WatchRequest resume;
  resume.set_after_revision(last_seen);
  {
    WatchCollector watch(*stub_, resume);
    ASSERT_TRUE(WaitFor([&] { return watch.revisions().size() == 1; }));
    EXPECT_THAT(watch.revisions(), ElementsAre(4));
  }

  // A watcher open during a restart ends with UNAVAILABLE, then resumes.
  auto open_watch = std::make_unique<WatchCollector>(*stub_, resume);
  ASSERT_TRUE(WaitFor([&] { return open_watch->revisions().size() == 1; }));
  Restart();
  ASSERT_TRUE(WaitFor([&] { return open_watch->done(); }));
  EXPECT_THAT(open_watch->status(), HasCode(grpc::StatusCode::UNAVAILABLE));
  open_watch.reset();

  // Revisions continue without reuse after the restart.
  v1::SubmitResponse response;
  ASSERT_THAT(Submit(School("城北", "s4", {{1, 1}}), &response), GrpcOk());
  EXPECT_EQ(response.revision(), 5);
  resume.set_after_revision(4);
  WatchCollector watch(*stub_, resume);
  ASSERT_TRUE(WaitFor([&] { return watch.revisions().size() == 1; }));
  EXPECT_THAT(watch.revisions(), ElementsAre(5));
  EXPECT_THAT(ListAll().schools(), SizeIs(5));
}

TEST_F(IngestServerTest, CompactedHistoryIsOutOfRangeThenListThenWatch) {
  for (int i = 0; i < 4; ++i) {
    ASSERT_THAT(Submit(School("城北", absl::StrCat("s", i), {{1, 1}})),
                GrpcOk());
  }
  v1::CompactRequest compact;
  compact.set_revision(3);
  v1::CompactResponse compacted;
  ASSERT_THAT(stub_->Compact(Context().get(), compact, &compacted), GrpcOk());
  EXPECT_EQ(compacted.oldest_revision(), 3);

  v1::WatchRequest old;
  old.set_after_revision(1);
  WatchCollector stale(*stub_, old);
  ASSERT_TRUE(WaitFor([&] { return stale.done(); }));
  EXPECT_THAT(stale.status(), HasCode(grpc::StatusCode::OUT_OF_RANGE));
  EXPECT_THAT(stale.status().error_message(),
              HasSubstr("oldest revision kept is 3"));

  // List, then watch from the list's revision: nothing missed or repeated.
  v1::ListSchoolsResponse list = ListAll();
  EXPECT_EQ(list.revision(), 4);
  EXPECT_THAT(list.schools(), SizeIs(4));
  v1::WatchRequest from_list;
  from_list.set_after_revision(list.revision());
  WatchCollector watch(*stub_, from_list);
  ASSERT_THAT(Submit(School("城北", "s9", {{1, 1}})), GrpcOk());
  ASSERT_TRUE(WaitFor([&] { return watch.revisions().size() == 1; }));
  EXPECT_THAT(watch.revisions(), ElementsAre(5));
}

TEST_F(IngestServerTest, IdleWatchGetsProgressOnTheClock) {
  ASSERT_THAT(Submit(School("城北", "a", {{1, 1}})), GrpcOk());
  v1::WatchRequest request;
  request.set_progress_interval_ms(3'600'000);  // an hour: only the clock
  WatchCollector watch(*stub_, request);
  auto progress_count = [&] {
    int progress = 0;
    for (const auto& r : watch.responses()) progress += r.progress();
    return progress;
  };
  ASSERT_TRUE(WaitFor([&] { return watch.responses().size() == 1; }));
  // The waker ticks every 50 ms, but the clock stands still: no progress.
  absl::SleepFor(absl::Milliseconds(300));
  EXPECT_EQ(progress_count(), 0);
  clock_.Advance(absl::Hours(1) - absl::Milliseconds(1));
  absl::SleepFor(absl::Milliseconds(150));
  EXPECT_EQ(progress_count(), 0);  // not yet a whole interval
  clock_.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(WaitFor([&] { return progress_count() == 1; }));
  clock_.Advance(absl::Hours(1));
  ASSERT_TRUE(WaitFor([&] { return progress_count() == 2; }));
  for (const auto& r : watch.responses()) {
    if (r.progress()) {
      EXPECT_EQ(r.header_revision(), 1);
      EXPECT_THAT(r.events(), SizeIs(0));
    }
  }
  EXPECT_FALSE(watch.responses().front().progress());  // the event came first
  // The commit time is the clock's.
  EXPECT_EQ(server_->store()->ReadLog(0, 1)->front().commit_time_unix_micros(),
            absl::ToUnixMicros(absl::FromUnixSeconds(1'450'396'800)));

  v1::WatchRequest bad;
  bad.set_after_revision(-1);
  WatchCollector rejected(*stub_, bad);
  ASSERT_TRUE(WaitFor([&] { return rejected.done(); }));
  EXPECT_THAT(rejected.status(), HasCode(grpc::StatusCode::INVALID_ARGUMENT));
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
  EXPECT_THAT(stub->Submit(Context().get(), School("城北", "a", {{1, 1}}),
                           &response),
              HasCode(grpc::StatusCode::UNAVAILABLE));
  ASSERT_TRUE((*server)->OpenStore().ok());
  EXPECT_EQ(Health((*server)->address()),
            grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(IngestServerTest, DrainTellsHealthWatchersNotServingBeforeThePortCloses) {
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
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  context.TryCancel();
  (void)watch->Finish();
  drain.join();
  // Then the port is closed: a new probe cannot connect at all.
  EXPECT_EQ(Health(server_->address()),
            grpc::health::v1::HealthCheckResponse::UNKNOWN);
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

TEST_F(IngestServerTest, StalledWatcherIsCancelledOnTheClock) {
  // The limit is a minute of the server's clock, which here stands still
  // until the test moves it: only the simulated minute can cut the stream.
  server_->Shutdown();
  server_.reset();
  IngestServer::Options options = Options();
  options.watch_stall_limit = absl::Seconds(60);
  auto server = IngestServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
  Connect();
  auto stalled = v1::IngestService::NewStub(
      headcount::testing::SmallWindowChannel(server_->address()));
  auto context = Context(absl::Seconds(30));
  auto reader = stalled->Watch(context.get(), v1::WatchRequest());
  constexpr int kRevisions = 300;  // ~300 KiB against a 4 KiB window
  for (int i = 0; i < kRevisions; ++i) {
    std::vector<std::pair<int64_t, int64_t>> grades(12, {1, 100});
    ASSERT_THAT(Submit(School("城北", absl::StrCat(std::string(60, 'x'), i), grades,
                              absl::StrCat("stall-", i))),
                GrpcOk());
  }
  // Each step is a whole simulated minute; a write stuck across one is cut.
  for (int step = 0; step < 10; ++step) {
    absl::SleepFor(absl::Milliseconds(100));
    clock_.Advance(absl::Seconds(61));
  }
  int64_t last = 0;
  v1::WatchResponse response;
  while (reader->Read(&response)) {
    if (response.progress()) continue;
    EXPECT_EQ(response.revision(), last + 1);
    last = response.revision();
  }
  const grpc::Status status = reader->Finish();
  EXPECT_THAT(status, HasCode(grpc::StatusCode::RESOURCE_EXHAUSTED));
  EXPECT_THAT(status.error_message(), HasSubstr("read nothing for 1m"));
  EXPECT_LT(last, kRevisions);
}

}  // namespace
}  // namespace headcount::ingest
