// Markdown: a heading, a pipe table with 备注 and the total in bold, and
// the revision below.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/output/writer.h"

namespace headcount::cli {
namespace {

class MarkdownWriter final : public Writer {
 public:
  std::string Report(const ReportTable& table) const override {
    std::vector<std::vector<std::string>> rows = ReportCells(table);
    const std::vector<std::string> remarks = ReportRemarks(table);
    std::string out = absl::StrCat("## ", table.title, "\n\n| ",
                                   absl::StrJoin(rows[0], " | "), " | ",
                                   kRemarkHeading, " |\n|");
    for (bool right : ReportRightAligned(table)) out += right ? "---:|" : "---|";
    out += "\n";
    for (size_t i = 1; i < rows.size(); ++i) {
      if (i == rows.size() - 1 || !absl::ascii_isdigit(rows[i][0][0]))
        rows[i][0] = absl::StrCat("**", rows[i][0], "**");
      absl::StrAppend(&out, "| ", absl::StrJoin(rows[i], " | "), " | ",
                      remarks[i - 1], " |\n");
    }
    absl::StrAppend(&out, "\nrevision ", table.revision, "\n");
    return out;
  }

  std::string Table(const PlainTable& table) const override {
    std::string out = absl::StrCat("## ", table.title, "\n\n| ",
                                   absl::StrJoin(table.header, " | "), " |\n|");
    for (bool right : table.right_aligned) out += right ? "---:|" : "---|";
    out += "\n";
    for (const auto& row : table.rows) {
      absl::StrAppend(&out, "| ", absl::StrJoin(row, " | "), " |\n");
    }
    absl::StrAppend(&out, "\nrevision ", table.revision, "\n");
    return out;
  }

  std::string Alerts(const std::vector<v1::AlertEvent>& events,
                     bool with_header) const override {
    std::string out;
    if (with_header) {
      const std::vector<std::string> header = AlertHeader();
      absl::StrAppend(
          &out, "| ", absl::StrJoin(header, " | "), " |\n|",
          absl::StrJoin(std::vector<std::string>(header.size(), "---"), "|"),
          "|\n");
    }
    for (const v1::AlertEvent& event : events) {
      absl::StrAppend(&out, "| ", absl::StrJoin(AlertCells(event), " | "),
                      " |\n");
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Writer> NewMarkdownWriter() {
  return std::make_unique<MarkdownWriter>();
}

}  // namespace headcount::cli
