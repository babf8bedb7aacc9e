// What every output format prints: a report as rows with the notice's
// columns (attachment 1), and alert events as rows of their own columns.
#ifndef HEADCOUNT_CLI_OUTPUT_REPORT_TABLE_H_
#define HEADCOUNT_CLI_OUTPUT_REPORT_TABLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/domain/pinyin_order.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::cli {

// The notice's column headings.
inline constexpr char kNumberHeading[] = "序号";
inline constexpr char kOnsiteHeading[] = "现场核查学生数";
inline constexpr char kRegistryHeading[] = "学籍数据学生数";
inline constexpr char kDifferenceHeading[] = "差额人数";
inline constexpr char kRatioHeading[] = "差额比例";
inline constexpr char kRemarkHeading[] = "备注";

// A county report (rows are districts) or a district report (rows are
// schools), as printed.
struct ReportTable {
  std::string title;        // e.g. "利辛县 2015-autumn"
  // As the notice titles its attachments, e.g.
  // "利辛县2015年秋季学籍管理数据核查情况表（学区）".
  std::string notice_title;
  std::string name_header;  // 学区 or 学校
  // Attachment 2 only: the column before the name (学区), and each row's
  // entry in it. Rows with row_number 0 inside `rows` are subtotals (小计).
  std::string group_header;
  std::vector<std::string> groups;
  std::vector<v1::ReportRow> rows;
  v1::ReportRow total;
  int64_t revision = 0;
  int64_t over_threshold_ppm = 0;
  std::string json;  // the response in protobuf JSON
};

// Any other list (late corrections, coverage): a heading, column names and
// rows of text, as printed.
struct PlainTable {
  std::string title;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> right_aligned;  // per column: numbers
  int64_t revision = 0;
  std::string json;  // the response in protobuf JSON
};

ReportTable FromCountyReport(const v1::CountyReport& report);
// "2015年秋季" for "2015-autumn"; the text itself if it is no term.
std::string TermInChinese(const std::string& text);
// The report's late_corrections (corrected after `after`, as the user
// wrote it), times in China Standard Time.
PlainTable LateCorrectionsTable(const v1::CountyReport& report,
                                const std::string& after);
// The coverage report: per district, then 合计.
PlainTable CoverageTable(const v1::CoverageReport& report);
// Two terms side by side: per district (or school) both terms' counts and
// ratios, the changes, and 备注 连续两期超标 / 本期超标 / 上期超标; then 合计.
PlainTable TermComparisonTable(const v1::TermComparison& comparison);
// The district's self-check against the county's inspection, per
// school-grade both counted: both sides' counts, the difference (self-check
// minus inspection onsite), its ratio to the self-check, and 备注 自查多于抽查
// or 自查少于抽查 where over the threshold.
PlainTable SourceComparisonTable(const v1::SourceComparison& comparison);
// The school-grades over the threshold in both terms.
PlainTable PersistentGradesTable(const v1::TermComparison& comparison);
// A protobuf time as "2015-11-16 09:30" in China Standard Time (UTC+8);
// empty when unset.
std::string ChinaTime(const google::protobuf::Timestamp& time);
ReportTable FromDistrictReport(const v1::DistrictReport& report);
// A province's table by city (市), or a city's by county (县).
ReportTable FromRegionReport(const v1::RegionReport& report);
// Attachment 2 from a report with district_reports: every school of the
// county, district by district in the rows' order, numbered through, each
// district closed by its 小计, then 合计.
ReportTable FromSchoolsReport(const v1::CountyReport& report);

// The six columns of attachment 1, header first, then one line per row and
// the total: 序号, name, onsite, registry, difference, ratio; with a
// group_header, that column after 序号.
std::vector<std::vector<std::string>> ReportCells(const ReportTable& table);
// The 备注 of each line of ReportCells after the header (rows, then total).
std::vector<std::string> ReportRemarks(const ReportTable& table);
// Per column of ReportCells and then 备注: whether it holds numbers.
std::vector<bool> ReportRightAligned(const ReportTable& table);

// "2%" for 20000 ppm, "2.5%" for 25000.
std::string ThresholdText(int64_t ppm);

// The columns of an alert event: the report's Chinese headings where the
// report has the column (编号 is the alert_id, 备注 the rule, 修订号 the
// ingest revision, 提交人 the submitter); states and levels keep the API's
// names (RAISED, grade) for scripts.
std::vector<std::string> AlertHeader();
std::vector<std::string> AlertCells(const v1::AlertEvent& event);
// Per column: the width a terminal table keeps at least, so that events
// printed one at a time (--follow) line up; and its alignment.
std::vector<int> AlertMinWidths();
std::vector<bool> AlertRightAligned();

// Orders events as the reports order rows: by term, then county, district
// and school in pinyin order, a place's own alert before those inside it,
// then grade.
void SortAlertsLikeReports(const PinyinOrder& order,
                           std::vector<v1::AlertEvent>& events);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_OUTPUT_REPORT_TABLE_H_
