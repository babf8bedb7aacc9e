// FeedFollower against a real in-process ingest, applying into a fake
// RevisionSink: where it resumes, how fragments are merged, what a failed
// apply does, and when it reports caught up.
#include "audit_service/feed_follower.h"

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest_service/ingest_server.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::CommitNow;
using ::headcount::testing::LoopbackIngestOptions;
using ::headcount::testing::School;
using ::headcount::testing::TempDir;
using ::headcount::testing::WaitFor;
using ::testing::ElementsAre;

// Keeps what it is given; can refuse the next apply.
class FakeRevisionSink final : public RevisionSink {
 public:
  explicit FakeRevisionSink(int64_t applied, std::string history = "")
      : applied_(applied), history_(std::move(history)) {}

  int64_t applied_revision() const override {
    MutexLock lock(&mu_);
    return applied_;
  }
  absl::StatusOr<int> Apply(int64_t revision,
                            const std::vector<v1::Event>& events) override {
    MutexLock lock(&mu_);
    calls_.push_back(absl::StrCat(revision, ":", events.size()));
    if (fail_next_) {
      fail_next_ = false;
      return absl::UnavailableError("disk full");
    }
    if (revision <= applied_) return 0;
    applied_ = revision;
    return 0;
  }
  absl::StatusOr<int> ApplyRevisions(
      const std::vector<FeedRevision>& revisions) override {
    {
      MutexLock lock(&mu_);
      if (!revisions.empty()) batch_sizes_.push_back(revisions.size());
    }
    return RevisionSink::ApplyRevisions(revisions);
  }
  absl::StatusOr<int> ApplySnapshot(
      int64_t revision, const std::vector<v1::Event>& events) override {
    {
      MutexLock lock(&mu_);
      calls_.push_back("snapshot");
    }
    return Apply(revision, events);
  }
  std::string history_id() const override {
    MutexLock lock(&mu_);
    return history_;
  }
  absl::StatusOr<bool> EnterHistory(const std::string& history) override {
    MutexLock lock(&mu_);
    if (history == history_) return false;
    const bool start_over = !history_.empty();
    calls_.push_back(start_over ? "start over" : "record history");
    history_ = history;
    if (start_over) applied_ = 0;
    return start_over;
  }
  void FailNext() {
    MutexLock lock(&mu_);
    fail_next_ = true;
  }
  // How many revisions each ApplyRevisions call carried.
  std::vector<size_t> batch_sizes() const {
    MutexLock lock(&mu_);
    return batch_sizes_;
  }
  // "revision:schools" per Apply call, in order.
  std::vector<std::string> calls() const {
    MutexLock lock(&mu_);
    return calls_;
  }

 private:
  mutable absl::Mutex mu_;
  int64_t applied_ ABSL_GUARDED_BY(mu_);
  std::string history_ ABSL_GUARDED_BY(mu_);
  bool fail_next_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::string> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<size_t> batch_sizes_ ABSL_GUARDED_BY(mu_);
};

class FeedFollowerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ingest =
        ingest::IngestServer::Start(LoopbackIngestOptions(dir_.Sub("ingest")));
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ingest_ = *std::move(ingest);
  }

  void Commit(std::vector<v1::SubmitRequest> rows) {
    ASSERT_TRUE(CommitNow(*ingest_->store(), std::move(rows)).ok());
  }

  FeedFollower::Options Options() {
    FeedFollower::Options options;
    options.ingest_address = ingest_->address();
    options.min_backoff = absl::Milliseconds(10);
    options.max_backoff = absl::Milliseconds(50);
    options.progress_interval = absl::Milliseconds(50);
    return options;
  }

  TempDir dir_;
  std::unique_ptr<ingest::IngestServer> ingest_;
};

TEST_F(FeedFollowerTest, ResumesAfterTheSinksRevisionAndMergesFragments) {
  Commit({School("城北", "a", {{1, 1}})});
  Commit({School("城北", "b", {{1, 1}})});
  std::vector<v1::SubmitRequest> big;  // 600 schools: three fragments
  for (int i = 0; i < 600; ++i)
    big.push_back(School("城关", absl::StrCat("s", i), {{1, 1}}));
  Commit(big);
  FakeRevisionSink sink(/*applied=*/1);
  int caught_up = 0;  // follower thread; read after Stop
  FeedFollower follower(
      Options(), &sink, [] {}, [&caught_up] { ++caught_up; });
  follower.Start();
  ASSERT_TRUE(WaitFor([&] { return sink.applied_revision() == 3; }));
  ASSERT_TRUE(WaitFor([&] { return follower.caught_up(); }));
  Commit({School("城北", "c", {{1, 1}})});
  ASSERT_TRUE(WaitFor([&] { return sink.applied_revision() == 4; }));
  follower.Stop();
  EXPECT_THAT(sink.calls(),
              ElementsAre("record history", "2:1", "3:600", "4:1"));
  EXPECT_EQ(caught_up, 1);  // once, not per revision
}

// Revisions already committed when the follower connects are due
// together: they come in one message and reach the sink in one call.
TEST_F(FeedFollowerTest, RevisionsDueTogetherReachTheSinkTogether) {
  for (int i = 0; i < 5; ++i) {
    Commit({School("城北", absl::StrCat("s", i), {{1, 1}})});
  }
  FakeRevisionSink sink(/*applied=*/0);
  FeedFollower follower(
      Options(), &sink, [] {}, [] {});
  follower.Start();
  ASSERT_TRUE(WaitFor([&] { return sink.applied_revision() == 5; }));
  Commit({School("城北", "late", {{1, 1}})});
  ASSERT_TRUE(WaitFor([&] { return sink.applied_revision() == 6; }));
  follower.Stop();
  EXPECT_THAT(sink.calls(), ElementsAre("record history", "1:1", "2:1", "3:1",
                                        "4:1", "5:1", "6:1"));
  EXPECT_THAT(sink.batch_sizes(), ElementsAre(5, 1));
}

TEST_F(FeedFollowerTest, AFailedApplyIsRetriedFromTheSinksRevision) {
  Commit({School("城北", "a", {{1, 1}})});
  FakeRevisionSink sink(/*applied=*/0);
  sink.FailNext();
  FeedFollower follower(
      Options(), &sink, [] {}, [] {});
  follower.Start();
  ASSERT_TRUE(WaitFor([&] { return sink.applied_revision() == 1; }));
  follower.Stop();
  EXPECT_THAT(sink.calls(), ElementsAre("record history", "1:1",
                                        "1:1"));  // refused, then again
  EXPECT_GE(follower.connections(), 2);
}

// The sink applied 5 revisions of another history (a wiped ingest, or
// another one): it starts over and follows this history from revision 1,
// and is caught up again only then.
TEST_F(FeedFollowerTest, AnotherHistoryStartsTheSinkOverFromRevisionOne) {
  Commit({School("城北", "a", {{1, 1}})});
  Commit({School("城北", "b", {{1, 1}})});
  FakeRevisionSink sink(/*applied=*/1, "an-older-history");
  int changes = 0;  // follower thread; read after Stop
  FeedFollower follower(
      Options(), &sink, [] {}, [] {}, [&changes] { ++changes; });
  follower.Start();
  ASSERT_TRUE(WaitFor([&] { return follower.caught_up(); }));
  follower.Stop();
  EXPECT_THAT(sink.calls(), ElementsAre("start over", "1:1", "2:1"));
  EXPECT_EQ(sink.history_id(), ingest_->store()->history_id());
  EXPECT_EQ(changes, 1);
}

TEST_F(FeedFollowerTest, RefusingAnotherHistoryAppliesNothing) {
  Commit({School("城北", "a", {{1, 1}})});
  FakeRevisionSink sink(/*applied=*/7, "an-older-history");
  FeedFollower::Options options = Options();
  options.refuse_other_history = true;
  FeedFollower follower(options, &sink, [] {}, [] {});
  follower.Start();
  ASSERT_TRUE(WaitFor([&] { return follower.connections() >= 3; }));
  follower.Stop();
  EXPECT_FALSE(follower.caught_up());
  EXPECT_THAT(sink.calls(), ::testing::IsEmpty());
  EXPECT_EQ(sink.applied_revision(), 7);
}

}  // namespace
}  // namespace headcount::audit
