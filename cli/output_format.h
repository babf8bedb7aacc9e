// How the `headcount` client prints reports and alerts: aligned tables for a
// terminal (CJK counted two columns wide), TSV exactly as the notice's
// attachment, CSV, Markdown, JSON, and a standalone HTML page with a chart.
#ifndef HEADCOUNT_CLI_OUTPUT_FORMAT_H_
#define HEADCOUNT_CLI_OUTPUT_FORMAT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::cli {

enum class Format { kTable, kTsv, kCsv, kMarkdown, kJson, kHtml };

// "table", "tsv", "csv", "md", "json", "html"; INVALID_ARGUMENT otherwise.
absl::StatusOr<Format> ParseFormat(absl::string_view text);

// Columns a terminal needs for `text`: East Asian wide and fullwidth
// characters count two, everything else one.
int DisplayWidth(absl::string_view text);

// A county report (rows are districts) or a district report (rows are
// schools), as printed.
struct ReportTable {
  std::string title;        // e.g. "利辛县 2015-autumn"
  std::string name_header;  // 学区 or 学校
  std::vector<v1::ReportRow> rows;
  v1::ReportRow total;
  int64_t revision = 0;
  int64_t over_threshold_ppm = 0;
  std::string json;  // the response in protobuf JSON, for kJson
};

ReportTable FromCountyReport(const v1::CountyReport& report);
ReportTable FromDistrictReport(const v1::DistrictReport& report);

std::string FormatReport(const ReportTable& table, Format format);

// One line or row per event. kJson writes JSON Lines (one object a line).
std::string FormatAlerts(const std::vector<v1::AlertEvent>& events,
                         Format format, bool with_header);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_OUTPUT_FORMAT_H_
