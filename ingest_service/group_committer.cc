#include "ingest_service/group_committer.h"

#include <utility>

#include "absl/time/clock.h"
#include "common/domain/mutex.h"
#include "common/server/metrics.h"

namespace headcount::ingest {

GroupCommitter::GroupCommitter(WriteGroup write_group,
                               std::function<void()> after_answers)
    : write_group_(std::move(write_group)),
      after_answers_(std::move(after_answers)) {
  thread_ = std::thread([this] { Run(); });
}

GroupCommitter::~GroupCommitter() { Stop(); }

void GroupCommitter::Enqueue(PendingCommit commit) {
  {
    MutexLock lock(&mu_);
    if (!stopping_) {
      queue_.push_back(std::move(commit));
      return;
    }
  }
  commit.done(absl::UnavailableError("the store is closing"));
}

void GroupCommitter::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void GroupCommitter::Run() {
  while (true) {
    std::vector<PendingCommit> group;
    {
      MutexLock lock(&mu_);
      Await(&mu_, absl::Condition(
                      +[](GroupCommitter* self)
                           ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
                             return self->stopping_ || !self->queue_.empty();
                           },
                      this));
      if (queue_.empty()) return;  // stopping, and nothing left to do
      group.reserve(queue_.size());
      for (PendingCommit& commit : queue_) group.push_back(std::move(commit));
      queue_.clear();
    }
    const absl::Time write_start = absl::Now();
    std::vector<absl::StatusOr<CommitResult>> results = write_group_(group);
    static prometheus::Histogram& write_seconds = MetricHistogram(
        "headcount_ingest_synced_write_seconds",
        "Time of one synced RocksDB write of a group of commits.");
    static prometheus::Histogram& group_size = MetricHistogram(
        "headcount_ingest_commit_group_size",
        "Commits (Submit calls and batches) written by one synced write.", {},
        {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
    static prometheus::Histogram& group_rows = MetricHistogram(
        "headcount_ingest_commit_rows",
        "Schools written by one synced write.", {},
        {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536});
    write_seconds.Observe(absl::ToDoubleSeconds(absl::Now() - write_start));
    group_size.Observe(static_cast<double>(group.size()));
    size_t rows = 0;
    for (const PendingCommit& commit : group) rows += commit.rows.size();
    group_rows.Observe(static_cast<double>(rows));
    for (size_t i = 0; i < group.size(); ++i) {
      group[i].done(i < results.size()
                        ? std::move(results[i])
                        : absl::InternalError("no result for a commit"));
    }
    after_answers_();
  }
}

}  // namespace headcount::ingest
