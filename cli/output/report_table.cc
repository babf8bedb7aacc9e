#include "cli/output/report_table.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/domain/discrepancy.h"
#include "common/domain/term.h"
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


// A total or subtotal names itself in the 序号 column.
std::vector<std::string> Cells(const v1::ReportRow& row, bool is_total) {
  is_total = is_total || row.row_number() == 0;
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

std::string TermInChinese(const std::string& text) {
  absl::StatusOr<Term> term = ParseTerm(text);
  if (!term.ok()) return text;
  return absl::StrCat(term->year, "年",
                      term->season == Term::Season::kAutumn ? "秋季" : "春季");
}

// What a self-check's title says of it; empty for the inspection.
absl::string_view SourceMark(v1::Source source) {
  return source == v1::SELF_CHECK ? "（学区自查）" : "";
}

ReportTable FromCountyReport(const v1::CountyReport& report) {
  ReportTable table = TableOf(
      report,
      absl::StrCat(report.county(), " ", report.term(),
                   SourceMark(report.source())),
      "学区");
  table.notice_title =
      absl::StrCat(report.county(), TermInChinese(report.term()),
                   "学籍管理数据核查情况表（学区）", SourceMark(report.source()));
  return table;
}

std::string ChinaTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(time.seconds()),
                          absl::FixedTimeZone(8 * 3600));
}

PlainTable LateCorrectionsTable(const v1::CountyReport& report,
                                const std::string& after) {
  PlainTable table;
  table.title = absl::StrCat(report.county(), " ", report.term(), ": ",
                             after, " 之后校正的学校");
  table.header = {kNumberHeading, "学区", "学校", "校正次数", "首次上报",
                  "最后校正", "提交人", kOnsiteHeading, kRegistryHeading};
  table.right_aligned = {true, false, false, true, false,
                         false, false, true, true};
  int number = 0;
  for (const v1::LateCorrection& late : report.late_corrections()) {
    table.rows.push_back(
        {absl::StrCat(++number), late.district(), late.school(),
         absl::StrCat(late.corrections()), ChinaTime(late.first_submitted_at()),
         ChinaTime(late.last_corrected_at()), late.submitted_by(),
         absl::StrCat(late.onsite_count()),
         absl::StrCat(late.registry_count())});
  }
  table.revision = report.revision();
  table.json = PrettyJson(report);
  return table;
}

PlainTable CoverageTable(const v1::CoverageReport& report) {
  PlainTable table;
  table.title = absl::StrCat(report.county(), " ", report.term(), " 覆盖情况");
  table.header = {kNumberHeading, "学区",     "应报学校", "已报学校",
                  "应报年级",     "已报年级", "覆盖率",   "未报学校",
                  "缺报年级",     "名册外学校"};
  table.right_aligned = {true,  false, true,  true,  true,
                         true,  true,  false, false, false};
  auto row_of = [](const std::string& number, const std::string& name,
                   const v1::DistrictCoverage& d) {
    std::vector<std::string> short_grades;
    for (const v1::MissingGrades& m : d.missing_grades()) {
      short_grades.push_back(
          absl::StrCat(m.school(), "(", absl::StrJoin(m.grades(), "、"), ")"));
    }
    const std::string rate =
        d.grades_expected() == 0
            ? "-"
            : absl::StrFormat("%.1f%%", 100.0 * d.grades_reported() /
                                            d.grades_expected());
    return std::vector<std::string>{
        number,
        name,
        absl::StrCat(d.schools_expected()),
        absl::StrCat(d.schools_reported()),
        absl::StrCat(d.grades_expected()),
        absl::StrCat(d.grades_reported()),
        rate,
        absl::StrJoin(d.missing_schools(), "、"),
        absl::StrJoin(short_grades, "、"),
        absl::StrJoin(d.unexpected_schools(), "、")};
  };
  int number = 0;
  for (const v1::DistrictCoverage& d : report.districts()) {
    table.rows.push_back(row_of(absl::StrCat(++number), d.district(), d));
  }
  table.rows.push_back(row_of("合计", "", report.total()));
  table.revision = report.revision();
  table.json = PrettyJson(report);
  return table;
}

PlainTable TermComparisonTable(const v1::TermComparison& comparison) {
  PlainTable table;
  table.title =
      absl::StrCat(comparison.county(),
                   comparison.district().empty() ? "" : " ",
                   comparison.district(), " ", comparison.term(), " 对比 ",
                   comparison.previous_term());
  table.header = {kNumberHeading,
                  comparison.district().empty() ? "学区" : "学校",
                  "本期现场",  "本期学籍", "本期差额", "本期比例",
                  "上期现场",  "上期学籍", "上期差额", "上期比例",
                  "现场变化",  "学籍变化", "差额变化", kRemarkHeading};
  table.right_aligned = {true, false, true, true, true, true, true,
                         true, true,  true, true, true, true, false};
  auto side = [](const v1::ReportRow& row, bool present) {
    if (!present) return std::vector<std::string>(4, "");
    return std::vector<std::string>{absl::StrCat(row.onsite_count()),
                                    absl::StrCat(row.registry_count()),
                                    absl::StrCat(row.difference()),
                                    row.ratio()};
  };
  auto row_of = [&](const std::string& number, const std::string& name,
                    const v1::TermComparisonRow& row) {
    std::vector<std::string> cells = {number, name};
    for (const auto& part : {side(row.current(), row.has_current()),
                             side(row.previous(), row.has_previous())}) {
      cells.insert(cells.end(), part.begin(), part.end());
    }
    const bool now = row.current().over_threshold();
    const bool before = row.previous().over_threshold();
    cells.insert(cells.end(),
                 {absl::StrCat(row.onsite_change()),
                  absl::StrCat(row.registry_change()),
                  absl::StrCat(row.difference_change()),
                  row.persistent() ? "连续两期超标"
                  : now            ? "本期超标"
                  : before         ? "上期超标"
                                   : ""});
    return cells;
  };
  for (const v1::TermComparisonRow& row : comparison.rows()) {
    table.rows.push_back(
        row_of(absl::StrCat(row.row_number()), row.name(), row));
  }
  table.rows.push_back(row_of("合计", "", comparison.total()));
  table.revision = comparison.revision();
  table.json = PrettyJson(comparison);
  return table;
}

PlainTable SourceComparisonTable(const v1::SourceComparison& comparison) {
  PlainTable table;
  table.title = absl::StrCat(
      comparison.county(), comparison.district().empty() ? "" : " ",
      comparison.district(), " ", comparison.term(), " 学区自查与县抽查对比（",
      comparison.grades_compared(), " 个年级两方都有，", comparison.grades_flagged(),
      " 个相差超过 ", ThresholdText(comparison.threshold_ppm()), "；仅自查 ",
      comparison.self_check_only(), "，仅抽查 ", comparison.inspection_only(),
      "）");
  table.header = {kNumberHeading, "学区",     "学校",     "年级",
                  "自查现场",     "自查学籍", "抽查现场", "抽查学籍",
                  kDifferenceHeading, kRatioHeading, kRemarkHeading};
  table.right_aligned = {true, false, false, true, true, true,
                         true, true,  true,  true, false};
  int number = 0;
  for (const v1::SourceGrade& g : comparison.grades()) {
    table.rows.push_back(
        {absl::StrCat(++number), g.district(), g.school(),
         absl::StrCat(g.grade()), absl::StrCat(g.self_check_onsite()),
         absl::StrCat(g.self_check_registry()),
         absl::StrCat(g.inspection_onsite()),
         absl::StrCat(g.inspection_registry()), absl::StrCat(g.difference()),
         g.ratio(),
         !g.over_threshold()  ? ""
         : g.difference() > 0 ? "自查多于抽查"
                              : "自查少于抽查"});
  }
  table.revision = comparison.revision();
  table.json = PrettyJson(comparison);
  return table;
}

PlainTable PersistentGradesTable(const v1::TermComparison& comparison) {
  PlainTable table;
  table.title = absl::StrCat(comparison.county(), " ", comparison.term(),
                             " 与 ", comparison.previous_term(),
                             " 连续超标的年级");
  table.header = {kNumberHeading, "学区",     "学校",     "年级",
                  "本期现场",     "本期学籍", "本期比例", "上期现场",
                  "上期学籍",     "上期比例"};
  table.right_aligned = {true, false, false, true, true,
                         true, true,  true,  true, true};
  int number = 0;
  for (const v1::PersistentGrade& g : comparison.persistent_grades()) {
    table.rows.push_back({absl::StrCat(++number), g.current().district(),
                          g.current().school(),
                          absl::StrCat(g.current().grade()),
                          absl::StrCat(g.current().onsite_count()),
                          absl::StrCat(g.current().registry_count()),
                          g.current().ratio(),
                          absl::StrCat(g.previous().onsite_count()),
                          absl::StrCat(g.previous().registry_count()),
                          g.previous().ratio()});
  }
  table.revision = comparison.revision();
  table.json = PrettyJson(comparison);
  return table;
}

ReportTable FromRegionReport(const v1::RegionReport& report) {
  const std::string& place =
      report.city().empty() ? report.province() : report.city();
  ReportTable table =
      TableOf(report, absl::StrCat(place, " ", report.term()),
              report.city().empty() ? "市" : "县");
  table.notice_title =
      absl::StrCat(place, TermInChinese(report.term()), "学籍管理数据核查情况表（",
                   report.city().empty() ? "市" : "县", "）");
  return table;
}

ReportTable FromDistrictReport(const v1::DistrictReport& report) {
  ReportTable table = TableOf(
      report,
      absl::StrCat(report.county(), " ", report.district(), " ", report.term(),
                   SourceMark(report.source())),
      "学校");
  table.notice_title = absl::StrCat(
      report.county(), report.district(), "学区", TermInChinese(report.term()),
      "学籍管理数据核查情况表（学校）", SourceMark(report.source()));
  return table;
}

ReportTable FromSchoolsReport(const v1::CountyReport& report) {
  ReportTable table = TableOf(
      report,
      absl::StrCat(report.county(), " ", report.term(), " 学校",
                   SourceMark(report.source())),
      "学校");
  table.notice_title =
      absl::StrCat(report.county(), TermInChinese(report.term()),
                   "学籍管理数据核查情况表（学校）", SourceMark(report.source()));
  table.group_header = "学区";
  table.rows.clear();
  int number = 0;
  for (const v1::DistrictReport& district : report.district_reports()) {
    for (v1::ReportRow row : district.rows()) {
      row.set_row_number(++number);
      table.rows.push_back(std::move(row));
      table.groups.push_back(district.district());
    }
    v1::ReportRow subtotal = district.total();
    subtotal.set_row_number(0);
    subtotal.set_name("小计");
    table.rows.push_back(std::move(subtotal));
    table.groups.push_back(district.district());
  }
  return table;
}

std::vector<std::vector<std::string>> ReportCells(const ReportTable& table) {
  std::vector<std::vector<std::string>> cells = {
      {kNumberHeading, table.name_header, kOnsiteHeading, kRegistryHeading,
       kDifferenceHeading, kRatioHeading}};
  for (const v1::ReportRow& row : table.rows)
    cells.push_back(Cells(row, false));
  cells.push_back(Cells(table.total, true));
  if (!table.group_header.empty()) {
    cells[0].insert(cells[0].begin() + 1, table.group_header);
    for (size_t i = 1; i < cells.size(); ++i) {
      cells[i].insert(cells[i].begin() + 1,
                      i - 1 < table.groups.size() ? table.groups[i - 1] : "");
    }
  }
  return cells;
}

std::vector<bool> ReportRightAligned(const ReportTable& table) {
  std::vector<bool> right = {true, false, true, true, true, true, false};
  if (!table.group_header.empty()) right.insert(right.begin() + 1, false);
  return right;
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

namespace {

// The alert table's columns: the report's headings where the report has
// the column, the widths a terminal keeps for them even when a --follow
// prints one event at a time (wide enough for the fixture's longest names).
struct AlertColumn {
  const char* heading;
  bool right_align;
  int min_width;
};
constexpr AlertColumn kAlertColumns[] = {
    {"编号", true, 6},          {"状态", false, 7},
    {"级别", false, 8},         {"学期", false, 11},
    {"县", false, 8},           {"学区", false, 10},
    {"学校", false, 24},        {"年级", true, 4},
    {kOnsiteHeading, true, 14}, {kRegistryHeading, true, 14},
    {kDifferenceHeading, true, 8}, {kRatioHeading, true, 8},
    {kRemarkHeading, false, 12},   {"修订号", true, 6},
    {"提交人", false, 0}};

}  // namespace

std::vector<std::string> AlertHeader() {
  std::vector<std::string> header;
  for (const AlertColumn& column : kAlertColumns) {
    header.push_back(column.heading);
  }
  return header;
}

std::vector<int> AlertMinWidths() {
  std::vector<int> widths;
  for (const AlertColumn& column : kAlertColumns) {
    widths.push_back(column.min_width);
  }
  return widths;
}

std::vector<bool> AlertRightAligned() {
  std::vector<bool> right;
  for (const AlertColumn& column : kAlertColumns) {
    right.push_back(column.right_align);
  }
  return right;
}

std::vector<std::string> AlertCells(const v1::AlertEvent& e) {
  std::vector<std::string> cells = {
      absl::StrCat(e.alert_id()), v1::AlertEvent::State_Name(e.state()),
      LevelName(e.level()),       e.term(),
      // Above the county: the city or province in its column.
      e.level() == v1::CITY       ? absl::StrCat(e.province(), e.city())
      : e.level() == v1::PROVINCE ? e.province()
                                  : e.county(),
      e.district(),
      e.school(),                 e.grade() == 0 ? "" : absl::StrCat(e.grade())};
  if (e.rule() == v1::INCOMPLETE_COVERAGE) {
    // No counts of its own: what the roster expects and what came.
    const v1::DistrictCoverage& c = e.coverage();
    cells.insert(cells.end(),
                 {"", "", "", "",
                  absl::StrCat("未全部上报：学校 ", c.schools_reported(), "/",
                               c.schools_expected(), "，年级 ",
                               c.grades_reported(), "/", c.grades_expected())});
  } else {
    cells.insert(cells.end(),
                 {absl::StrCat(e.onsite_count()),
                  absl::StrCat(e.registry_count()),
                  absl::StrCat(e.difference()), e.ratio(),
                  e.rule() == v1::SOURCE_MISMATCH
                      ? absl::StrCat("自查与抽查不符：自查现场 ",
                                     e.self_check_onsite_count())
                  : e.rule() == v1::UNDER_REGISTRATION ? "在校多于学籍"
                                                       : "学籍多于在校"});
  }
  cells.insert(cells.end(), {absl::StrCat(e.revision()), e.submitted_by()});
  return cells;
}

void SortAlertsLikeReports(const PinyinOrder& order,
                           std::vector<v1::AlertEvent>& events) {
  auto fields = [](const v1::AlertEvent& e) {
    return std::array<absl::string_view, 4>{e.term(), e.county(),
                                            e.district(), e.school()};
  };
  std::stable_sort(events.begin(), events.end(),
                   [&](const v1::AlertEvent& a, const v1::AlertEvent& b) {
                     const auto fa = fields(a), fb = fields(b);
                     for (size_t i = 0; i < fa.size(); ++i) {
                       if (fa[i] == fb[i]) continue;
                       // The term sorts by its text; a place's summary
                       // (empty below it) before what it holds.
                       if (i == 0 || fa[i].empty() || fb[i].empty()) {
                         return fa[i] < fb[i];
                       }
                       return order.Less(fa[i], fb[i]);
                     }
                     return a.grade() < b.grade();
                   });
}

}  // namespace headcount::cli
