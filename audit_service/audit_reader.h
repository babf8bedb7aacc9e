// What the audit's RPC handlers and alert streams read. Implemented by
// AuditStore; a fake serves handler tests without RocksDB.
#ifndef HEADCOUNT_AUDIT_SERVICE_AUDIT_READER_H_
#define HEADCOUNT_AUDIT_SERVICE_AUDIT_READER_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::audit {

// Thread-safe. Each report is read from one consistent state and carries
// the ingest revision it reflects.
class AuditReader {
 public:
  virtual ~AuditReader() = default;

  // The newest alert_id appended (0 when none).
  virtual int64_t last_alert_id() const = 0;
  // The alert epoch: random, made with the store and anew whenever it
  // starts over on another ingest history. Alert ids count from 1 within
  // an epoch; an id of another epoch means nothing in this one.
  virtual std::string epoch() const = 0;

  // The counties with counts in `term`, in pinyin order.
  virtual absl::StatusOr<v1::ListCountiesResponse> ListCounties(
      absl::string_view term) = 0;
  // Attachment 1 of the request's county, term and source, with the schools
  // corrected after request.corrected_after when it is set. NOT_FOUND when
  // nothing was counted for the county.
  virtual absl::StatusOr<v1::CountyReport> GetCountyReport(
      const v1::GetCountyReportRequest& request) = 0;
  // What was counted of the county's roster (CoverageReport). NOT_FOUND
  // when the county has neither a roster nor counts.
  virtual absl::StatusOr<v1::CoverageReport> GetCoverageReport(
      absl::string_view term, absl::string_view county) = 0;
  // Two terms of a county's districts (or a district's schools) side by
  // side, with the school-grades over the threshold in both. NOT_FOUND
  // when neither term counted anything there.
  virtual absl::StatusOr<v1::TermComparison> CompareTerms(
      const v1::CompareTermsRequest& request) = 0;
  // Above counties (RegionReport), from the counties' sums and the region
  // table. NOT_FOUND when no county there has counts in the term.
  virtual absl::StatusOr<v1::RegionReport> GetRegionReport(
      const v1::GetRegionReportRequest& request) = 0;
  // The self-check against the inspection per school-grade
  // (SourceComparison). NOT_FOUND when neither counted anything there.
  virtual absl::StatusOr<v1::SourceComparison> CompareSources(
      const v1::CompareSourcesRequest& request) = 0;
  // One row per school, of the request's source. NOT_FOUND when nothing
  // was counted there.
  virtual absl::StatusOr<v1::DistrictReport> GetDistrictReport(
      const v1::GetDistrictReportRequest& request) = 0;
  virtual absl::StatusOr<v1::ListGradeDiscrepanciesResponse>
  ListGradeDiscrepancies(const v1::ListGradeDiscrepanciesRequest& request) = 0;
  // The open alerts passing `filter`, oldest first.
  virtual absl::StatusOr<v1::ListAlertsResponse> ListAlerts(
      const v1::AlertFilter& filter) = 0;
  // Up to `max_events` events with alert_id > after_alert_id, in order.
  virtual absl::StatusOr<std::vector<v1::AlertEvent>> ReadAlerts(
      int64_t after_alert_id, int max_events) = 0;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_AUDIT_READER_H_
