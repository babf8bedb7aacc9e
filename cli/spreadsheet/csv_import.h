// Reads headcount spreadsheets exported as CSV or TSV (UTF-8 with or without
// BOM, or GBK as Excel and WPS write them in Chinese offices) into one
// submission per school.
#ifndef HEADCOUNT_CLI_SPREADSHEET_CSV_IMPORT_H_
#define HEADCOUNT_CLI_SPREADSHEET_CSV_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/spreadsheet/sheet_import.h"

namespace headcount {

// Converts `bytes` to UTF-8: kept when it is valid UTF-8 (a BOM is
// dropped), otherwise decoded as GBK. INVALID_ARGUMENT when neither fits.
absl::StatusOr<std::string> DecodeSpreadsheetText(absl::string_view bytes,
                                                  std::string* encoding);

// RFC 4180 records of `text`: "quoted, fields" with "" escapes, line
// breaks inside quotes (a cell Excel wrapped) kept in the cell; CR LF and
// LF both end a record. Cells are trimmed of ASCII spaces.
std::vector<SheetRow> SplitCsvRecords(absl::string_view text, char delimiter);

// ImportHeadcountRows of the decoded text's records; the delimiter is a tab
// when one of the first 20 lines has one (TSV, or cells pasted from
// Excel), else a comma.
absl::StatusOr<HeadcountImport> ParseHeadcountCsv(absl::string_view text);

// Records of CSV or TSV text: tab-separated when one of its first 20 lines
// holds a tab, else comma-separated.
std::vector<SheetRow> SplitDelimitedText(absl::string_view text);

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_CSV_IMPORT_H_
