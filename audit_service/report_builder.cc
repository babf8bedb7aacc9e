#include "audit_service/report_builder.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"

namespace headcount::audit {

absl::StatusOr<v1::CountyReport> ReportBuilder::CountyReport(
    absl::string_view term, absl::string_view county, int64_t revision,
    std::vector<NamedCounts> districts) const {
  if (districts.empty()) {
    return absl::NotFoundError(
        absl::StrCat("nothing counted for county ", county, " in term ", term));
  }
  v1::CountyReport report;
  report.set_term(std::string(term));
  report.set_county(std::string(county));
  report.set_revision(revision);
  FillTable(std::move(districts), *report.mutable_rows(),
            *report.mutable_total());
  report.set_over_threshold_ppm(policy_->over_ppm);
  return report;
}

absl::StatusOr<v1::RegionReport> ReportBuilder::RegionReport(
    absl::string_view term, absl::string_view province, absl::string_view city,
    int64_t revision, std::vector<NamedCounts> rows) const {
  if (rows.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "nothing counted in ", city.empty() ? province : city, " in term ",
        term, " (no county there with counts, or no region puts one there)"));
  }
  v1::RegionReport report;
  report.set_term(std::string(term));
  report.set_province(std::string(province));
  report.set_city(std::string(city));
  report.set_revision(revision);
  FillTable(std::move(rows), *report.mutable_rows(), *report.mutable_total());
  report.set_over_threshold_ppm(policy_->over_ppm);
  return report;
}

absl::StatusOr<v1::DistrictReport> ReportBuilder::DistrictReport(
    absl::string_view term, absl::string_view county,
    absl::string_view district, int64_t revision,
    std::vector<NamedCounts> schools) const {
  if (schools.empty()) {
    return absl::NotFoundError(absl::StrCat("nothing counted for district ",
                                            district, " of ", county,
                                            " in term ", term));
  }
  v1::DistrictReport report;
  report.set_term(std::string(term));
  report.set_county(std::string(county));
  report.set_district(std::string(district));
  report.set_revision(revision);
  FillTable(std::move(schools), *report.mutable_rows(),
            *report.mutable_total());
  report.set_over_threshold_ppm(policy_->over_ppm);
  return report;
}

absl::StatusOr<v1::TermComparison> ReportBuilder::CompareTerms(
    const v1::CompareTermsRequest& request, int64_t revision,
    std::vector<NamedCounts> current,
    std::vector<NamedCounts> previous) const {
  const std::string place = request.district().empty()
                                ? request.county()
                                : absl::StrCat(request.county(), "/",
                                               request.district());
  if (current.empty() && previous.empty()) {
    return absl::NotFoundError(absl::StrCat("nothing counted for ", place,
                                            " in term ", request.term(),
                                            " or ", request.previous_term()));
  }
  std::map<std::string, std::pair<std::optional<Counts>, std::optional<Counts>>>
      by_name;
  Counts current_total, previous_total;
  for (const NamedCounts& row : current) {
    by_name[row.name].first = row.counts;
    (void)current_total.AddWithoutOverflow(row.counts);  // the feed is checked
  }
  for (const NamedCounts& row : previous) {
    by_name[row.name].second = row.counts;
    (void)previous_total.AddWithoutOverflow(row.counts);
  }
  auto fill = [this](const std::string& name, const std::optional<Counts>& now,
                     const std::optional<Counts>& before,
                     v1::TermComparisonRow& row) {
    row.set_name(name);
    if (now.has_value()) {
      FillRow(*now, *row.mutable_current());
      row.mutable_current()->set_name(name);
    }
    if (before.has_value()) {
      FillRow(*before, *row.mutable_previous());
      row.mutable_previous()->set_name(name);
    }
    const Counts a = now.value_or(Counts{}), b = before.value_or(Counts{});
    row.set_onsite_change(a.onsite_count - b.onsite_count);
    row.set_registry_change(a.registry_count - b.registry_count);
    row.set_difference_change(a.difference() - b.difference());
    row.set_persistent(row.current().over_threshold() &&
                       row.previous().over_threshold());
  };
  std::vector<std::string> names;
  for (const auto& [name, counts] : by_name) names.push_back(name);
  SortNames(names);
  v1::TermComparison comparison;
  comparison.set_term(request.term());
  comparison.set_previous_term(request.previous_term());
  comparison.set_county(request.county());
  comparison.set_district(request.district());
  int number = 0;
  for (const std::string& name : names) {
    v1::TermComparisonRow& row = *comparison.add_rows();
    row.set_row_number(++number);
    const auto& [now, before] = by_name.at(name);
    fill(name, now, before, row);
  }
  fill("合计",
       current.empty() ? std::nullopt : std::optional<Counts>(current_total),
       previous.empty() ? std::nullopt : std::optional<Counts>(previous_total),
       *comparison.mutable_total());
  comparison.set_revision(revision);
  comparison.set_over_threshold_ppm(policy_->over_ppm);
  return comparison;
}

v1::ListGradeDiscrepanciesResponse ReportBuilder::GradeDiscrepancies(
    const std::vector<v1::SchoolRecord>& schools, bool only_flagged,
    int64_t revision) const {
  v1::ListGradeDiscrepanciesResponse response;
  response.set_revision(revision);
  for (const v1::SchoolRecord& record : schools) {
    for (const v1::GradeCount& g : record.grades()) {
      const Counts counts{g.onsite_count(), g.registry_count()};
      const v1::Rule rule = policy_->Evaluate(counts);
      if (only_flagged && rule == v1::RULE_UNSPECIFIED) continue;
      v1::GradeDiscrepancy* out = response.add_grades();
      out->set_district(record.district());
      out->set_school(record.school());
      out->set_grade(g.grade());
      out->set_onsite_count(counts.onsite_count);
      out->set_registry_count(counts.registry_count);
      out->set_difference(counts.difference());
      out->set_ratio(FormatRatio(counts));
      out->set_over_threshold(rule != v1::RULE_UNSPECIFIED);
      out->set_rule(rule);
    }
  }
  auto& grades = *response.mutable_grades();
  std::stable_sort(
      grades.begin(), grades.end(),
      [this](const v1::GradeDiscrepancy& a, const v1::GradeDiscrepancy& b) {
        return GradeBefore(a, b);
      });
  return response;
}

absl::StatusOr<v1::SourceComparison> ReportBuilder::CompareSources(
    const v1::CompareSourcesRequest& request, int64_t revision,
    const std::vector<v1::SchoolRecord>& inspection,
    const std::vector<v1::SchoolRecord>& self_check) const {
  if (inspection.empty() && self_check.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "neither the self-check nor the inspection counted anything in ",
        request.county(), request.district().empty() ? "" : "/",
        request.district(), " in term ", request.term()));
  }
  // Each school's grades by source.
  using Grades = std::map<int, const v1::GradeCount*>;
  std::map<std::pair<std::string, std::string>, std::pair<Grades, Grades>>
      schools;
  for (const v1::SchoolRecord& record : inspection) {
    Grades& grades =
        schools[{record.district(), record.school()}].first;
    for (const v1::GradeCount& g : record.grades()) grades[g.grade()] = &g;
  }
  for (const v1::SchoolRecord& record : self_check) {
    Grades& grades =
        schools[{record.district(), record.school()}].second;
    for (const v1::GradeCount& g : record.grades()) grades[g.grade()] = &g;
  }
  v1::SourceComparison comparison;
  comparison.set_term(request.term());
  comparison.set_county(request.county());
  comparison.set_district(request.district());
  comparison.set_threshold_ppm(policy_->source_mismatch_ppm);
  comparison.set_revision(revision);
  std::vector<v1::SourceGrade> compared;
  for (const auto& [name, sources] : schools) {
    const auto& [found, reported] = sources;
    for (const auto& [grade, count] : found) {
      if (reported.count(grade) == 0) {
        comparison.set_inspection_only(comparison.inspection_only() + 1);
      }
    }
    for (const auto& [grade, self] : reported) {
      auto inspected = found.find(grade);
      if (inspected == found.end()) {
        comparison.set_self_check_only(comparison.self_check_only() + 1);
        continue;
      }
      const v1::GradeCount& insp = *inspected->second;
      const bool over =
          policy_->SourcesDisagree(self->onsite_count(), insp.onsite_count());
      comparison.set_grades_compared(comparison.grades_compared() + 1);
      if (over) comparison.set_grades_flagged(comparison.grades_flagged() + 1);
      if (request.only_flagged() && !over) continue;
      v1::SourceGrade& row = compared.emplace_back();
      row.set_district(name.first);
      row.set_school(name.second);
      row.set_grade(grade);
      row.set_self_check_onsite(self->onsite_count());
      row.set_self_check_registry(self->registry_count());
      row.set_inspection_onsite(insp.onsite_count());
      row.set_inspection_registry(insp.registry_count());
      // The self-check is the claim, the inspection what was found.
      const Counts pair{insp.onsite_count(), self->onsite_count()};
      row.set_difference(pair.difference());
      row.set_ratio(FormatRatio(pair));
      row.set_over_threshold(over);
    }
  }
  std::stable_sort(compared.begin(), compared.end(),
                   [this](const v1::SourceGrade& a, const v1::SourceGrade& b) {
                     return PlaceBefore(a.district(), a.school(), a.grade(),
                                        b.district(), b.school(), b.grade());
                   });
  for (v1::SourceGrade& row : compared) {
    *comparison.add_grades() = std::move(row);
  }
  return comparison;
}

bool ReportBuilder::GradeBefore(const v1::GradeDiscrepancy& a,
                                const v1::GradeDiscrepancy& b) const {
  return PlaceBefore(a.district(), a.school(), a.grade(), b.district(),
                     b.school(), b.grade());
}

bool ReportBuilder::PlaceBefore(absl::string_view a_district,
                                absl::string_view a_school, int a_grade,
                                absl::string_view b_district,
                                absl::string_view b_school,
                                int b_grade) const {
  if (a_district != b_district) return order_->Less(a_district, b_district);
  if (a_school != b_school) return order_->Less(a_school, b_school);
  return a_grade < b_grade;
}

void ReportBuilder::SortNames(std::vector<std::string>& names) const {
  std::sort(names.begin(), names.end(),
            [this](const std::string& a, const std::string& b) {
              return order_->Less(a, b);
            });
}

void ReportBuilder::FillTable(
    std::vector<NamedCounts> named,
    google::protobuf::RepeatedPtrField<v1::ReportRow>& rows,
    v1::ReportRow& total) const {
  std::sort(named.begin(), named.end(),
            [this](const NamedCounts& a, const NamedCounts& b) {
              return order_->Less(a.name, b.name);
            });
  Counts sum;
  int number = 1;
  for (NamedCounts& entry : named) {
    v1::ReportRow* row = rows.Add();
    row->set_row_number(number++);
    row->set_name(std::move(entry.name));
    FillRow(entry.counts, *row);
    sum += entry.counts;
  }
  total.set_name("合计");
  FillRow(sum, total);
}

void ReportBuilder::FillRow(const Counts& counts, v1::ReportRow& row) const {
  row.set_onsite_count(counts.onsite_count);
  row.set_registry_count(counts.registry_count);
  row.set_difference(counts.difference());
  row.set_ratio(FormatRatio(counts));
  row.set_ratio_ppm(RatioPpm(counts));
  const v1::Rule rule = policy_->Evaluate(counts);
  row.set_over_threshold(rule != v1::RULE_UNSPECIFIED);
  row.set_rule(rule);
}

}  // namespace headcount::audit
