// Reads one worksheet of an Office Open XML workbook (.xlsx, as Excel, WPS
// and LibreOffice save it) as rows of text.
#ifndef HEADCOUNT_CLI_SPREADSHEET_XLSX_READER_H_
#define HEADCOUNT_CLI_SPREADSHEET_XLSX_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/spreadsheet/sheet_import.h"

namespace headcount {

// A number as Excel's General format shows it: whole numbers without a
// decimal point (61), others to 15 significant digits (0.0134).
std::string ExcelNumberText(double number);

// Whether `bytes` start like a zip archive (an .xlsx is one).
bool LooksLikeZip(absl::string_view bytes);

// The rows of the worksheet named `sheet` of the workbook `bytes`, or of
// its first worksheet when `sheet` is empty. Cells hold shared strings,
// inline strings, formula results as last saved, numbers as Excel shows
// them in the General format (61, 0.5), booleans TRUE/FALSE; every row is
// padded to the sheet's widest, and a row number Excel skipped (an empty
// row) is simply absent. INVALID_ARGUMENT saying what is wrong for a file
// that is not a workbook, a damaged one, an unknown sheet (naming the
// sheets there are), or parts over 256 MiB unpacked.
absl::StatusOr<std::vector<SheetRow>> ReadXlsxSheet(absl::string_view bytes,
                                                    absl::string_view sheet);

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_XLSX_READER_H_
