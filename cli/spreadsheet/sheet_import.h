// The rules every headcount spreadsheet shares, whatever file it came in
// (CSV, TSV, .xlsx, .xls): find the header row, read one grade per row,
// group the rows into one submission per school.
#ifndef HEADCOUNT_CLI_SPREADSHEET_SHEET_IMPORT_H_
#define HEADCOUNT_CLI_SPREADSHEET_SHEET_IMPORT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

// One row of a sheet as text: a CSV record, or a worksheet row with its
// numbers written as the cell shows them (61, not 61.0).
struct SheetRow {
  // Where it starts, 1-based: the CSV file's line, or the worksheet's row
  // number as Excel shows it.
  int line = 0;
  std::vector<std::string> cells;  // trimmed; missing cells are ""
};

// A bad row: where it is and what is wrong, for "file:line: field: reason".
struct RowProblem {
  int line = 0;  // SheetRow::line
  std::string field;
  std::string reason;
  // SchoolIdentity of the row's school when the row names one.
  std::string school;
};

// The most cells a worksheet may hold once its rows are padded to its
// widest (a value far right on many rows of a hostile file would need
// more); readers refuse larger sheets.
inline constexpr size_t kMaxSheetCells = size_t{32} << 20;

// What a workbook reader answers when no worksheet is named `sheet` ("" =
// the first): "the workbook has no worksheet", or INVALID_ARGUMENT naming
// `--sheet` and the sheets there are.
absl::Status NoSuchSheet(absl::string_view sheet,
                         const std::vector<std::string>& names);

// A column a sheet's header must name, in English or in Chinese.
struct SheetColumn {
  const char* english;
  const char* chinese;
};

// Where a sheet's header is: its position in the rows, its width, and for
// each column the cell that names it.
struct SheetHeader {
  size_t row = 0;
  size_t size = 0;
  std::vector<int> index;
};

// The first of the first 20 rows that names every column (in any order,
// spaces and line breaks inside a cell ignored; title rows above and other
// columns allowed). INVALID_ARGUMENT naming what the likeliest header line
// lacks, and the columns expected.
absl::StatusOr<SheetHeader> FindSheetHeader(
    const std::vector<SheetRow>& rows, const std::vector<SheetColumn>& columns);

// True when every cell is empty.
bool BlankRow(const SheetRow& row);

// term, county, district and school joined by tabs: which school a row or
// submission is about.
std::string SchoolIdentity(const v1::SubmitRequest& school);

struct HeadcountImport {
  // One per school, in order of first appearance, grades in file order;
  // submission_id derived from the content (the client prefixes it with
  // one random id per run, so that only a run's own retries repeat it).
  std::vector<v1::SubmitRequest> schools;
  // For each school, the line of each of its rows.
  std::vector<std::vector<int>> lines;
  int rows = 0;  // data rows read
  std::vector<RowProblem> problems;
  // How the file was read: "UTF-8", "GBK" (CSV/TSV), "xlsx" or "xls".
  std::string encoding;
};

// Reads `rows`. The header is the first of the first 20 rows that names
// every column, in English (term,county,district,school,grade,onsite_count,
// registry_count) or Chinese (学期,县,学区,学校,年级,现场核查学生数,
// 学籍数据学生数), in any order, with spaces and line breaks inside a cell
// ignored; title rows above it and other columns (序号) are allowed.
// Grades may be 1..12 or as clerks write them (一年级, 初一, 高三, 3年级).
// Rows that break a rule are listed in `problems` and left out; blank rows
// are skipped. INVALID_ARGUMENT naming the missing columns when no row is
// a header.
absl::StatusOr<HeadcountImport> ImportHeadcountRows(std::vector<SheetRow> rows);

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_SHEET_IMPORT_H_
