#include "cli/output/report_table.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/domain/discrepancy.h"
#include "google/protobuf/util/json_util.h"

namespace headcount::cli {
namespace {

// The protobuf JSON of `message`, indented, with the .proto's field names.
std::string PrettyJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

// The fields CountyReport and DistrictReport share.
template <typename Report>
ReportTable TableOf(const Report& report, std::string title,
                    std::string name_header) {
  ReportTable table;
  table.title = std::move(title);
  table.name_header = std::move(name_header);
  table.rows.assign(report.rows().begin(), report.rows().end());
  table.total = report.total();
  table.revision = report.revision();
  table.over_threshold_ppm = report.over_threshold_ppm();
  table.json = PrettyJson(report);
  return table;
}

std::vector<std::string> Cells(const v1::ReportRow& row, bool is_total) {
  return {is_total ? row.name() : absl::StrCat(row.row_number()),
          is_total ? "" : row.name(),
          absl::StrCat(row.onsite_count()),
          absl::StrCat(row.registry_count()),
          absl::StrCat(row.difference()),
          row.ratio()};
}

std::string Remark(const v1::ReportRow& row, int64_t threshold_ppm) {
  if (!row.over_threshold()) return "";
  return row.rule() == v1::UNDER_REGISTRATION
             ? "在校多于学籍"
             : absl::StrCat("超过", ThresholdText(threshold_ppm));
}

}  // namespace

ReportTable FromCountyReport(const v1::CountyReport& report) {
  return TableOf(report, absl::StrCat(report.county(), " ", report.term()),
                 "学区");
}

ReportTable FromDistrictReport(const v1::DistrictReport& report) {
  return TableOf(
      report,
      absl::StrCat(report.county(), " ", report.district(), " ", report.term()),
      "学校");
}

std::vector<std::vector<std::string>> ReportCells(const ReportTable& table) {
  std::vector<std::vector<std::string>> cells = {
      {kNumberHeading, table.name_header, kOnsiteHeading, kRegistryHeading,
       kDifferenceHeading, kRatioHeading}};
  for (const v1::ReportRow& row : table.rows)
    cells.push_back(Cells(row, false));
  cells.push_back(Cells(table.total, true));
  return cells;
}

std::vector<std::string> ReportRemarks(const ReportTable& table) {
  std::vector<std::string> remarks;
  for (const v1::ReportRow& row : table.rows) {
    remarks.push_back(Remark(row, table.over_threshold_ppm));
  }
  remarks.push_back(Remark(table.total, table.over_threshold_ppm));
  return remarks;
}

std::string ThresholdText(int64_t ppm) {
  std::string text = absl::StrFormat("%.4f", ppm / 10000.0);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text + "%";
}

std::vector<std::string> AlertHeader() {
  return {"alert_id",   "state",  "level", "term",    "county",
          "district",   "school", "grade", "onsite",  "registry",
          "difference", "ratio",  "rule",  "revision", "submitted_by"};
}

std::vector<std::string> AlertCells(const v1::AlertEvent& e) {
  return {absl::StrCat(e.alert_id()),
          v1::AlertEvent::State_Name(e.state()),
          LevelName(e.level()),
          e.term(),
          e.county(),
          e.district(),
          e.school(),
          e.grade() == 0 ? "" : absl::StrCat(e.grade()),
          absl::StrCat(e.onsite_count()),
          absl::StrCat(e.registry_count()),
          absl::StrCat(e.difference()),
          e.ratio(),
          e.rule() == v1::UNDER_REGISTRATION ? "under" : "over",
          absl::StrCat(e.revision()),
          e.submitted_by()};
}

}  // namespace headcount::cli
