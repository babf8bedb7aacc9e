#include "cli/output/xlsx_workbook.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/output/writer.h"
#include "common/domain/text_file.h"

namespace headcount::cli {
namespace {

constexpr lxw_color_t kOverShade = 0xFBE3E0;  // as the HTML report's rows
constexpr lxw_color_t kHeaderShade = 0xEEEEEE;

// The cell formats of one workbook, made once per kind.
class Formats {
 public:
  explicit Formats(lxw_workbook* book) : book_(book) {}

  lxw_format* Title() {
    if (title_ == nullptr) {
      title_ = workbook_add_format(book_);
      format_set_bold(title_);
      format_set_font_size(title_, 14);
      format_set_align(title_, LXW_ALIGN_CENTER);
      format_set_align(title_, LXW_ALIGN_VERTICAL_CENTER);
    }
    return title_;
  }

  lxw_format* Heading() {
    if (heading_ == nullptr) {
      heading_ = workbook_add_format(book_);
      format_set_bold(heading_);
      format_set_border(heading_, LXW_BORDER_THIN);
      format_set_text_wrap(heading_);
      format_set_align(heading_, LXW_ALIGN_CENTER);
      format_set_align(heading_, LXW_ALIGN_VERTICAL_CENTER);
      format_set_bg_color(heading_, kHeaderShade);
    }
    return heading_;
  }

  // A body cell: text (decimals < 0) or a number shown with `decimals`
  // decimals; bold for 合计, shaded when over the threshold.
  lxw_format* Cell(int decimals, bool bold, bool over) {
    lxw_format*& format = cells_[std::make_tuple(decimals, bold, over)];
    if (format == nullptr) {
      format = workbook_add_format(book_);
      format_set_border(format, LXW_BORDER_THIN);
      if (decimals >= 0) {
        format_set_num_format(
            format, decimals == 0
                        ? "0"
                        : absl::StrCat("0.", std::string(decimals, '0')).c_str());
      }
      if (bold) format_set_bold(format);
      if (over) format_set_bg_color(format, kOverShade);
    }
    return format;
  }

 private:
  lxw_workbook* const book_;
  lxw_format* title_ = nullptr;
  lxw_format* heading_ = nullptr;
  std::map<std::tuple<int, bool, bool>, lxw_format*> cells_;
};

// Writes `text` as a number when it is one (keeping how many decimals it
// shows), else as text.
lxw_error WriteCell(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t column,
                    const std::string& text, bool bold, bool over,
                    Formats& formats) {
  double number;
  if (!text.empty() && absl::SimpleAtod(text, &number) &&
      text.find_first_not_of("-0123456789.") == std::string::npos) {
    const size_t dot = text.find('.');
    const int decimals =
        dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
    return worksheet_write_number(sheet, row, column, number,
                                  formats.Cell(decimals, bold, over));
  }
  return worksheet_write_string(sheet, row, column, text.c_str(),
                                formats.Cell(-1, bold, over));
}

// A file for libxlsxwriter to write, removed when done.
class TemporaryFile {
 public:
  TemporaryFile() {
    const char* dir = std::getenv("TMPDIR");
    path_ = absl::StrCat(dir != nullptr && *dir != '\0' ? dir : "/tmp",
                         "/headcount-report-XXXXXX.xlsx");
    const int fd = mkstemps(path_.data(), 5);
    if (fd < 0) {
      path_.clear();
    } else {
      close(fd);
    }
  }
  ~TemporaryFile() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

absl::StatusOr<std::string> ReportWorkbook(const ReportTable& table) {
  TemporaryFile file;
  if (file.path().empty()) {
    return absl::InternalError(
        "cannot create a temporary file for the workbook (is TMPDIR "
        "writable?)");
  }
  lxw_workbook* book = workbook_new(file.path().c_str());
  if (book == nullptr) {
    return absl::InternalError(
        absl::StrCat("libxlsxwriter cannot start a workbook at ", file.path()));
  }
  const std::string comments = absl::StrCat(
      table.title, ", revision ", table.revision, ", threshold ",
      ThresholdText(table.over_threshold_ppm));
  lxw_doc_properties properties = {};
  properties.title = const_cast<char*>(table.notice_title.c_str());
  properties.comments = const_cast<char*>(comments.c_str());
  workbook_set_properties(book, &properties);

  lxw_worksheet* sheet =
      workbook_add_worksheet(book, table.name_header.c_str());
  Formats formats(book);
  std::vector<std::vector<std::string>> rows = ReportCells(table);
  const std::vector<std::string> remarks = ReportRemarks(table);
  rows[0].push_back(kRemarkHeading);
  for (size_t i = 1; i < rows.size(); ++i) rows[i].push_back(remarks[i - 1]);
  // 序号, [学区,] name, three counts, ratio, 备注.
  const int kColumns = static_cast<int>(rows[0].size());

  worksheet_merge_range(sheet, 0, 0, 0, kColumns - 1,
                        table.notice_title.c_str(), formats.Title());
  worksheet_set_row(sheet, 0, 30, nullptr);
  // Headings wrap on two lines, as in the notice (现场核查 / 学生数).
  worksheet_set_row(sheet, 1, 32, nullptr);
  std::vector<int> widths(kColumns, 6);
  for (size_t c = 0; c < rows[0].size(); ++c) {
    worksheet_write_string(sheet, 1, c, rows[0][c].c_str(), formats.Heading());
    widths[c] = std::max(widths[c], (DisplayWidth(rows[0][c]) + 1) / 2 + 2);
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    const bool total = r + 1 == rows.size() ||
                       table.rows[r - 1].row_number() == 0;  // 小计
    const bool over = !remarks[r - 1].empty();
    for (size_t c = 0; c < rows[r].size(); ++c) {
      WriteCell(sheet, r + 1, c, rows[r][c], total, over, formats);
      widths[c] = std::max(widths[c], DisplayWidth(rows[r][c]) + 2);
    }
  }
  for (int c = 0; c < kColumns; ++c) {
    worksheet_set_column(sheet, c, c, widths[c], nullptr);
  }
  worksheet_freeze_panes(sheet, 2, 0);

  if (lxw_error error = workbook_close(book); error != LXW_NO_ERROR) {
    return absl::InternalError(
        absl::StrCat("cannot write the workbook: ", lxw_strerror(error)));
  }
  return ReadTextFile(file.path());
}

}  // namespace headcount::cli
