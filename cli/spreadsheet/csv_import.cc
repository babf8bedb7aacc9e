#include "cli/spreadsheet/csv_import.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/domain/validation.h"
#include "unicode/ucnv.h"

namespace headcount {
namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

}  // namespace

std::vector<SheetRow> SplitCsvRecords(absl::string_view text, char delimiter) {
  std::vector<SheetRow> records;
  SheetRow current{1, {std::string()}};
  int line = 1;
  bool quoted = false;
  auto finish = [&] {
    for (std::string& field : current.cells) {
      field = std::string(absl::StripAsciiWhitespace(field));
    }
    records.push_back(std::move(current));
    current = SheetRow{line, {std::string()}};
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        current.cells.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        current.cells.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      current.cells.emplace_back();
    } else if (c == '\n') {
      ++line;
      finish();
    } else if (c != '\r') {
      current.cells.back() += c;
    }
  }
  if (current.cells.size() > 1 || !current.cells[0].empty()) finish();
  return records;
}

absl::StatusOr<std::string> DecodeSpreadsheetText(absl::string_view bytes,
                                                  std::string* encoding) {
  if (absl::StartsWith(bytes, kBom)) bytes.remove_prefix(kBom.size());
  if (IsValidUtf8(bytes)) {
    if (encoding != nullptr) *encoding = "UTF-8";
    return std::string(bytes);
  }
  UErrorCode status = U_ZERO_ERROR;
  UConverter* raw = ucnv_open("GBK", &status);
  if (U_FAILURE(status)) {
    return absl::InternalError(
        absl::StrCat("no GBK converter: ", u_errorName(status)));
  }
  std::unique_ptr<UConverter, void (*)(UConverter*)> converter(raw, ucnv_close);
  // Fail on bytes that are not GBK instead of substituting.
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr,
                      nullptr, nullptr, &status);
  std::string out(bytes.size() * 2 + 16, '\0');
  UConverter* utf8 = ucnv_open("UTF-8", &status);
  std::unique_ptr<UConverter, void (*)(UConverter*)> to(utf8, ucnv_close);
  char* target = out.data();
  const char* source = bytes.data();
  ucnv_convertEx(to.get(), converter.get(), &target, out.data() + out.size(),
                 &source, bytes.data() + bytes.size(), nullptr, nullptr,
                 nullptr, nullptr, true, true, &status);
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the file is neither UTF-8 nor GBK (byte ",
                     source - bytes.data(), " cannot be decoded)"));
  }
  out.resize(target - out.data());
  if (encoding != nullptr) *encoding = "GBK";
  return out;
}

std::vector<SheetRow> SplitDelimitedText(absl::string_view text) {
  // Tab-separated when one of the first 20 lines has a tab (TSV, or a sheet
  // pasted from Excel); else comma-separated.
  char delimiter = ',';
  {
    std::vector<absl::string_view> top =
        absl::StrSplit(text.substr(0, 64 * 1024), '\n');
    for (size_t i = 0; i < top.size() && i < 20; ++i) {
      if (absl::StrContains(top[i], '\t')) delimiter = '\t';
    }
  }
  return SplitCsvRecords(text, delimiter);
}

absl::StatusOr<HeadcountImport> ParseHeadcountCsv(absl::string_view text) {
  return ImportHeadcountRows(SplitDelimitedText(text));
}

}  // namespace headcount
