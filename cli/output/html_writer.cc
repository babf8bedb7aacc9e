// A standalone HTML page: the table and an inline SVG bar chart of each
// row's ratio with the threshold line; no network, no script.
#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "cli/output/writer.h"

namespace headcount::cli {
namespace {

std::string Page(const ReportTable& table) {
  const double threshold = table.over_threshold_ppm / 1e6;
  double low = -threshold, high = threshold;
  for (const v1::ReportRow& row : table.rows) {
    low = std::min(low, row.ratio_ppm() / 1e6);
    high = std::max(high, row.ratio_ppm() / 1e6);
  }
  const double span = std::max(high - low, 1e-6) * 1.1;
  low -= span * 0.05;
  const int label_width = 120, plot_width = 560, bar_height = 18, gap = 4;
  const int chart_height =
      static_cast<int>(table.rows.size()) * (bar_height + gap) + 40;
  auto x = [&](double ratio) {
    return label_width + static_cast<int>((ratio - low) / span * plot_width);
  };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"%s\">\n",
      label_width + plot_width + 60, chart_height, kRatioHeading);
  int y = 10;
  for (const v1::ReportRow& row : table.rows) {
    const double ratio = row.ratio_ppm() / 1e6;
    const int x0 = x(0), x1 = x(ratio);
    absl::StrAppendFormat(
        &svg,
        "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\" "
        "font-size=\"12\">%s</text>\n"
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
      HtmlEscape(
          absl::StrCat("阈值 ", ThresholdText(table.over_threshold_ppm))));

  // Attachment 2's hundred-odd schools make no readable chart.
  if (!table.group_header.empty()) svg.clear();

  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>",
      HtmlEscape(table.title),
      "</title>\n<style>\n"
      "body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Zen Hei\",\"Microsoft "
      "YaHei\",sans-serif;margin:2em}"
      "table{border-collapse:collapse;margin-bottom:2em}"
      "td,th{border:1px solid #999;padding:2px 8px}"
      "td.n{text-align:right}tr.over{background:#fbe3e0}"
      "tr.total{font-weight:bold}\n</style>\n</head>\n<body>\n<h1>",
      HtmlEscape(table.title), "</h1>\n<p>revision ", table.revision,
      "</p>\n", HtmlReportTable(table, "report"),
      svg.empty() ? ""
                  : absl::StrCat("<figure id=\"chart\">\n", svg,
                                 "<figcaption>", kRatioHeading, " = ",
                                 kDifferenceHeading, " / ", kRegistryHeading,
                                 "</figcaption>\n</figure>\n"),
      "</body>\n</html>\n");
}

class HtmlWriter final : public Writer {
 public:
  std::string Report(const ReportTable& table) const override {
    return Page(table);
  }

  std::string Table(const PlainTable& table) const override {
    std::string head, body;
    for (const std::string& cell : table.header) {
      absl::StrAppend(&head, "<th>", HtmlEscape(cell), "</th>");
    }
    for (const auto& row : table.rows) {
      absl::StrAppend(&body, "<tr>");
      for (size_t c = 0; c < row.size(); ++c) {
        absl::StrAppend(&body,
                        c < table.right_aligned.size() && table.right_aligned[c]
                            ? "<td class=\"n\">"
                            : "<td>",
                        HtmlEscape(row[c]), "</td>");
      }
      absl::StrAppend(&body, "</tr>\n");
    }
    return absl::StrCat(
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>",
        HtmlEscape(table.title),
        "</title>\n<style>\nbody{font-family:\"Noto Sans CJK SC\",\"WenQuanYi "
        "Zen Hei\",\"Microsoft YaHei\",sans-serif;margin:2em}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;"
        "padding:2px 8px}td.n{text-align:right}\n</style>\n</head>\n<body>\n"
        "<h1>",
        HtmlEscape(table.title), "</h1>\n<p>revision ", table.revision,
        "</p>\n<table>\n<thead><tr>", head, "</tr></thead>\n<tbody>\n", body,
        "</tbody>\n</table>\n</body>\n</html>\n");
  }
  std::string Alerts(const std::vector<v1::AlertEvent>& events,
                     bool with_header) const override {
    return NewTerminalWriter()->Alerts(events, with_header);
  }
};

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(
      text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}});
}

std::string HtmlReportTable(const ReportTable& table, absl::string_view id) {
  std::string rows_html;
  std::vector<std::vector<std::string>> cells = ReportCells(table);
  const std::vector<std::string> remarks = ReportRemarks(table);
  const std::vector<bool> numbers = ReportRightAligned(table);
  std::string head_html;
  cells[0].push_back(kRemarkHeading);
  for (const std::string& heading : cells[0]) {
    absl::StrAppend(&head_html, "<th>", HtmlEscape(heading), "</th>");
  }
  for (size_t i = 1; i < cells.size(); ++i) {
    const bool is_total = i == cells.size() - 1;
    const v1::ReportRow& row = is_total ? table.total : table.rows[i - 1];
    cells[i].push_back(remarks[i - 1]);
    // Subtotals (attachment 2) are bold like the total.
    const bool bold = is_total || row.row_number() == 0;
    const std::string classes = absl::StrCat(
        row.over_threshold() ? "over" : "",
        row.over_threshold() && bold ? " " : "", bold ? "total" : "");
    absl::StrAppend(&rows_html, "<tr",
                    classes.empty() ? "" : absl::StrCat(" class=\"", classes,
                                                        "\""),
                    ">");
    for (size_t c = 0; c < cells[i].size(); ++c) {
      absl::StrAppend(&rows_html,
                      c > 0 && numbers[c] ? "<td class=\"n\">" : "<td>",
                      HtmlEscape(cells[i][c]), "</td>");
    }
    absl::StrAppend(&rows_html, "</tr>\n");
  }
  return absl::StrCat("<table id=\"", id, "\">\n<thead><tr>", head_html,
                      "</tr></thead>\n<tbody>\n", rows_html,
                      "</tbody>\n</table>\n");
}

std::unique_ptr<Writer> NewHtmlWriter() {
  return std::make_unique<HtmlWriter>();
}

}  // namespace headcount::cli
