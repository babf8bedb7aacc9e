// Aligned columns for a terminal: CJK characters count two columns wide,
// numbers right-aligned, over-threshold rows marked in 备注.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "cli/output/writer.h"
#include "unicode/uchar.h"
#include "unicode/utf8.h"

namespace headcount::cli {
namespace {

// Pads to `width` display columns, on the left when `right_align`.
std::string Pad(const std::string& text, int width, bool right_align) {
  const int padding = std::max(0, width - DisplayWidth(text));
  return right_align ? std::string(padding, ' ') + text
                     : text + std::string(padding, ' ');
}

// Columns as wide as their widest cell and at least `widths`, which
// returns the widths used.
std::string AlignedTable(const std::vector<std::vector<std::string>>& rows,
                         const std::vector<bool>& right_align,
                         std::vector<int>& widths) {
  widths.resize(right_align.size(), 0);
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

class TerminalWriter final : public Writer {
 public:
  std::string Report(const ReportTable& table) const override {
    std::vector<std::vector<std::string>> rows = ReportCells(table);
    const std::vector<std::string> remarks = ReportRemarks(table);
    rows[0].push_back(kRemarkHeading);
    for (size_t i = 1; i < rows.size(); ++i) rows[i].push_back(remarks[i - 1]);
    std::vector<int> widths;
    return absl::StrCat(
        table.title, " (revision ", table.revision, ")\n",
        AlignedTable(rows, ReportRightAligned(table), widths));
  }

  std::string Table(const PlainTable& table) const override {
    std::vector<std::vector<std::string>> rows = {table.header};
    rows.insert(rows.end(), table.rows.begin(), table.rows.end());
    std::vector<int> widths;
    return absl::StrCat(table.title, " (revision ", table.revision, ")\n",
                        AlignedTable(rows, table.right_aligned, widths));
  }

  std::string Alerts(const std::vector<v1::AlertEvent>& events,
                     bool with_header) const override {
    std::vector<std::vector<std::string>> rows;
    if (with_header) rows.push_back(AlertHeader());
    for (const v1::AlertEvent& event : events)
      rows.push_back(AlertCells(event));
    // Widths only grow from call to call, so that a --follow's events,
    // printed one at a time, line up under its header.
    if (alert_widths_.empty()) alert_widths_ = AlertMinWidths();
    return AlignedTable(rows, AlertRightAligned(), alert_widths_);
  }

 private:
  mutable std::vector<int> alert_widths_;
};

}  // namespace

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

std::unique_ptr<Writer> NewTerminalWriter() {
  return std::make_unique<TerminalWriter>();
}

}  // namespace headcount::cli
