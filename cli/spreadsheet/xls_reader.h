// Reads one worksheet of a legacy Excel 97-2003 workbook (.xls, BIFF8, as
// older Excel and WPS still save it) as rows of text, through FreeXL.
#ifndef HEADCOUNT_CLI_SPREADSHEET_XLS_READER_H_
#define HEADCOUNT_CLI_SPREADSHEET_XLS_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/spreadsheet/sheet_import.h"

namespace headcount {

// Whether `bytes` start like an OLE2 compound file (an .xls is one; so is
// a password-protected .xlsx).
bool LooksLikeCompoundFile(absl::string_view bytes);

// The rows of the worksheet named `sheet` of the .xls file at `path`, or
// of its first worksheet when `sheet` is empty: text as stored (UTF-8),
// numbers as Excel's General format shows them, dates as YYYY-MM-DD;
// every row as wide as the sheet; empty rows kept (blank). INVALID_ARGUMENT
// saying what is wrong for a file FreeXL cannot read, a password-protected
// one, or an unknown sheet (naming the sheets there are).
absl::StatusOr<std::vector<SheetRow>> ReadXlsSheet(const std::string& path,
                                                   absl::string_view sheet);

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_XLS_READER_H_
