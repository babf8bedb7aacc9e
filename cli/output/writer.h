// How the `headcount` client prints reports and alert events: one Writer
// per format. Aligned tables for a terminal (CJK counted two columns wide),
// TSV exactly as the notice's attachment, CSV, Markdown, JSON, and a
// standalone HTML page with a chart.
#ifndef HEADCOUNT_CLI_OUTPUT_WRITER_H_
#define HEADCOUNT_CLI_OUTPUT_WRITER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/output/report_table.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::cli {

enum class Format { kTable, kTsv, kCsv, kMarkdown, kJson, kHtml };

// "table", "tsv", "csv", "md", "json", "html"; INVALID_ARGUMENT otherwise.
absl::StatusOr<Format> ParseFormat(absl::string_view text);

class Writer {
 public:
  virtual ~Writer() = default;
  // The whole report.
  virtual std::string Report(const ReportTable& table) const = 0;
  // One line or row per event, after a header when `with_header` (a
  // follow prints its header once). JSON writes JSON Lines. HTML has no
  // form of its own for alerts and writes the terminal table. The terminal
  // writer keeps its column widths from call to call (so one writer per
  // table).
  virtual std::string Alerts(const std::vector<v1::AlertEvent>& events,
                             bool with_header) const = 0;
  // Any other list, whole (JSON: the response).
  virtual std::string Table(const PlainTable& table) const = 0;
};

std::unique_ptr<Writer> NewWriter(Format format);

// Shorthands for NewWriter(format)->Report / ->Alerts.
std::string FormatReport(const ReportTable& table, Format format);
std::string FormatAlerts(const std::vector<v1::AlertEvent>& events,
                         Format format, bool with_header);

// `text` with & < > " escaped for HTML.
std::string HtmlEscape(absl::string_view text);

// The report's rows (and 备注) as an HTML <table> with `id`: numbers
// right-aligned (class n), rows over the threshold class over, the total
// and subtotals class total.
std::string HtmlReportTable(const ReportTable& table, absl::string_view id);

// Columns a terminal needs for `text`: East Asian wide and fullwidth
// characters count two, everything else one.
int DisplayWidth(absl::string_view text);

// The writers, one per file (cli/output/*_writer.cc).
std::unique_ptr<Writer> NewTerminalWriter();
std::unique_ptr<Writer> NewTsvWriter();
std::unique_ptr<Writer> NewCsvWriter();
std::unique_ptr<Writer> NewMarkdownWriter();
std::unique_ptr<Writer> NewJsonWriter();
std::unique_ptr<Writer> NewHtmlWriter();

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_OUTPUT_WRITER_H_
