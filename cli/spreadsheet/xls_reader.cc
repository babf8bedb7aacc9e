#include "cli/spreadsheet/xls_reader.h"

#include <freexl.h>

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/spreadsheet/xlsx_reader.h"

namespace headcount {
namespace {

// What a FreeXL error code means to someone holding the file.
std::string FreeXlReason(int code) {
  switch (code) {
    case FREEXL_FILE_NOT_FOUND:
      return "it cannot be opened";
    case FREEXL_INSUFFICIENT_MEMORY:
      return "out of memory";
    case FREEXL_INVALID_CHARACTER:
    case FREEXL_UNSUPPORTED_CHARSET:
      return "its text is not in a code page FreeXL can convert";
    case FREEXL_BIFF_WORKBOOK_NOT_FOUND:
      return "it holds no Excel workbook stream (is it a Word or a "
             "password-protected file?)";
    case FREEXL_CRAFTED_FILE:
      return "it is severely damaged (FreeXL refuses it as crafted)";
    default:
      return absl::StrCat("it is damaged or not an Excel 97-2003 workbook "
                          "(FreeXL error ",
                          code, ")");
  }
}

absl::Status XlsError(absl::string_view what, int code) {
  return absl::InvalidArgumentError(
      absl::StrCat(what, ": ", FreeXlReason(code)));
}

// A cell as its text.
std::string CellText(const FreeXL_CellValue& cell) {
  switch (cell.type) {
    case FREEXL_CELL_INT:
      return absl::StrCat(cell.value.int_value);
    case FREEXL_CELL_DOUBLE:
      return ExcelNumberText(cell.value.double_value);
    case FREEXL_CELL_TEXT:
    case FREEXL_CELL_SST_TEXT:
    case FREEXL_CELL_DATE:
    case FREEXL_CELL_DATETIME:
    case FREEXL_CELL_TIME:
      return cell.value.text_value == nullptr ? "" : cell.value.text_value;
    default:
      return "";
  }
}

}  // namespace

bool LooksLikeCompoundFile(absl::string_view bytes) {
  return absl::StartsWith(bytes, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
}

absl::StatusOr<std::vector<SheetRow>> ReadXlsSheet(const std::string& path,
                                                   absl::string_view sheet) {
  const void* raw = nullptr;
  if (int code = freexl_open(path.c_str(), &raw); code != FREEXL_OK) {
    if (raw != nullptr) freexl_close(raw);
    return XlsError("not a readable .xls workbook", code);
  }
  std::unique_ptr<const void, int (*)(const void*)> book(raw, freexl_close);
  unsigned int value = 0;
  if (freexl_get_info(book.get(), FREEXL_BIFF_PASSWORD, &value) == FREEXL_OK &&
      value == FREEXL_BIFF_OBFUSCATED) {
    return absl::InvalidArgumentError(
        "the workbook is password-protected; save a copy without a password");
  }
  unsigned int count = 0;
  if (int code = freexl_get_info(book.get(), FREEXL_BIFF_SHEET_COUNT, &count);
      code != FREEXL_OK) {
    return XlsError("cannot list the workbook's sheets", code);
  }
  std::vector<std::string> names;
  int chosen = -1;
  for (unsigned int i = 0; i < count && i < 65536; ++i) {
    const char* name = nullptr;
    if (freexl_get_worksheet_name(book.get(), static_cast<unsigned short>(i),
                                  &name) != FREEXL_OK) {
      continue;
    }
    names.push_back(name == nullptr ? "" : name);
    if (chosen < 0 && (sheet.empty() || names.back() == sheet)) {
      chosen = static_cast<int>(i);
    }
  }
  if (chosen < 0) {
    return NoSuchSheet(sheet, names);
  }
  if (int code = freexl_select_active_worksheet(
          book.get(), static_cast<unsigned short>(chosen));
      code != FREEXL_OK) {
    return XlsError(absl::StrCat("cannot open sheet ", names[chosen]), code);
  }
  unsigned int rows = 0;
  unsigned short columns = 0;
  if (int code = freexl_worksheet_dimensions(book.get(), &rows, &columns);
      code != FREEXL_OK) {
    return XlsError(absl::StrCat("cannot size sheet ", names[chosen]), code);
  }
  if (static_cast<size_t>(rows) * columns > kMaxSheetCells) {
    return absl::InvalidArgumentError(
        absl::StrCat("sheet ", names[chosen], ": ", rows, " rows of ", columns,
                     " columns are more than ", kMaxSheetCells,
                     " cells; refusing it"));
  }
  std::vector<SheetRow> out;
  out.reserve(rows);
  for (unsigned int r = 0; r < rows; ++r) {
    SheetRow row{static_cast<int>(r + 1), std::vector<std::string>(columns)};
    for (unsigned short c = 0; c < columns; ++c) {
      FreeXL_CellValue cell;
      if (int code = freexl_get_cell_value(book.get(), r, c, &cell);
          code != FREEXL_OK) {
        return XlsError(absl::StrCat("cannot read row ", r + 1, " column ",
                                     c + 1, " of sheet ", names[chosen]),
                        code);
      }
      row.cells[c] = std::string(absl::StripAsciiWhitespace(CellText(cell)));
    }
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace headcount
