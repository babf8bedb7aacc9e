// Watchers that stop reading must not make the ingest's memory grow with
// the feed: each Watch stream reads the log from RocksDB one revision at a
// time with one write in flight, so a stalled client holds at most one
// revision in the server plus gRPC's flow-control window. The stalled
// watcher then resumes and receives every revision in order.
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

// Submits kRevisions schools of 12 grades with long names (about 1 KiB per
// event with its previous record) from 8 threads: kRevisions revisions.
void Load(const std::string& address, int round) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::IngestService::NewStub(FastReconnectChannel(address));
      for (int i = t; i < kRevisions; i += 8) {
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

// Watch streams opened and never read, on channels whose HTTP/2 window is
// small and never grows (no BDP probing): gRPC's client library would
// otherwise keep accepting megabytes for a stream nobody reads.
struct StalledWatchers {
  std::vector<std::unique_ptr<v1::IngestService::Stub>> stubs;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchResponse>>> readers;
};

// Resident memory growth of a fresh ingest (kept in `keep`) under the load,
// in KiB, with `stalled` watchers in `watchers`.
long GrowthKib(int stalled, StalledWatchers& watchers,
               std::unique_ptr<ServiceProcess>* keep, const TempDir& dir,
               const std::string& name) {
  auto ingest = ServiceProcess::Start(
      "headcount-ingest", {"--listen=127.0.0.1:0", "--data_dir=" + dir.Sub(name)},
      dir.Sub(name));
  EXPECT_TRUE(ingest.ok()) << ingest.status();
  EXPECT_TRUE((*ingest)->WaitServing());
  const std::string address = (*ingest)->address();
  for (int i = 0; i < stalled; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 4096);
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    watchers.stubs.push_back(v1::IngestService::NewStub(grpc::CreateCustomChannel(
        address, grpc::InsecureChannelCredentials(), args)));
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(120)));
    watchers.readers.push_back(
        watchers.stubs.back()->Watch(context.get(), v1::WatchRequest()));
    watchers.contexts.push_back(std::move(context));
  }
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

}  // namespace
}  // namespace headcount::testing
