#include "cli/output_format.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "google/protobuf/util/json_util.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace headcount::cli {
namespace {

// The notice's column headings (attachment 1).
constexpr const char* kNumber = "序号";
constexpr const char* kOnsite = "现场核查学生数";
constexpr const char* kRegistry = "学籍数据学生数";
constexpr const char* kDifference = "差额人数";
constexpr const char* kRatio = "差额比例";
constexpr const char* kRemark = "备注";

std::string ThresholdText(int64_t ppm) {
  // 20000 ppm -> "2%", 25000 -> "2.5%".
  std::string text = absl::StrFormat("%.4f", ppm / 10000.0);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text + "%";
}

std::string Remark(const v1::ReportRow& row, int64_t threshold_ppm) {
  if (!row.over_threshold()) return "";
  return row.rule() == v1::UNDER_REGISTRATION
             ? "在校多于学籍"
             : absl::StrCat("超过", ThresholdText(threshold_ppm));
}

std::vector<std::string> Cells(const v1::ReportRow& row, bool is_total) {
  return {is_total ? row.name() : absl::StrCat(row.row_number()),
          is_total ? "" : row.name(),
          absl::StrCat(row.onsite_count()),
          absl::StrCat(row.registry_count()),
          absl::StrCat(row.difference()),
          row.ratio()};
}

std::string CsvField(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  return absl::StrCat("\"", absl::StrReplaceAll(field, {{"\"", "\"\""}}), "\"");
}

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"},
                                    {"<", "&lt;"},
                                    {">", "&gt;"},
                                    {"\"", "&quot;"}});
}

// Pads to `width` display columns, on the left when `right_align`.
std::string Pad(const std::string& text, int width, bool right_align) {
  const int padding = std::max(0, width - DisplayWidth(text));
  return right_align ? std::string(padding, ' ') + text
                     : text + std::string(padding, ' ');
}

std::string AlignedTable(const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right_align) {
  std::vector<int> widths(right_align.size(), 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += Pad(row[c], widths[c], right_align[c]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string Html(const ReportTable& table) {
  const double threshold = table.over_threshold_ppm / 1e6;
  double low = -threshold, high = threshold;
  for (const v1::ReportRow& row : table.rows) {
    low = std::min(low, row.ratio_ppm() / 1e6);
    high = std::max(high, row.ratio_ppm() / 1e6);
  }
  const double span = std::max(high - low, 1e-6) * 1.1;
  low -= span * 0.05;
  const int label_width = 120, plot_width = 560, bar_height = 18, gap = 4;
  const int chart_height = static_cast<int>(table.rows.size()) * (bar_height + gap) + 40;
  auto x = [&](double ratio) {
    return label_width + static_cast<int>((ratio - low) / span * plot_width);
  };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"%s\">\n",
      label_width + plot_width + 60, chart_height, kRatio);
  int y = 10;
  for (const v1::ReportRow& row : table.rows) {
    const double ratio = row.ratio_ppm() / 1e6;
    const int x0 = x(0), x1 = x(ratio);
    absl::StrAppendFormat(
        &svg,
        "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">%s</text>\n"
        "  <rect class=\"bar%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
        "fill=\"%s\"><title>%s %s</title></rect>\n"
        "  <text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
        label_width - 6, y + 13, HtmlEscape(row.name()),
        row.over_threshold() ? " over" : "", std::min(x0, x1), y,
        std::max(1, std::abs(x1 - x0)), bar_height,
        row.over_threshold() ? "#c0392b" : "#5b8db8", HtmlEscape(row.name()),
        row.ratio(), std::max(x0, x1) + 4, y + 13, row.ratio());
    y += bar_height + gap;
  }
  absl::StrAppendFormat(
      &svg,
      "  <line class=\"zero\" x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\" "
      "stroke=\"#333\"/>\n"
      "  <line class=\"threshold\" x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\" "
      "stroke=\"#c0392b\" stroke-dasharray=\"6 4\"/>\n"
      "  <text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"#c0392b\">%s</text>\n"
      "</svg>\n",
      x(0), x(0), y, x(threshold), x(threshold), y, x(threshold) + 4, y + 14,
      HtmlEscape(absl::StrCat("阈值 ", ThresholdText(table.over_threshold_ppm))));

  std::string rows_html;
  auto add_row = [&](const v1::ReportRow& row, bool is_total) {
    std::vector<std::string> cells = Cells(row, is_total);
    cells.push_back(Remark(row, table.over_threshold_ppm));
    absl::StrAppend(&rows_html, "<tr", row.over_threshold() ? " class=\"over\"" : "",
                    is_total ? " class=\"total\"" : "", ">");
    for (size_t c = 0; c < cells.size(); ++c) {
      absl::StrAppend(&rows_html, c >= 2 && c <= 5 ? "<td class=\"n\">" : "<td>",
                      HtmlEscape(cells[c]), "</td>");
    }
    absl::StrAppend(&rows_html, "</tr>\n");
  };
  for (const v1::ReportRow& row : table.rows) add_row(row, false);
  add_row(table.total, true);

  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>", HtmlEscape(table.title), "</title>\n<style>\n"
      "body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Zen Hei\",\"Microsoft YaHei\",sans-serif;margin:2em}"
      "table{border-collapse:collapse;margin-bottom:2em}"
      "td,th{border:1px solid #999;padding:2px 8px}"
      "td.n{text-align:right}tr.over{background:#fbe3e0}"
      "tr.total{font-weight:bold}\n</style>\n</head>\n<body>\n<h1>",
      HtmlEscape(table.title), "</h1>\n<p>revision ", table.revision,
      "</p>\n<table id=\"report\">\n<thead><tr><th>", kNumber, "</th><th>",
      HtmlEscape(table.name_header), "</th><th>", kOnsite, "</th><th>",
      kRegistry, "</th><th>", kDifference, "</th><th>", kRatio, "</th><th>",
      kRemark, "</th></tr></thead>\n<tbody>\n", rows_html,
      "</tbody>\n</table>\n<figure id=\"chart\">\n", svg,
      "<figcaption>", kRatio, " = ", kDifference, " / ", kRegistry,
      "</figcaption>\n</figure>\n</body>\n</html>\n");
}

// The protobuf JSON of `message`, indented, with the .proto's field names.
std::string PrettyJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

const char* StateName(v1::AlertEvent::State state) {
  switch (state) {
    case v1::AlertEvent::RAISED:
      return "RAISED";
    case v1::AlertEvent::UPDATED:
      return "UPDATED";
    case v1::AlertEvent::CLEARED:
      return "CLEARED";
    default:
      return "?";
  }
}

const char* LevelName(v1::Level level) {
  switch (level) {
    case v1::GRADE:
      return "grade";
    case v1::SCHOOL:
      return "school";
    case v1::DISTRICT:
      return "district";
    case v1::COUNTY:
      return "county";
    default:
      return "?";
  }
}

}  // namespace

absl::StatusOr<Format> ParseFormat(absl::string_view text) {
  if (text == "table") return Format::kTable;
  if (text == "tsv") return Format::kTsv;
  if (text == "csv") return Format::kCsv;
  if (text == "md") return Format::kMarkdown;
  if (text == "json") return Format::kJson;
  if (text == "html") return Format::kHtml;
  return absl::InvalidArgumentError(absl::StrCat(
      "--format: \"", text, "\" is not one of table, tsv, csv, md, json, html"));
}

int DisplayWidth(absl::string_view text) {
  int width = 0;
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(text.data(), i, length, c);
    if (c < 0) {
      ++width;
      continue;
    }
    const int ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    width += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
  }
  return width;
}

namespace {

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

}  // namespace

ReportTable FromCountyReport(const v1::CountyReport& report) {
  return TableOf(report, absl::StrCat(report.county(), " ", report.term()), "学区");
}

ReportTable FromDistrictReport(const v1::DistrictReport& report) {
  return TableOf(report,
                 absl::StrCat(report.county(), " ", report.district(), " ",
                              report.term()),
                 "学校");
}

std::string FormatReport(const ReportTable& table, Format format) {
  const std::vector<std::string> header = {kNumber,     table.name_header,
                                           kOnsite,     kRegistry,
                                           kDifference, kRatio};
  std::vector<std::vector<std::string>> rows = {header};
  for (const v1::ReportRow& row : table.rows) rows.push_back(Cells(row, false));
  rows.push_back(Cells(table.total, true));

  switch (format) {
    case Format::kTsv: {
      std::string out;
      for (const auto& row : rows) absl::StrAppend(&out, absl::StrJoin(row, "\t"), "\n");
      return out;
    }
    case Format::kCsv: {
      std::string out;
      for (const auto& row : rows) {
        std::vector<std::string> fields;
        for (const auto& cell : row) fields.push_back(CsvField(cell));
        absl::StrAppend(&out, absl::StrJoin(fields, ","), "\n");
      }
      return out;
    }
    case Format::kMarkdown: {
      std::string out = absl::StrCat("## ", table.title, "\n\n| ",
                                     absl::StrJoin(header, " | "), " | ", kRemark,
                                     " |\n|---:|---|---:|---:|---:|---:|---|\n");
      for (size_t i = 1; i < rows.size(); ++i) {
        const v1::ReportRow& row =
            i <= table.rows.size() ? table.rows[i - 1] : table.total;
        std::string remark = Remark(row, table.over_threshold_ppm);
        if (i == rows.size() - 1) {
          rows[i][0] = absl::StrCat("**", rows[i][0], "**");
        }
        absl::StrAppend(&out, "| ", absl::StrJoin(rows[i], " | "), " | ",
                        remark, " |\n");
      }
      absl::StrAppend(&out, "\nrevision ", table.revision, "\n");
      return out;
    }
    case Format::kJson:
      return table.json;
    case Format::kHtml:
      return Html(table);
    case Format::kTable:
    default: {
      rows[0].push_back(kRemark);
      for (size_t i = 1; i < rows.size(); ++i) {
        const v1::ReportRow& row =
            i <= table.rows.size() ? table.rows[i - 1] : table.total;
        rows[i].push_back(Remark(row, table.over_threshold_ppm));
      }
      return absl::StrCat(table.title, " (revision ", table.revision, ")\n",
                          AlignedTable(rows, {true, false, true, true, true,
                                              true, false}));
    }
  }
}

std::string FormatAlerts(const std::vector<v1::AlertEvent>& events,
                         Format format, bool with_header) {
  if (format == Format::kJson) {
    std::string out;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    for (const v1::AlertEvent& event : events) {
      std::string line;
      (void)google::protobuf::util::MessageToJsonString(event, &line, options);
      absl::StrAppend(&out, line, "\n");
    }
    return out;
  }
  std::vector<std::vector<std::string>> rows;
  if (with_header) {
    rows.push_back({"alert_id", "state", "level", "term", "county", "district",
                    "school", "grade", "onsite", "registry", "difference",
                    "ratio", "rule", "revision"});
  }
  for (const v1::AlertEvent& e : events) {
    rows.push_back({absl::StrCat(e.alert_id()), StateName(e.state()),
                    LevelName(e.level()), e.term(), e.county(), e.district(),
                    e.school(), e.grade() == 0 ? "" : absl::StrCat(e.grade()),
                    absl::StrCat(e.onsite_count()),
                    absl::StrCat(e.registry_count()),
                    absl::StrCat(e.difference()), e.ratio(),
                    e.rule() == v1::UNDER_REGISTRATION ? "under" : "over",
                    absl::StrCat(e.revision())});
  }
  std::string out;
  switch (format) {
    case Format::kTsv:
      for (const auto& row : rows) absl::StrAppend(&out, absl::StrJoin(row, "\t"), "\n");
      return out;
    case Format::kCsv:
      for (const auto& row : rows) {
        std::vector<std::string> fields;
        for (const auto& cell : row) fields.push_back(CsvField(cell));
        absl::StrAppend(&out, absl::StrJoin(fields, ","), "\n");
      }
      return out;
    case Format::kMarkdown:
      for (size_t i = 0; i < rows.size(); ++i) {
        absl::StrAppend(&out, "| ", absl::StrJoin(rows[i], " | "), " |\n");
        if (i == 0 && with_header) {
          absl::StrAppend(
              &out, "|",
              absl::StrJoin(std::vector<std::string>(rows[i].size(), "---"), "|"),
              "|\n");
        }
      }
      return out;
    default:
      return AlignedTable(rows, {true, false, false, false, false, false, false,
                                 true, true, true, true, true, false, true});
  }
}

}  // namespace headcount::cli
