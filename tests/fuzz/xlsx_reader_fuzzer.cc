// libFuzzer target: the .xlsx reader must never crash, hang or read out of
// bounds on any bytes, and whatever it reads must import to valid
// submissions. Mutated zip archives mostly fail their CRC check in libzip,
// so an input whose first byte is odd is instead XML: the worksheet and,
// after a 0 byte, the shared strings, packed here into a valid workbook, so
// that mutations reach our XML handling.
#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/spreadsheet/sheet_import.h"
#include "cli/spreadsheet/xlsx_reader.h"
#include "common/domain/validation.h"

namespace {

// A workbook with one sheet whose part is `sheet` and shared strings
// `shared`, as zip bytes ("" if libzip fails).
std::string Pack(const std::string& sheet, const std::string& shared) {
  const std::string workbook =
      "<workbook xmlns:r=\"r\"><sheets><sheet name=\"S\" r:id=\"a\"/>"
      "</sheets></workbook>";
  const std::string relations =
      "<Relationships><Relationship Id=\"a\" "
      "Target=\"worksheets/s.xml\"/></Relationships>";
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* out = zip_source_buffer_create(nullptr, 0, 0, &error);
  zip_t* zip = zip_open_from_source(out, ZIP_TRUNCATE, &error);
  if (zip == nullptr) {
    zip_source_free(out);
    return "";
  }
  zip_source_keep(out);
  const std::pair<const char*, const std::string*> parts[] = {
      {"xl/workbook.xml", &workbook},
      {"xl/_rels/workbook.xml.rels", &relations},
      {"xl/worksheets/s.xml", &sheet},
      {"xl/sharedStrings.xml", &shared}};
  for (const auto& [name, content] : parts) {
    zip_source_t* source =
        zip_source_buffer(zip, content->data(), content->size(), 0);
    if (zip_file_add(zip, name, source, 0) < 0) zip_source_free(source);
  }
  std::string bytes;
  zip_stat_t stat;
  if (zip_close(zip) == 0 && zip_source_open(out) == 0) {
    if (zip_source_stat(out, &stat) == 0) {
      bytes.resize(stat.size);
      if (zip_source_read(out, bytes.data(), stat.size) !=
          static_cast<zip_int64_t>(stat.size)) {
        bytes.clear();
      }
    }
    zip_source_close(out);
  } else if (zip_close(zip) != 0) {
    zip_discard(zip);
  }
  zip_source_free(out);
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && (input[0] & 1)) {
    const size_t zero = input.find('\0', 1);
    input = zero == std::string::npos
                ? Pack(input.substr(1), "<sst/>")
                : Pack(input.substr(1, zero - 1), input.substr(zero + 1));
    if (input.empty()) return 0;
  }
  absl::StatusOr<std::vector<headcount::SheetRow>> rows =
      headcount::ReadXlsxSheet(input, "");
  if (!rows.ok()) return 0;
  for (const headcount::SheetRow& row : *rows) {
    if (row.cells.size() != rows->front().cells.size()) std::abort();
  }
  absl::StatusOr<headcount::HeadcountImport> imported =
      headcount::ImportHeadcountRows(*std::move(rows));
  if (!imported.ok()) return 0;
  for (const headcount::v1::SubmitRequest& school : imported->schools) {
    if (!headcount::ValidateSubmitRequest(school).empty()) std::abort();
  }
  return 0;
}
