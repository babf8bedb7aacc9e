// Group commit without RocksDB: commits queued while a group is being
// written go together into the next group; Stop answers what is queued.
#include "ingest_service/group_committer.h"

#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/domain/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount::ingest {
namespace {

using ::headcount::testing::Latch;
using ::headcount::testing::WaitFor;
using ::testing::ElementsAre;

// Writes groups, recording their sizes; the first group waits for `release`.
class RecordingWriter {
 public:
  std::vector<absl::StatusOr<CommitResult>> Write(
      const std::vector<PendingCommit>& group) {
    {
      MutexLock lock(&mu_);
      sizes_.push_back(static_cast<int>(group.size()));
    }
    if (first_) {
      first_ = false;
      release.Wait();
    }
    std::vector<absl::StatusOr<CommitResult>> results;
    for (const PendingCommit& commit : group) {
      CommitResult result;
      result.revision = static_cast<int64_t>(commit.rows.size());
      results.push_back(result);
    }
    return results;
  }
  std::vector<int> sizes() {
    MutexLock lock(&mu_);
    return sizes_;
  }

  Latch release;

 private:
  bool first_ = true;  // committing thread only
  absl::Mutex mu_;
  std::vector<int> sizes_ ABSL_GUARDED_BY(mu_);
};

PendingCommit Pending(int rows, std::vector<int64_t>* answers,
                      absl::Mutex* mu) {
  PendingCommit commit;
  commit.rows.resize(rows);
  commit.done = [answers, mu](absl::StatusOr<CommitResult> result) {
    MutexLock lock(mu);
    answers->push_back(result.ok() ? result->revision : -1);
  };
  return commit;
}

TEST(GroupCommitterTest, CommitsQueuedDuringAWriteShareTheNextGroup) {
  RecordingWriter writer;
  absl::Mutex mu;
  std::vector<int64_t> answers;
  int after_groups = 0;  // committing thread, read after Stop
  GroupCommitter committer(
      [&writer](const std::vector<PendingCommit>& group) {
        return writer.Write(group);
      },
      [&after_groups] { ++after_groups; });
  committer.Enqueue(Pending(1, &answers, &mu));
  ASSERT_TRUE(WaitFor([&] { return writer.sizes().size() == 1; }));
  // The first group is being written: these three queue behind it.
  committer.Enqueue(Pending(2, &answers, &mu));
  committer.Enqueue(Pending(3, &answers, &mu));
  committer.Enqueue(Pending(4, &answers, &mu));
  writer.release.Notify();
  ASSERT_TRUE(WaitFor([&] {
    MutexLock lock(&mu);
    return answers.size() == 4;
  }));
  committer.Stop();
  EXPECT_THAT(writer.sizes(), ElementsAre(1, 3));
  MutexLock lock(&mu);
  EXPECT_THAT(answers,
              ElementsAre(1, 2, 3, 4));  // each its own result, in order
  EXPECT_EQ(after_groups, 2);
}

TEST(GroupCommitterTest, StopAnswersWhatIsQueuedThenRefuses) {
  RecordingWriter writer;
  absl::Mutex mu;
  std::vector<int64_t> answers;
  GroupCommitter committer(
      [&writer](const std::vector<PendingCommit>& group) {
        return writer.Write(group);
      },
      [] {});
  committer.Enqueue(Pending(1, &answers, &mu));
  ASSERT_TRUE(WaitFor([&] { return writer.sizes().size() == 1; }));
  committer.Enqueue(Pending(2, &answers, &mu));
  writer.release.Notify();
  committer.Stop();  // writes the queued commit before returning
  committer.Enqueue(Pending(3, &answers, &mu));
  MutexLock lock(&mu);
  EXPECT_THAT(answers, ElementsAre(1, 2, -1));  // -1: UNAVAILABLE
}

}  // namespace
}  // namespace headcount::ingest
