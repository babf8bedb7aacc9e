// What one commit does, decided before anything is written: for each row,
// created, updated, unchanged, a replay of an earlier submission_id, or a
// refusal; and the records, log entry and idempotency keys to write. Pure:
// the state it depends on comes through a PlanReader.
#ifndef HEADCOUNT_INGEST_SERVICE_COMMIT_PLANNER_H_
#define HEADCOUNT_INGEST_SERVICE_COMMIT_PLANNER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/domain/school_key.h"
#include "headcount/storage/storage.pb.h"
#include "headcount/v1/ingest.pb.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// The stored state a plan depends on, as of the commit being planned (the
// writes of earlier commits of the same group included).
class PlanReader {
 public:
  virtual ~PlanReader() = default;
  // The school's stored record (a tombstone when it was retracted);
  // nullopt when it never had one.
  virtual absl::StatusOr<std::optional<v1::SchoolRecord>> School(
      const SchoolKey& key) = 0;
  // What `submission_id` committed; nullopt when it was never used.
  virtual absl::StatusOr<std::optional<storage::SubmissionEntry>> Submission(
      absl::string_view submission_id) = 0;
  // The school's roster entry; nullopt when it has none.
  virtual absl::StatusOr<std::optional<v1::RosterEntry>> RosterEntryOf(
      const SchoolKey& key) = 0;
  // Every county's region, by county.
  virtual absl::StatusOr<std::vector<v1::Region>> Regions() = 0;
  // The roster entries of `term` and `county` (of `district` only, when
  // given), by district and school.
  virtual absl::StatusOr<std::vector<v1::RosterEntry>> Roster(
      absl::string_view term, absl::string_view county,
      absl::string_view district) = 0;
};

struct CommitPlan {
  // The answer. result.revision is the commit's revision when it changes
  // something (0 otherwise, on rejection and for a dry run).
  CommitResult result;
  // What to write, all in one batch; empty on rejection and for a dry run.
  // New records, one per school; a retracted school's is its tombstone
  // (no grades).
  std::vector<v1::SchoolRecord> records;
  std::vector<std::pair<std::string, storage::SubmissionEntry>> submissions;
  std::optional<storage::RevisionEntry> log_entry;  // when records changed
  // Roster entries to write (with grades) or to delete (the key only).
  std::vector<std::pair<SchoolKey, std::optional<v1::RosterEntry>>> roster;
  // Regions to write.
  std::vector<v1::Region> regions;
};

// Plans `rows` (each valid by ValidateSubmitRequest or
// ValidateRetractRequest) as one commit that gets `revision` if it changes
// anything, stamped `commit_time` and `options.submitted_by`. A submission
// writes the grades it carries over the school's others; a retraction
// removes the grades it names (all: the school, leaving a tombstone and a
// DELETE event). A school or submission_id twice in the rows, a
// submission_id used before for other content (ALREADY_EXISTS), or a
// retraction of a school or grade without counts (NOT_FOUND) rejects the
// whole commit. Errors only from `reader`.
absl::StatusOr<CommitPlan> PlanCommit(const std::vector<storage::Change>& rows,
                                      const CommitOptions& options,
                                      int64_t revision, absl::Time commit_time,
                                      PlanReader& reader);

// What identifies a row's content: the school and its grades sorted by
// grade, serialized deterministically (a retraction's marked as one).
std::string Fingerprint(const v1::SubmitRequest& row);
std::string Fingerprint(const v1::RetractRequest& row);
std::string Fingerprint(const v1::PutRosterRequest& row);
std::string Fingerprint(const v1::PutRegionsRequest& row);

// True for the tombstone a retraction leaves of a school (no grades; a
// live record always has some).
bool IsRemoved(const v1::SchoolRecord& record);


}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_COMMIT_PLANNER_H_
