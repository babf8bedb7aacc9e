#include "cli/output/writer.h"

#include "absl/strings/str_cat.h"

namespace headcount::cli {

absl::StatusOr<Format> ParseFormat(absl::string_view text) {
  if (text == "table") return Format::kTable;
  if (text == "tsv") return Format::kTsv;
  if (text == "csv") return Format::kCsv;
  if (text == "md") return Format::kMarkdown;
  if (text == "json") return Format::kJson;
  if (text == "html") return Format::kHtml;
  return absl::InvalidArgumentError(
      absl::StrCat("--format: \"", text,
                   "\" is not one of table, tsv, csv, md, json, html"));
}

std::unique_ptr<Writer> NewWriter(Format format) {
  switch (format) {
    case Format::kTsv:
      return NewTsvWriter();
    case Format::kCsv:
      return NewCsvWriter();
    case Format::kMarkdown:
      return NewMarkdownWriter();
    case Format::kJson:
      return NewJsonWriter();
    case Format::kHtml:
      return NewHtmlWriter();
    case Format::kTable:
      break;
  }
  return NewTerminalWriter();
}

std::string FormatReport(const ReportTable& table, Format format) {
  return NewWriter(format)->Report(table);
}

std::string FormatAlerts(const std::vector<v1::AlertEvent>& events,
                         Format format, bool with_header) {
  return NewWriter(format)->Alerts(events, with_header);
}

}  // namespace headcount::cli
