// SubmissionStore on RocksDB. Records, change log and idempotency keys are
// written in one WriteBatch per group of commits and synced before any of
// them is acknowledged; concurrent commits share that fsync.
#ifndef HEADCOUNT_INGEST_SERVICE_ROCKSDB_SUBMISSION_STORE_H_
#define HEADCOUNT_INGEST_SERVICE_ROCKSDB_SUBMISSION_STORE_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "ingest_service/submission_store.h"
#include "rocksdb/db.h"

namespace headcount::ingest {

class RocksDbSubmissionStore final : public SubmissionStore {
 public:
  struct Options {
    std::string data_dir;
    // Sync the WAL before acknowledging. Off only to show, in a test, that
    // the power-loss check can fail.
    bool sync = true;
    // Not owned; must outlive the store. Null: the default Env.
    rocksdb::Env* env = nullptr;
  };

  // Opens (creating if missing) and recovers the store: DATA_LOSS when
  // RocksDB finds corruption, UNAVAILABLE when the directory is locked.
  static absl::StatusOr<std::unique_ptr<RocksDbSubmissionStore>> Open(
      const Options& options);

  // Fails queued commits with UNAVAILABLE, then closes RocksDB.
  ~RocksDbSubmissionStore() override;

  void Commit(std::vector<v1::SubmitRequest> rows, bool dry_run,
              CommitCallback done) override;
  absl::StatusOr<v1::SchoolRecord> GetSchool(const SchoolKey& key) override;
  absl::StatusOr<v1::ListSchoolsResponse> ListSchools(
      const v1::ListSchoolsRequest& request) override;
  absl::StatusOr<std::vector<storage::RevisionEntry>> ReadLog(
      int64_t after_revision, int max_revisions) override;
  int64_t revision() const override { return revision_.load(); }
  absl::StatusOr<int64_t> Compact(int64_t revision) override;
  void SetCommitListener(std::function<void(int64_t)> listener) override;

 private:
  struct PendingCommit {
    std::vector<v1::SubmitRequest> rows;
    bool dry_run = false;
    CommitCallback done;
  };
  class GroupState;

  RocksDbSubmissionStore(const Options& options, std::unique_ptr<rocksdb::DB> db,
                         int64_t revision, int64_t oldest_revision);

  // The single committing thread: takes every queued commit, writes them in
  // one synced WriteBatch, then answers them.
  void CommitLoop();

  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<int64_t> revision_;
  std::atomic<int64_t> oldest_revision_;
  std::function<void(int64_t)> listener_;

  absl::Mutex queue_mu_;
  std::deque<PendingCommit> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;

  absl::Mutex compact_mu_;  // serializes Compact calls
  std::thread committer_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_ROCKSDB_SUBMISSION_STORE_H_
