// The system of record for school submissions and their change log.
#ifndef HEADCOUNT_INGEST_SERVICE_SUBMISSION_STORE_H_
#define HEADCOUNT_INGEST_SERVICE_SUBMISSION_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/domain/school_key.h"
#include "headcount/storage/storage.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount::ingest {

// What one row of a commit did.
struct RowResult {
  v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED;
  // The revision the row committed at; for UNCHANGED the revision that last
  // changed the school; for a replayed submission_id its first revision.
  int64_t revision = 0;
  v1::SchoolRecord school;  // the record as stored after the commit
  // True when the row's submission_id was committed before with the same
  // content: `outcome` and `revision` are that first commit's.
  bool replayed = false;
  // A retraction's (outcome RETRACTED): the grades removed, ascending, and
  // whether the whole school went (then `school` is empty).
  std::vector<int> grades_removed;
  bool school_removed = false;
  // Entries added, changed, removed and unchanged: a roster's (PutRoster;
  // changed: other grades) and a region table's (PutRegions; changed:
  // another city or province; none removed).
  struct EntryCounts {
    int added = 0, changed = 0, removed = 0, unchanged = 0;
  };
  EntryCounts roster;
  EntryCounts regions;
};

// A row the store refused (a conflicting submission_id retry, or a school or
// submission_id twice in one commit). Nothing of its commit is stored.
struct RowRejection {
  int index = 0;
  std::string field;
  std::string reason;
  absl::StatusCode code = absl::StatusCode::kInvalidArgument;
};

struct CommitResult {
  // The one revision the commit created; 0 when nothing changed, on
  // rejection and for a dry run.
  int64_t revision = 0;
  std::vector<RowResult> rows;  // one per row unless rejected is non-empty
  std::vector<RowRejection> rejected;
};

// How one commit is made.
struct CommitOptions {
  // Decide the outcome, store nothing.
  bool dry_run = false;
  // Who sent the rows (the client certificate's CN; empty without client
  // identities): recorded in the revision and each record it writes.
  std::string submitted_by;
  // Leave RowResult::school empty: the caller needs outcomes only (a
  // SubmitBatch of many schools need not hold a second copy of each).
  bool without_records = false;
};

// Submissions as the rows of a commit.
inline std::vector<storage::Change> Puts(std::vector<v1::SubmitRequest> rows) {
  std::vector<storage::Change> changes(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    *changes[i].mutable_submit() = std::move(rows[i]);
  }
  return changes;
}

// Durable store of school submissions and their change log. Thread-safe.
// Every commit that changes anything gets the next revision (1, 2, ...);
// revisions are never reused, also across restarts.
class SubmissionStore {
 public:
  using CommitCallback = absl::AnyInvocable<void(absl::StatusOr<CommitResult>)>;

  virtual ~SubmissionStore() = default;

  // Commits `rows` (each already valid by ValidateSubmitRequest or
  // ValidateRetractRequest) atomically as one revision: all stored or none.
  // A submission's grades are written over the school's (its other grades
  // stay); a retraction removes grades or the school (PlanCommit); the
  // revision and its records carry the commit time and
  // `options.submitted_by`. `done` runs exactly once, on a store thread,
  // after the revision is synced to disk (or, for a dry run, after the
  // outcome is known, with nothing written). Errors: UNAVAILABLE when the
  // store is closing or the write failed.
  virtual void Commit(std::vector<storage::Change> rows, CommitOptions options,
                      CommitCallback done) = 0;

  // The roster of the request's county (of its district, when given) as
  // it is now. NOT_FOUND when there is none.
  virtual absl::StatusOr<v1::Roster> GetRoster(
      const v1::GetRosterRequest& request) = 0;
  // Every county's region (of the request's province, when given), by
  // county, as of one revision. NOT_FOUND when there is none.
  virtual absl::StatusOr<v1::Regions> GetRegions(
      const v1::GetRegionsRequest& request) = 0;

  // NOT_FOUND when the school has no record for that term.
  virtual absl::StatusOr<v1::SchoolRecord> GetSchool(const SchoolKey& key) = 0;

  // One page of schools under the request's filters, read from one snapshot;
  // the response's revision is that snapshot's. INVALID_ARGUMENT for a page
  // token that does not belong to these filters.
  virtual absl::StatusOr<v1::ListSchoolsResponse> ListSchools(
      const v1::ListSchoolsRequest& request) = 0;

  // Up to `max_revisions` log entries above `after_revision`, oldest first,
  // without gaps. OUT_OF_RANGE, naming the oldest revision kept, when
  // revision after_revision + 1 was compacted away.
  virtual absl::StatusOr<std::vector<storage::RevisionEntry>> ReadLog(
      int64_t after_revision, int max_revisions) = 0;

  // The newest committed revision (0 before the first commit).
  virtual int64_t revision() const = 0;

  // This store's history: random, made when the store was created (or
  // first opened by a version that knew history ids), never changed.
  virtual const std::string& history_id() const = 0;

  // Drops log entries below `revision`, which must not exceed revision(),
  // and the tombstones of schools retracted below it (no listing or watch
  // that can still be served needs them). Returns the oldest revision kept.
  virtual absl::StatusOr<int64_t> Compact(int64_t revision) = 0;

  // Writes a consistent copy of the store (a RocksDB checkpoint, openable
  // as a data directory) into a new directory under the store's backup
  // directory, named after the history and the copy's revision. The
  // revision in the answer is the copy's own (commits go on while it is
  // made). FAILED_PRECONDITION when the store has no backup directory.
  virtual absl::StatusOr<v1::BackupResponse> Backup() = 0;

  // `listener` is called with each new revision after it is durable, on the
  // committing thread. Set once, before the first Commit.
  virtual void SetCommitListener(std::function<void(int64_t)> listener) = 0;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_SUBMISSION_STORE_H_
