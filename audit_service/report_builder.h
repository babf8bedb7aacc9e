// The published tables, apart from storage: rows of names and counts in,
// the notice's report out (ratios, flags, pinyin order, numbering, 合计).
// Pure apart from ICU's collator; thread-safe.
#ifndef HEADCOUNT_AUDIT_SERVICE_REPORT_BUILDER_H_
#define HEADCOUNT_AUDIT_SERVICE_REPORT_BUILDER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/domain/pinyin_order.h"
#include "common/domain/discrepancy.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount::audit {

// One row before it is formatted: a district (county report) or a school
// (district report) and its summed counts.
struct NamedCounts {
  std::string name;
  Counts counts;
};

class ReportBuilder {
 public:
  // Neither is owned; both outlive the builder.
  ReportBuilder(const ThresholdPolicy* policy, const PinyinOrder* order)
      : policy_(policy), order_(order) {}

  // Attachment 1: one row per district in pinyin order, numbered from 1,
  // and the total. NOT_FOUND when `districts` is empty.
  absl::StatusOr<v1::CountyReport> CountyReport(
      absl::string_view term, absl::string_view county, int64_t revision,
      std::vector<NamedCounts> districts) const;

  // Above counties: one row per city of `province` (or per county of
  // `city`), pinyin order, numbered, and the total. NOT_FOUND when `rows`
  // is empty.
  absl::StatusOr<v1::RegionReport> RegionReport(
      absl::string_view term, absl::string_view province,
      absl::string_view city, int64_t revision,
      std::vector<NamedCounts> rows) const;

  // The same with one row per school of a district.
  absl::StatusOr<v1::DistrictReport> DistrictReport(
      absl::string_view term, absl::string_view county,
      absl::string_view district, int64_t revision,
      std::vector<NamedCounts> schools) const;

  // Two terms side by side (`current` and `previous` as for CountyReport
  // or DistrictReport): a row per name either holds, pinyin order, the
  // changes, `persistent` where both are over; the totals likewise.
  // NOT_FOUND when both are empty. Without freshness and persistent grades.
  absl::StatusOr<v1::TermComparison> CompareTerms(
      const v1::CompareTermsRequest& request, int64_t revision,
      std::vector<NamedCounts> current,
      std::vector<NamedCounts> previous) const;

  // One entry per grade of `schools` (only those over the policy when
  // `only_flagged`), ordered by district, school (pinyin) and grade.
  v1::ListGradeDiscrepanciesResponse GradeDiscrepancies(
      const std::vector<v1::SchoolRecord>& schools, bool only_flagged,
      int64_t revision) const;

  // The self-check against the inspection, grade by grade, of the schools
  // either source counted (records of one county, or one district):
  // compared where both counted a grade, flagged by the policy's
  // source-mismatch threshold, ordered by district, school (pinyin) and
  // grade. NOT_FOUND when both are empty. Without freshness.
  absl::StatusOr<v1::SourceComparison> CompareSources(
      const v1::CompareSourcesRequest& request, int64_t revision,
      const std::vector<v1::SchoolRecord>& inspection,
      const std::vector<v1::SchoolRecord>& self_check) const;

  // `names` in pinyin order.
  void SortNames(std::vector<std::string>& names) const;

  // The order of GradeDiscrepancies: district, school (pinyin), grade.
  bool GradeBefore(const v1::GradeDiscrepancy& a,
                   const v1::GradeDiscrepancy& b) const;

 private:
  // District, then school (pinyin), then grade.
  bool PlaceBefore(absl::string_view a_district, absl::string_view a_school,
                   int a_grade, absl::string_view b_district,
                   absl::string_view b_school, int b_grade) const;
  // Rows in pinyin order, numbered, and their total named 合计.
  void FillTable(std::vector<NamedCounts> named,
                 google::protobuf::RepeatedPtrField<v1::ReportRow>& rows,
                 v1::ReportRow& total) const;
  void FillRow(const Counts& counts, v1::ReportRow& row) const;

  const ThresholdPolicy* const policy_;
  const PinyinOrder* const order_;
};

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_REPORT_BUILDER_H_
