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
namespace {

absl::StatusOr<HeadcountImport> ImportSheet(
    absl::StatusOr<std::vector<SheetRow>> rows, const char* kind) {
  if (!rows.ok()) return rows.status();
  absl::StatusOr<HeadcountImport> imported =
      ImportHeadcountRows(*std::move(rows));
  if (imported.ok()) imported->encoding = kind;
  return imported;
}

}  // namespace

absl::StatusOr<HeadcountImport> ReadHeadcountFile(const std::string& path,
                                                  absl::string_view sheet) {
  absl::StatusOr<std::string> bytes = ReadTextFile(path);
  if (!bytes.ok()) return bytes.status();
  const std::string lower = absl::AsciiStrToLower(path);
  if (LooksLikeZip(*bytes)) {
    return ImportSheet(ReadXlsxSheet(*bytes, sheet), "xlsx");
  }
  if (LooksLikeCompoundFile(*bytes)) {
    if (absl::EndsWith(lower, ".xlsx")) {
      // Excel keeps an .xlsx saved with a password encrypted inside an
      // OLE2 container, which no reader here can open.
      return absl::InvalidArgumentError(
          "the workbook is password-protected (an encrypted .xlsx); save a "
          "copy without a password");
    }
    return ImportSheet(ReadXlsSheet(path, sheet), "xls");
  }
  if (!sheet.empty()) {
    return absl::InvalidArgumentError(
        "--sheet: this is CSV or TSV text, which has no sheets");
  }
  std::string encoding;
  absl::StatusOr<std::string> text = DecodeSpreadsheetText(*bytes, &encoding);
  absl::StatusOr<HeadcountImport> imported =
      text.ok() ? ParseHeadcountCsv(*text)
                : absl::StatusOr<HeadcountImport>(text.status());
  if (!imported.ok() &&
      (absl::EndsWith(lower, ".xlsx") || absl::EndsWith(lower, ".xls"))) {
    return absl::InvalidArgumentError(
        absl::StrCat("not an Excel workbook (neither a zip archive nor an "
                     "OLE2 file), and as CSV text: ",
                     imported.status().message()));
  }
  if (imported.ok()) imported->encoding = encoding;
  return imported;
}

}  // namespace headcount
