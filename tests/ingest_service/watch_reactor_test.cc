// The ingest's Watch stream through its generated stub on a real server:
// replay then live, fragments, resumption, compaction, progress and stalls
// on a simulated clock, the county filter.
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
    ASSERT_THAT(Submit(School("城北", absl::StrCat(std::string(60, 'x'), i),
                              grades, absl::StrCat("stall-", i))),
                GrpcOk());
  }
  // Each step is a whole simulated minute; a write stuck across one is cut.
  for (int step = 0; step < 30; ++step) {
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

TEST_F(IngestServerTest, SmallRevisionsShareMessagesWhenAsked) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(Submit(School("城北", absl::StrCat("s", i), {{1, 1}})), GrpcOk());
  }
  std::vector<v1::SubmitRequest> large;
  for (int i = 0; i < kMaxEventsPerMessage + 1; ++i) {
    large.push_back(School("城关", absl::StrCat("l", i), {{1, 1}}));
  }
  v1::ImportSummary summary;
  ASSERT_THAT(SubmitBatch(large, &summary), GrpcOk());  // revision 6
  for (int i = 0; i < 2; ++i) {
    ASSERT_THAT(Submit(School("城北", absl::StrCat("t", i), {{1, 1}})), GrpcOk());
  }
  v1::WatchRequest request;
  request.set_max_revisions_per_message(3);
  WatchCollector watch(*stub_, request);
  ASSERT_TRUE(WaitFor([&] { return watch.schools().size() == 5 + large.size() + 2; }));
  std::vector<v1::WatchResponse> responses = watch.responses();
  ASSERT_EQ(responses.size(), 5u);
  // 1..3, then 4..5 (6 is sent alone, in fragments), then 7..8.
  std::vector<std::vector<int64_t>> own_revisions;
  for (const v1::WatchResponse& response : responses) {
    std::vector<int64_t> revisions;
    for (const v1::Event& event : response.events()) {
      revisions.push_back(event.school().mod_revision());
    }
    own_revisions.push_back(revisions);
    EXPECT_EQ(response.revision(), revisions.back());  // the newest
    EXPECT_EQ(response.header_revision(), 8);
  }
  EXPECT_EQ(own_revisions[0], (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(own_revisions[1], (std::vector<int64_t>{4, 5}));
  EXPECT_TRUE(responses[2].fragment());
  EXPECT_EQ(responses[2].revision(), 6);
  EXPECT_FALSE(responses[3].fragment());
  EXPECT_EQ(responses[3].revision(), 6);
  EXPECT_EQ(own_revisions[4], (std::vector<int64_t>{7, 8}));
}

// A school of another county than School's 利辛县.
v1::SubmitRequest OtherCountySchool(const std::string& school) {
  v1::SubmitRequest request = School("城关", school, {{1, 1}});
  request.set_county("蒙城县");
  return request;
}

TEST_F(IngestServerTest, CountyFilterSendsThatCountysEventsAlone) {
  ASSERT_THAT(Submit(School("城北", "a", {{1, 1}})), GrpcOk());     // 1
  ASSERT_THAT(Submit(OtherCountySchool("m1")), GrpcOk());           // 2
  v1::ImportSummary summary;
  ASSERT_THAT(SubmitBatch({OtherCountySchool("m2"), School("城北", "b", {{1, 1}}),
                           OtherCountySchool("m3")},
                          &summary),
              GrpcOk());                                             // 3
  ASSERT_THAT(Submit(OtherCountySchool("m4")), GrpcOk());           // 4
  v1::WatchRequest request;
  request.set_county("利辛县");
  request.set_max_revisions_per_message(10);
  request.set_progress_interval_ms(1000);  // on the simulated clock
  WatchCollector watch(*stub_, request);
  ASSERT_TRUE(WaitFor([&] { return watch.schools().size() == 2; }));
  // Live: the other county's revision passes unsent, this one's arrives.
  ASSERT_THAT(Submit(OtherCountySchool("m5")), GrpcOk());           // 5
  ASSERT_THAT(Submit(School("城北", "c", {{1, 1}})), GrpcOk());     // 6
  ASSERT_TRUE(WaitFor([&] { return watch.schools().size() == 3; }));
  EXPECT_THAT(watch.schools(), ElementsAre("a", "b", "c"));
  EXPECT_THAT(watch.revisions(), ElementsAre(1, 3, 6));
  for (const v1::WatchResponse& response : watch.responses()) {
    for (const v1::Event& event : response.events()) {
      EXPECT_EQ(event.school().county(), "利辛县");
    }
  }
  // Progress passes the revisions that had nothing for it.
  ASSERT_THAT(Submit(OtherCountySchool("m6")), GrpcOk());           // 7
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(WaitFor([&] {
    for (const v1::WatchResponse& response : watch.responses()) {
      if (response.progress() && response.header_revision() == 7) return true;
    }
    return false;
  }));
  EXPECT_THAT(watch.schools(), SizeIs(3));
}

TEST_F(IngestServerTest, CountyFilterCutsALargeMixedRevisionToItsShare) {
  std::vector<v1::SubmitRequest> rows;
  for (int i = 0; i < kMaxEventsPerMessage + 10; ++i) {
    rows.push_back(School("城北", absl::StrCat("s", i), {{1, 1}}));
    rows.push_back(OtherCountySchool(absl::StrCat("m", i)));
  }
  v1::ImportSummary summary;
  ASSERT_THAT(SubmitBatch(rows, &summary), GrpcOk());
  v1::WatchRequest request;
  request.set_county("蒙城县");
  WatchCollector watch(*stub_, request);
  ASSERT_TRUE(WaitFor(
      [&] { return watch.schools().size() == kMaxEventsPerMessage + 10; }));
  std::vector<v1::WatchResponse> responses = watch.responses();
  ASSERT_THAT(responses, SizeIs(2));  // the county's share, in fragments
  EXPECT_TRUE(responses[0].fragment());
  EXPECT_FALSE(responses[1].fragment());
  for (const v1::WatchResponse& response : responses) {
    EXPECT_EQ(response.revision(), 1);
    for (const v1::Event& event : response.events()) {
      EXPECT_EQ(event.school().county(), "蒙城县");
    }
  }
}

}  // namespace
}  // namespace headcount::ingest
