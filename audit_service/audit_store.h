// The audit service's state in its own RocksDB: each school's latest
// counts, the sums per school, district and county, the open alerts, the
// alert event log, and the last ingest revision applied. Each revision is
// applied in one WriteBatch that holds all of these, so a restart resumes
// exactly where the output stops (exactly once). The rule lives in
// AlertEvaluator, the tables in ReportBuilder; this class owns the key
// spaces and the writes.
#ifndef HEADCOUNT_AUDIT_SERVICE_AUDIT_STORE_H_
#define HEADCOUNT_AUDIT_SERVICE_AUDIT_STORE_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/statusor.h"
#include "common/storage/durable_db.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "audit_service/alert_evaluator.h"
#include "audit_service/audit_reader.h"
#include "audit_service/feed_check.h"
#include "common/domain/pinyin_order.h"
#include "audit_service/report_builder.h"
#include "common/domain/clock.h"
#include "common/storage/disk_floor.h"
#include "common/domain/discrepancy.h"
#include "common/storage/rocksdb_reader.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/utilities/write_batch_with_index.h"

namespace headcount::audit {

// Where FeedFollower applies the ingest feed. Implemented by AuditStore;
// tests/audit_service/feed_follower_test.cc fakes it.
class RevisionSink {
 public:
  virtual ~RevisionSink() = default;
  // The newest ingest revision applied (0 when none).
  virtual int64_t applied_revision() const = 0;
  // Applies the events of ingest revision `revision` (all of them: a
  // revision is applied whole or not at all): a PUT's record replaces the
  // school's, a DELETE removes the school (a district or county with no
  // school left leaves the reports). Then evaluates the alerts they touch.
  // Revisions at or below applied_revision() are ignored. Returns the
  // number of alert events appended. DATA_LOSS for a DELETE of a school
  // the sink does not hold.
  virtual absl::StatusOr<int> Apply(int64_t revision,
                                    const std::vector<v1::Event>& events) = 0;
  using Revision = FeedRevision;
  // Applies consecutive revisions, ascending, as Apply applies each, all
  // of them or none: the output of all of them and the newest revision
  // applied are written together, in one synced write (a follower that
  // receives many revisions at once pays for one). Revisions at or below
  // applied_revision() are ignored. Returns the alert events appended.
  // This default applies one at a time.
  virtual absl::StatusOr<int> ApplyRevisions(
      const std::vector<Revision>& revisions) {
    int appended = 0;
    for (const Revision& r : revisions) {
      absl::StatusOr<int> applied = Apply(r.revision, r.events);
      if (!applied.ok()) return applied.status();
      appended += *applied;
    }
    return appended;
  }
  // Makes the sink the ingest as of `revision` (a rebuild from ListSchools
  // and GetRoster): `events` are every school (PUT) and roster entry
  // (ROSTER_PUT) the ingest held then. What the sink holds beyond them is
  // removed in the same revision, as by DELETE and ROSTER_DELETE events.
  // Otherwise like Apply.
  virtual absl::StatusOr<int> ApplySnapshot(
      int64_t revision, const std::vector<v1::Event>& events) = 0;

  // The ingest history (WatchResponse.history_id) the applied state came
  // from; empty before the first.
  virtual std::string history_id() const = 0;
  // Makes `history_id` the sink's history. Nothing changes when it already
  // is; a sink without one (new, or from before history ids) records it.
  // A sink of another history discards everything it applied and every
  // alert, starts a new alert epoch and returns to revision 0, all in one
  // synced write; then returns true.
  virtual absl::StatusOr<bool> EnterHistory(const std::string& history_id) = 0;
};

class AuditStore final : public RevisionSink, public AuditReader {
 public:
  struct Options {
    std::string data_dir;
    ThresholdPolicy policy;
    bool sync = true;
    rocksdb::Env* env = nullptr;       // not owned; null: the default
    const Clock* clock = RealClock();  // stamps alert events; not owned
    // Checked before every write (RESOURCE_EXHAUSTED under it). Not
    // owned; null: no floor.
    const DiskFloor* disk_floor = nullptr;
    // Per term, when every district with a roster should be counted in
    // full (--coverage_deadline; empty: no coverage alerts). Once the clock
    // passes it (CheckCoverageDeadlines), each incomplete district has an
    // INCOMPLETE_COVERAGE alert until counted in full.
    std::map<std::string, absl::Time> coverage_deadlines;
  };

  // Opens (creating if missing). DATA_LOSS on corruption.
  static absl::StatusOr<std::unique_ptr<AuditStore>> Open(
      const Options& options);
  ~AuditStore() override;

  // Lets RocksDB write again after a write failed on a full disk (it stops
  // writing until resumed); OK when it had not stopped.
  absl::Status Resume();

  int64_t applied_revision() const override { return applied_revision_.load(); }
  absl::StatusOr<int> Apply(int64_t revision,
                            const std::vector<v1::Event>& events) override;
  absl::StatusOr<int> ApplyRevisions(
      const std::vector<Revision>& revisions) override;
  absl::StatusOr<int> ApplySnapshot(
      int64_t revision, const std::vector<v1::Event>& events) override;
  std::string history_id() const override;
  absl::StatusOr<bool> EnterHistory(const std::string& history_id) override;
  std::string epoch() const override;

  // Evaluates coverage once the clock has passed a term's deadline: the
  // first time, every district of the term with a roster (incomplete ones
  // RAISED), in one synced write with the record that the term is due, at
  // the applied revision; from then on each revision re-evaluates the
  // districts it touches, in its own batch. A term recorded as due whose
  // deadline is no longer configured or not yet reached has its coverage
  // alerts CLEARED and is forgotten. Returns the alert events appended.
  // Cheap when nothing is due.
  absl::StatusOr<int> CheckCoverageDeadlines();

  int64_t last_alert_id() const override { return last_alert_id_.load(); }
  absl::StatusOr<v1::ListCountiesResponse> ListCounties(
      absl::string_view term) override;
  absl::StatusOr<v1::CountyReport> GetCountyReport(
      const v1::GetCountyReportRequest& request) override;
  // The same without late corrections.
  absl::StatusOr<v1::CountyReport> GetCountyReport(absl::string_view term,
                                                   absl::string_view county) {
    v1::GetCountyReportRequest request;
    request.set_term(std::string(term));
    request.set_county(std::string(county));
    return GetCountyReport(request);
  }
  absl::StatusOr<v1::CoverageReport> GetCoverageReport(
      absl::string_view term, absl::string_view county) override;
  absl::StatusOr<v1::TermComparison> CompareTerms(
      const v1::CompareTermsRequest& request) override;
  absl::StatusOr<v1::RegionReport> GetRegionReport(
      const v1::GetRegionReportRequest& request) override;
  absl::StatusOr<v1::SourceComparison> CompareSources(
      const v1::CompareSourcesRequest& request) override;
  absl::StatusOr<v1::DistrictReport> GetDistrictReport(
      const v1::GetDistrictReportRequest& request) override;
  // The inspection's.
  absl::StatusOr<v1::DistrictReport> GetDistrictReport(
      absl::string_view term, absl::string_view county,
      absl::string_view district) {
    v1::GetDistrictReportRequest request;
    request.set_term(std::string(term));
    request.set_county(std::string(county));
    request.set_district(std::string(district));
    return GetDistrictReport(request);
  }
  absl::StatusOr<v1::ListGradeDiscrepanciesResponse> ListGradeDiscrepancies(
      const v1::ListGradeDiscrepanciesRequest& request) override;
  absl::StatusOr<v1::ListAlertsResponse> ListAlerts(
      const v1::AlertFilter& filter) override;
  absl::StatusOr<std::vector<v1::AlertEvent>> ReadAlerts(
      int64_t after_alert_id, int max_events) override;

  // RocksDB's figures now, for the metrics.
  StorageFigures storage_figures() const { return ReadStorageFigures(*db_); }

 private:
  AuditStore(const Options& options, std::unique_ptr<rocksdb::DB> db,
             std::unique_ptr<PinyinOrder> order, int64_t applied_revision,
             int64_t last_alert_id, std::string history_id, std::string epoch,
             std::set<std::string> coverage_terms);

  class AlertAppender;
  // Applies `revisions` (ascending; those at or below the applied one are
  // skipped) in one batch and one write.
  absl::StatusOr<int> ApplyLocked(
      const std::vector<std::pair<int64_t, const std::vector<v1::Event>*>>&
          revisions) ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  // Adds one revision's sums, records and alert events to `batch`, reading
  // through `reader` (the batch over the database).
  absl::Status StageRevision(rocksdb::WriteBatchWithIndex& batch,
                             RocksDbReader& reader, AlertAppender& alerts,
                             int64_t revision,
                             const std::vector<v1::Event>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);
  struct DistrictName {
    std::string term, county, district;
    bool operator<(const DistrictName& other) const {
      return std::tie(term, county, district) <
             std::tie(other.term, other.county, other.district);
    }
  };
  // Evaluates the coverage alert of each of `districts` against the state
  // `reader` sees; `alerts` writes the events.
  absl::Status EvaluateCoverage(RocksDbReader& reader,
                                const std::set<DistrictName>& districts,
                                AlertAppender& alerts);
  // Schools whose self-check or inspection a revision changed, by their
  // inspection record's key: the name (no source) and the grades either
  // held before.
  using ComparedSchools =
      std::map<std::string, std::pair<v1::SchoolRecord, std::set<int>>>;
  // Appends the SOURCE_MISMATCH events of every grade of `compared` (the
  // grades either source holds now or held before), as `reader` sees them.
  absl::Status EvaluateSourceMismatches(RocksDbReader& reader,
                                        const ComparedSchools& compared,
                                        const std::string& submitted_by,
                                        AlertAppender& alerts);
  // Adds to `targets` the cities and provinces (when the policy evaluates
  // them) whose sums `events` may change: where the counties counted lie,
  // and every place a county placed anew leaves or enters, in each term it
  // has counts. Their sums are those of their counties as `reader` sees
  // them (the batch's).
  absl::Status AddRegionTargets(RocksDbReader& reader,
                                const std::vector<v1::Event>& events,
                                std::map<std::string, AlertTarget>& targets);
  // Adds the newest alert id `alerts` wrote to `batch` and writes it
  // (synced unless options say otherwise) after the disk floor check;
  // `what` names the write in an error.
  absl::Status WriteWithAlerts(rocksdb::WriteBatchWithIndex& batch,
                               const AlertAppender& alerts,
                               absl::string_view what);
  // Terms due for coverage alerts (see CheckCoverageDeadlines) whose
  // deadline is still configured and past.
  bool CoverageDue(const std::string& term) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(apply_mu_);

  // One district's report of `source` as `reader` sees it at `revision`.
  absl::StatusOr<v1::DistrictReport> DistrictReportAt(
      RocksDbReader& reader, int64_t revision, absl::string_view term,
      absl::string_view county, absl::string_view district,
      v1::Source source);
  // The rows of a county's report (its districts) or, with `district`, of
  // that district's (its schools) from `source`'s counts: the inspection's
  // kept sums, or the self-check's records summed.
  absl::StatusOr<std::vector<NamedCounts>> ReadRows(
      RocksDbReader& reader, absl::string_view term, absl::string_view county,
      absl::string_view district, v1::Source source);

  // The sums stored under `prefix` (one level of one area), by name.
  absl::StatusOr<std::vector<NamedCounts>> ReadTotals(
      RocksDbReader& reader, const std::string& prefix);

  const Options options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::unique_ptr<PinyinOrder> order_;
  const AlertEvaluator evaluator_;
  const ReportBuilder builder_;
  absl::Mutex apply_mu_;  // one Apply at a time
  // Terms recorded as due for coverage alerts ('C' keys).
  std::set<std::string> coverage_terms_ ABSL_GUARDED_BY(apply_mu_);
  std::atomic<int64_t> applied_revision_;
  std::atomic<int64_t> last_alert_id_;
  mutable absl::Mutex ids_mu_;
  std::string history_id_ ABSL_GUARDED_BY(ids_mu_);
  std::string epoch_ ABSL_GUARDED_BY(ids_mu_);
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_AUDIT_STORE_H_
