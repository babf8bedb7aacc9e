// libFuzzer target: the spreadsheet reader must never crash, hang or read
// out of bounds on any bytes, and whatever it accepts must be valid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "cli/spreadsheet/csv_import.h"
#include "common/domain/validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string encoding;
  absl::StatusOr<std::string> text = headcount::DecodeSpreadsheetText(
      std::string(reinterpret_cast<const char*>(data), size), &encoding);
  if (!text.ok()) return 0;
  if (!headcount::IsValidUtf8(*text)) std::abort();  // decoding yields UTF-8
  absl::StatusOr<headcount::HeadcountImport> imported =
      headcount::ParseHeadcountCsv(*text);
  if (!imported.ok()) return 0;
  for (const headcount::v1::SubmitRequest& school : imported->schools) {
    // Rows that passed must pass the server's rules.
    if (!headcount::ValidateSubmitRequest(school).empty()) std::abort();
  }
  return 0;
}
