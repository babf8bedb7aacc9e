#include "cli/spreadsheet/spreadsheet_file.h"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/spreadsheet/csv_import.h"
#include "cli/spreadsheet/xls_reader.h"
#include "cli/spreadsheet/xlsx_reader.h"
#include "common/domain/text_file.h"

namespace headcount {

absl::StatusOr<HeadcountImport> ReadHeadcountFile(const std::string& path,
                                                  absl::string_view sheet) {
  std::string kind;
  absl::StatusOr<std::vector<SheetRow>> rows =
      ReadSheetRows(path, sheet, &kind);
  if (kind.empty()) return rows.status();  // not read at all
  absl::StatusOr<HeadcountImport> imported =
      rows.ok() ? ImportHeadcountRows(*std::move(rows))
                : absl::StatusOr<HeadcountImport>(rows.status());
  const std::string lower = absl::AsciiStrToLower(path);
  if (!imported.ok() && kind != "xlsx" && kind != "xls" &&
      (absl::EndsWith(lower, ".xlsx") || absl::EndsWith(lower, ".xls"))) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an Excel workbook (neither a zip archive nor an "
                     "OLE2 file), and as CSV text: ",
                     imported.status().message()));
  }
  if (imported.ok()) imported->encoding = kind;
  return imported;
}

absl::StatusOr<std::vector<SheetRow>> ReadSheetRows(const std::string& path,
                                                    absl::string_view sheet,
                                                    std::string* kind) {
  absl::StatusOr<std::string> bytes = ReadTextFile(path);
  if (!bytes.ok()) return bytes.status();
  if (LooksLikeZip(*bytes)) {
    *kind = "xlsx";
    return ReadXlsxSheet(*bytes, sheet);
  }
  if (LooksLikeCompoundFile(*bytes)) {
    *kind = "xls";
    if (absl::EndsWith(absl::AsciiStrToLower(path), ".xlsx")) {
      // Excel keeps an .xlsx saved with a password encrypted inside an
      // OLE2 container, which no reader here can open.
      return absl::InvalidArgumentError(
          "the workbook is password-protected (an encrypted .xlsx); save a "
          "copy without a password");
    }
    return ReadXlsSheet(path, sheet);
  }
  *kind = "text";
  if (!sheet.empty()) {
    return absl::InvalidArgumentError(
        "--sheet: this is CSV or TSV text, which has no sheets");
  }
  absl::StatusOr<std::string> text = DecodeSpreadsheetText(*bytes, kind);
  if (!text.ok()) return text.status();
  return SplitDelimitedText(*text);
}

}  // namespace headcount
