// One headcount file as the clerk has it, whatever its kind: an Excel
// workbook (.xlsx, .xls) or CSV/TSV text in UTF-8 or GBK.
#ifndef HEADCOUNT_CLI_SPREADSHEET_SPREADSHEET_FILE_H_
#define HEADCOUNT_CLI_SPREADSHEET_SPREADSHEET_FILE_H_

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cli/spreadsheet/sheet_import.h"

namespace headcount {

// Reads the file at `path`, telling the kind by its content: a zip archive
// is read as .xlsx, an OLE2 compound file as .xls, anything else as CSV or
// TSV text (also when named .xls: systems that export "Excel" often write
// text). `sheet` picks a workbook's sheet by name ("" = the first); it is
// refused for text. HeadcountImport::encoding says how it was read.
// Errors name the file's problem (not the path: the caller prefixes it).
absl::StatusOr<HeadcountImport> ReadHeadcountFile(const std::string& path,
                                                  absl::string_view sheet);

// The rows of the file at `path` (its kind told as for ReadHeadcountFile),
// and in `kind` how it was read: "xlsx", "xls", "UTF-8" or "GBK".
absl::StatusOr<std::vector<SheetRow>> ReadSheetRows(const std::string& path,
                                                    absl::string_view sheet,
                                                    std::string* kind);

// Reads the file at `path` (as ReadSheetRows) and passes its rows to
// `import` (ImportRosterRows, ImportRegionRows), whose result has
// `problems`; prints each as PATH:LINE: field: reason to standard error.
// Errors: the file unread or without a header (naming the path), or
// "N bad row(s); nothing sent" when a row was bad.
template <typename Import>
absl::StatusOr<Import> ImportSheetFile(
    const std::string& path, absl::string_view sheet, std::string* kind,
    absl::StatusOr<Import> (*import)(std::vector<SheetRow>)) {
  absl::StatusOr<std::vector<SheetRow>> rows = ReadSheetRows(path, sheet, kind);
  if (!rows.ok()) {
    return absl::Status(rows.status().code(),
                        absl::StrCat("cannot read ", path, ": ",
                                     rows.status().message()));
  }
  absl::StatusOr<Import> imported = import(*std::move(rows));
  if (!imported.ok()) {
    return absl::Status(imported.status().code(),
                        absl::StrCat(path, ": ", imported.status().message()));
  }
  for (const RowProblem& p : imported->problems) {
    std::fprintf(stderr, "%s:%d: %s: %s\n", path.c_str(), p.line,
                 p.field.c_str(), p.reason.c_str());
  }
  if (!imported->problems.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        imported->problems.size(), " bad row(s); nothing sent"));
  }
  return imported;
}

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_SPREADSHEET_FILE_H_
