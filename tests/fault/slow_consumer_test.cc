// Watchers that stop reading must not make the ingest's memory grow with
// the feed: each Watch stream reads the log from RocksDB one revision at a
// time with one write in flight, so a stalled client holds at most one
// revision in the server plus gRPC's flow-control window. With the stall
// limit off, the stalled watcher then reads every revision in order; with
// it on, the stream is cancelled with RESOURCE_EXHAUSTED and the watcher
// resumes from the last revision it received.
#include <signal.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fault/service_process.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

constexpr int kRevisions = 4000;
constexpr int kStalledWatchers = 10;

// Submits `revisions` schools of 12 grades with long names (about 1 KiB per
// event with its previous record) from 8 threads: `revisions` revisions.
void Load(const std::string& address, int round, int revisions = kRevisions) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::IngestService::NewStub(FastReconnectChannel(address));
      for (int i = t; i < revisions; i += 8) {
        // Round 1 corrects every school of round 0: a new revision each.
        std::vector<std::pair<int64_t, int64_t>> grades(12, {round, 100});
        auto request = School("城北", absl::StrCat(std::string(60, 'x'), "学校", i),
                              grades, absl::StrCat(round, "-", i));
        v1::SubmitResponse response;
        grpc::Status status = stub->Submit(Context().get(), request, &response);
        EXPECT_TRUE(status.ok()) << status.error_message();
      }
    });
  }
  for (auto& t : threads) t.join();
}

// Watch streams opened and never read, on SmallWindowChannel.
struct StalledWatchers {
  std::vector<std::unique_ptr<v1::IngestService::Stub>> stubs;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchResponse>>> readers;

  void Open(const std::string& address, int count) {
    for (int i = 0; i < count; ++i) {
      stubs.push_back(v1::IngestService::NewStub(SmallWindowChannel(address)));
      auto context = std::make_unique<grpc::ClientContext>();
      context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
      readers.push_back(stubs.back()->Watch(context.get(), v1::WatchRequest()));
      contexts.push_back(std::move(context));
    }
  }
};

// Resident memory growth of a fresh ingest (kept in `keep`) under the load,
// in KiB, with `stalled` watchers in `watchers`.
long GrowthKib(int stalled, StalledWatchers& watchers,
               std::unique_ptr<ServiceProcess>* keep, const TempDir& dir,
               const std::string& name) {
  // The stall limit off: these watchers stay stalled through the load.
  auto ingest = ServiceProcess::Start(
      "headcount-ingest",
      {"--listen=127.0.0.1:0", "--data_dir=" + dir.Sub(name), "--watch_stall_limit=0"},
      dir.Sub(name));
  EXPECT_TRUE(ingest.ok()) << ingest.status();
  EXPECT_TRUE((*ingest)->WaitServing());
  const std::string address = (*ingest)->address();
  watchers.Open(address, stalled);
  Load(address, 0);  // warm up allocators and the memtable
  const long before = (*ingest)->ResidentKib();
  Load(address, 1);
  const long after = (*ingest)->ResidentKib();
  *keep = *std::move(ingest);
  return after - before;
}

TEST(SlowConsumerTest, StalledWatchersDoNotGrowMemory) {
  TempDir dir;
  StalledWatchers none, watchers;
  std::unique_ptr<ServiceProcess> control, stalled;
  const long control_kib = GrowthKib(0, none, &control, dir, "control");
  const long stalled_kib = GrowthKib(kStalledWatchers, watchers, &stalled, dir, "stalled");
  // Buffering the second round for every stalled watcher would take about
  // kStalledWatchers * kRevisions * 1 KiB = 40 MiB.
  std::printf("[ figures ] RSS growth over %d revisions: %ld KiB with no watcher, "
              "%ld KiB with %d stalled watchers\n",
              kRevisions, control_kib, stalled_kib, kStalledWatchers);
  EXPECT_LT(stalled_kib - control_kib, 12 * 1024);

  // A stalled watcher reads at last: every revision, in order, none lost.
  int64_t last = 0;
  int64_t received = 0;
  v1::WatchResponse response;
  while (last < 2 * kRevisions && watchers.readers[0]->Read(&response)) {
    if (response.progress()) continue;
    EXPECT_EQ(response.revision(), last + 1);
    last = response.revision();
    ++received;
  }
  EXPECT_EQ(received, 2 * kRevisions);
  for (auto& context : watchers.contexts) context->TryCancel();
  for (auto& reader : watchers.readers) reader->Finish();
}

TEST(SlowConsumerTest, StalledWatcherIsCancelledAndResumes) {
  constexpr int kFew = 400;  // about 400 KiB: far beyond the 4 KiB window
  TempDir dir;
  auto ingest = ServiceProcess::Start(
      "headcount-ingest",
      {"--listen=127.0.0.1:0", "--data_dir=" + dir.Sub("ingest"), "--watch_stall_limit=1s"},
      dir.Sub("ingest"));
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  ASSERT_TRUE((*ingest)->WaitServing());
  const std::string address = (*ingest)->address();
  StalledWatchers watchers;
  watchers.Open(address, 1);
  Load(address, 0, kFew);
  // The stall limit is 1 s and the ingest checks every 50 ms.
  absl::SleepFor(absl::Seconds(3));

  // What the server sent before the cancel arrives, in order, then the status.
  int64_t last = 0;
  v1::WatchResponse response;
  while (watchers.readers[0]->Read(&response)) {
    if (response.progress()) continue;
    EXPECT_EQ(response.revision(), last + 1);
    last = response.revision();
  }
  const grpc::Status status = watchers.readers[0]->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << status.error_message();
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("after_revision"));
  EXPECT_LT(last, kFew) << "the stalled stream was not cut";

  // Resumed from the last revision received: the rest, in order.
  auto stub = v1::IngestService::NewStub(FastReconnectChannel(address));
  v1::WatchRequest request;
  request.set_after_revision(last);
  auto context = Context(absl::Seconds(30));
  auto reader = stub->Watch(context.get(), request);
  const int64_t resumed_from = last;
  while (last < kFew && reader->Read(&response)) {
    if (response.progress()) continue;
    EXPECT_EQ(response.revision(), last + 1);
    last = response.revision();
  }
  EXPECT_EQ(last, kFew);
  context->TryCancel();
  reader->Finish();
  std::printf("[ figures ] stalled watcher ended with status %d after receiving "
              "%lld of %d revisions; resumed and read up to revision %lld\n",
              static_cast<int>(status.error_code()),
              static_cast<long long>(resumed_from), kFew, static_cast<long long>(last));
}

}  // namespace
}  // namespace headcount::testing
