// SubmissionStore on RocksDB. Records, change log and idempotency keys of a
// group of commits are written in one WriteBatch and synced before any of
// them is acknowledged (GroupCommitter); each commit is decided by
// PlanCommit through the group's own writes (WriteBatchWithIndex).
#ifndef HEADCOUNT_INGEST_SERVICE_ROCKSDB_SUBMISSION_STORE_H_
#define HEADCOUNT_INGEST_SERVICE_ROCKSDB_SUBMISSION_STORE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "common/domain/clock.h"
#include "common/storage/disk_floor.h"
#include "common/storage/durable_db.h"
#include "ingest_service/group_committer.h"
#include "ingest_service/submission_store.h"
#include "rocksdb/db.h"

namespace headcount::ingest {

class RocksDbSubmissionStore final : public SubmissionStore {
 public:
  struct Options {
    std::string data_dir;
    // Where Backup writes its copies (--backup_dir); empty: no backups.
    std::string backup_dir;
    // Sync the WAL before acknowledging. Off only to show, in a test, that
    // the power-loss check can fail.
    bool sync = true;
    // Not owned; must outlive the store. Null: the default Env.
    rocksdb::Env* env = nullptr;
    // Stamps each revision's commit time. Not owned.
    const Clock* clock = RealClock();
    // Checked before every write (RESOURCE_EXHAUSTED under it). Not
    // owned; null: no floor.
    const DiskFloor* disk_floor = nullptr;
    // Tests only: runs in Backup between the checkpoint and reading its
    // revision, where commits may land (a test commits there).
    std::function<void()> after_checkpoint;
    // Tests only: runs in Compact between finding the tombstones to delete
    // and deleting them, where commits may land (a test commits there).
    std::function<void()> after_tombstone_scan;
  };

  // Opens (creating if missing) and recovers the store: DATA_LOSS when
  // RocksDB finds corruption, UNAVAILABLE when the directory is locked.
  static absl::StatusOr<std::unique_ptr<RocksDbSubmissionStore>> Open(
      const Options& options);

  // Answers the commits already queued, then closes RocksDB.
  ~RocksDbSubmissionStore() override;

  // Lets RocksDB write again after a write failed on a full disk (it stops
  // writing until resumed); OK when it had not stopped.
  absl::Status Resume();

  void Commit(std::vector<storage::Change> rows, CommitOptions options,
              CommitCallback done) override;
  absl::StatusOr<v1::SchoolRecord> GetSchool(const SchoolKey& key) override;
  absl::StatusOr<v1::ListSchoolsResponse> ListSchools(
      const v1::ListSchoolsRequest& request) override;
  absl::StatusOr<std::vector<storage::RevisionEntry>> ReadLog(
      int64_t after_revision, int max_revisions) override;
  int64_t revision() const override { return revision_.load(); }
  absl::StatusOr<v1::BackupResponse> Backup() override;
  absl::StatusOr<v1::Roster> GetRoster(
      const v1::GetRosterRequest& request) override;
  absl::StatusOr<v1::Regions> GetRegions(
      const v1::GetRegionsRequest& request) override;
  // RocksDB's figures now, for the metrics.
  StorageFigures storage_figures() const { return ReadStorageFigures(*db_); }
  const std::string& history_id() const override { return history_id_; }
  absl::StatusOr<int64_t> Compact(int64_t revision) override;
  void SetCommitListener(std::function<void(int64_t)> listener) override;

 private:
  RocksDbSubmissionStore(const Options& options,
                         std::unique_ptr<rocksdb::DB> db, int64_t revision,
                         int64_t oldest_revision, std::string history_id);

  // Plans each commit of `group` in turn, writes them all in one synced
  // batch, and returns their results (the write's error for all on failure).
  std::vector<absl::StatusOr<CommitResult>> WriteGroup(
      const std::vector<PendingCommit>& group);
  // Tells the listener about a revision written by the last group.
  void AfterGroup();

  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::atomic<int64_t> revision_;
  const std::string history_id_;
  std::atomic<int64_t> oldest_revision_;
  std::function<void(int64_t)> listener_;
  bool advanced_ = false;  // committing thread only

  absl::Mutex compact_mu_;  // serializes Compact calls
  // Held by WriteGroup from its first read to its synced write, and by
  // Compact while it re-reads and deletes tombstones: a tombstone is
  // deleted only if no commit has replaced it (a school submitted again).
  absl::Mutex write_mu_;
  // Last member: its thread stops before the rest is destroyed.
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_ROCKSDB_SUBMISSION_STORE_H_
