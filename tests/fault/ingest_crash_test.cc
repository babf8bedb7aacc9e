// kill -9 of the real headcount-ingest at random moments while clients
// submit concurrently (single schools, corrections, batches), then restart,
// for kCycles cycles. Afterwards: revisions 1..N without gaps; every
// acknowledged submission in the log at the revision it was acknowledged
// with; every batch whose answer was lost wholly present in one revision or
// wholly absent; and three watchers that followed the feed across every
// restart saw no violation of the watch guarantees.
#include <signal.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "common/domain/mutex.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "tests/fault/service_process.h"
#include "tests/fault/watch_validator.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

constexpr int kCycles = 20;
constexpr int kClients = 6;
constexpr int kBatchSize = 5;

struct Acked {
  std::vector<v1::SubmitRequest> rows;  // one for Submit
  int64_t revision = 0;                 // 0: unchanged, no revision
};

std::string Key(const v1::SchoolRecord& r) {
  return absl::StrCat(r.school(), "/", r.grades(0).onsite_count(), "/",
                      r.grades(0).registry_count());
}
std::string Key(const v1::SubmitRequest& r) {
  return absl::StrCat(r.school(), "/", r.grades(0).onsite_count(), "/",
                      r.grades(0).registry_count());
}

TEST(IngestCrashTest, KillNineDuringConcurrentSubmissions) {
  TempDir dir;
  const std::vector<std::string> args_base = {"--data_dir=" + dir.Sub("ingest")};
  auto first = ServiceProcess::Start(
      "headcount-ingest", {"--listen=127.0.0.1:0", args_base[0]}, dir.Sub("ingest"));
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string address = (*first)->address();
  std::unique_ptr<ServiceProcess> ingest = *std::move(first);

  std::vector<std::unique_ptr<WatchValidator>> watchers;
  for (int i = 0; i < 3; ++i) watchers.push_back(std::make_unique<WatchValidator>(address));

  absl::Mutex mu;
  std::vector<Acked> acked;
  std::vector<std::vector<v1::SubmitRequest>> unknown_batches;
  std::mt19937 random(20151103);
  int64_t unary_acks = 0, batch_acks = 0, lost_answers = 0;

  for (int cycle = 0; cycle < kCycles; ++cycle) {
    std::atomic<bool> stop{false};
    std::atomic<int> acks_this_cycle{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        auto stub = v1::IngestService::NewStub(FastReconnectChannel(address));
        std::mt19937 local(cycle * 100 + c);
        for (int i = 0; !stop.load(); ++i) {
          const std::string name = absl::StrCat("c", cycle, "-", c, "-", i);
          if (i % 4 == 3) {
            std::vector<v1::SubmitRequest> rows;
            for (int b = 0; b < kBatchSize; ++b) {
              rows.push_back(School("城北", absl::StrCat(name, "-b", b), {{1, 2 + b}}));
            }
            v1::ImportSummary summary;
            auto context = Context(absl::Seconds(2));
            auto writer = stub->SubmitBatch(context.get(), &summary);
            for (const auto& row : rows) writer->Write(row);
            writer->WritesDone();
            grpc::Status status = writer->Finish();
            MutexLock lock(&mu);
            if (status.ok()) {
              acked.push_back({rows, summary.revision()});
              ++batch_acks;
              ++acks_this_cycle;
            } else {
              unknown_batches.push_back(rows);
              ++lost_answers;
            }
          } else {
            // A new school, or a correction of this client's previous one.
            v1::SubmitRequest request =
                i % 4 == 1 ? School("城北", absl::StrCat("c", cycle, "-", c, "-", i - 1),
                                    {{static_cast<int64_t>(local() % 50), 60}},
                                    absl::StrCat(name, "-fix"))
                           : School("城北", name, {{1, 60}});
            v1::SubmitResponse response;
            grpc::Status status =
                stub->Submit(Context(absl::Seconds(2)).get(), request, &response);
            MutexLock lock(&mu);
            if (status.ok()) {
              acked.push_back({{request},
                               response.outcome() == v1::UNCHANGED ? 0 : response.revision()});
              ++unary_acks;
              ++acks_this_cycle;
            } else {
              ++lost_answers;
            }
          }
        }
      });
    }
    // Kill at a random moment while submissions flow: once this cycle has an
    // acknowledgement (a sanitizer build takes a while to open the store),
    // then 0..250 ms later.
    const bool flowing = WaitFor([&] { return acks_this_cycle.load() > 0; },
                                 absl::Seconds(30));
    absl::SleepFor(absl::Milliseconds(random() % 250));
    ingest->Stop(SIGKILL);
    stop = true;
    for (auto& t : clients) t.join();
    ASSERT_TRUE(flowing) << "cycle " << cycle << ": no submission acknowledged in 30 s";

    auto restarted = ServiceProcess::Start(
        "headcount-ingest", {"--listen=" + address, args_base[0]}, dir.Sub("ingest"));
    ASSERT_TRUE(restarted.ok()) << "cycle " << cycle << ": " << restarted.status();
    ingest = *std::move(restarted);
  }

  // The whole log, as one more watcher sees it from revision 0.
  auto stub = v1::IngestService::NewStub(FastReconnectChannel(address));
  v1::ListSchoolsResponse head;
  ASSERT_TRUE(WaitFor([&] {
    return stub->ListSchools(Context().get(), v1::ListSchoolsRequest(), &head).ok();
  }));
  const int64_t last = head.revision();
  ASSERT_GT(last, 0) << "nothing was committed";
  for (auto& watcher : watchers) {
    ASSERT_TRUE(watcher->WaitFor(last, absl::Seconds(30)));
  }
  const auto log = watchers[0]->revisions();
  ASSERT_EQ(static_cast<int64_t>(log.size()), last) << "gaps in the log";
  EXPECT_EQ(log.begin()->first, 1);
  EXPECT_EQ(log.rbegin()->first, last);

  // Acknowledged: present at the acknowledged revision.
  int64_t checked = 0;
  for (const Acked& a : acked) {
    if (a.revision == 0) continue;
    auto it = log.find(a.revision);
    ASSERT_NE(it, log.end()) << "acknowledged revision " << a.revision << " missing";
    std::set<std::string> in_revision;
    for (const auto& record : it->second) in_revision.insert(Key(record));
    for (const auto& row : a.rows) {
      EXPECT_TRUE(in_revision.count(Key(row))) << Key(row) << " not at " << a.revision;
      ++checked;
    }
    EXPECT_EQ(in_revision.size(), a.rows.size()) << "revision " << a.revision;
  }
  // Unanswered batches: all in one revision, or nowhere.
  std::map<std::string, int64_t> where;
  for (const auto& [revision, records] : log) {
    for (const auto& record : records) where[Key(record)] = revision;
  }
  int present = 0, absent = 0;
  for (const auto& rows : unknown_batches) {
    std::set<int64_t> revisions;
    int found = 0;
    for (const auto& row : rows) {
      auto it = where.find(Key(row));
      if (it != where.end()) {
        ++found;
        revisions.insert(it->second);
      }
    }
    EXPECT_TRUE(found == 0 || (found == kBatchSize && revisions.size() == 1))
        << "a batch half stored: " << found << " of " << kBatchSize;
    (found == 0 ? absent : present)++;
  }
  for (auto& watcher : watchers) {
    EXPECT_THAT(watcher->violations(), ::testing::IsEmpty());
    EXPECT_GE(watcher->connections(), kCycles);
  }
  std::printf("[ figures ] %d kill -9 cycles, %lld revisions, %lld acknowledged "
              "rows checked (%lld unary, %lld batches acknowledged), %lld calls "
              "failed around the kills, unanswered batches: %d stored whole, %d absent; "
              "watchers checked %lld responses over %d connections each\n",
              kCycles, static_cast<long long>(last), static_cast<long long>(checked),
              static_cast<long long>(unary_acks), static_cast<long long>(batch_acks),
              static_cast<long long>(lost_answers), present, absent,
              static_cast<long long>(watchers[0]->responses_checked()),
              watchers[0]->connections());
}

}  // namespace
}  // namespace headcount::testing
