// Group commit, shaped like LevelDB's DBImpl::Write / BuildBatchGroup: one
// committing thread takes every commit queued while the last group was
// being written, has them written together (one synced write shares one
// fsync), then answers each.
#ifndef HEADCOUNT_INGEST_SERVICE_GROUP_COMMITTER_H_
#define HEADCOUNT_INGEST_SERVICE_GROUP_COMMITTER_H_

#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "headcount/storage/storage.pb.h"
#include "headcount/v1/ingest.pb.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// A commit waiting for its group.
struct PendingCommit {
  std::vector<storage::Change> rows;
  CommitOptions options;
  SubmissionStore::CommitCallback done;
};

class GroupCommitter {
 public:
  // Writes one group durably and returns one result per commit, in order.
  // Runs on the committing thread only.
  using WriteGroup = std::function<std::vector<absl::StatusOr<CommitResult>>(
      const std::vector<PendingCommit>& group)>;

  // `after_answers` runs on the committing thread after each group's
  // answers (the store tells its listener about a new revision there).
  GroupCommitter(WriteGroup write_group, std::function<void()> after_answers);
  // Stop().
  ~GroupCommitter();

  // Queues `commit`; its `done` runs exactly once, on the committing
  // thread, or at once with UNAVAILABLE after Stop.
  void Enqueue(PendingCommit commit);

  // Takes no more commits, writes and answers those already queued, then
  // joins the thread. Idempotent.
  void Stop();

 private:
  void Run();

  const WriteGroup write_group_;
  const std::function<void()> after_answers_;
  absl::Mutex mu_;
  std::deque<PendingCommit> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_GROUP_COMMITTER_H_
