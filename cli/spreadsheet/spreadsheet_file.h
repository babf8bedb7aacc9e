// One headcount file as the clerk has it, whatever its kind: an Excel
// workbook (.xlsx, .xls) or CSV/TSV text in UTF-8 or GBK.
#ifndef HEADCOUNT_CLI_SPREADSHEET_SPREADSHEET_FILE_H_
#define HEADCOUNT_CLI_SPREADSHEET_SPREADSHEET_FILE_H_

#include <string>

#include "absl/status/statusor.h"
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

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_SPREADSHEET_FILE_H_
