#include "ingest_service/group_committer.h"

#include <utility>

#include "common/domain/mutex.h"

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
    std::vector<absl::StatusOr<CommitResult>> results = write_group_(group);
    for (size_t i = 0; i < group.size(); ++i) {
      group[i].done(i < results.size()
                        ? std::move(results[i])
                        : absl::InternalError("no result for a commit"));
    }
    after_answers_();
  }
}

}  // namespace headcount::ingest
