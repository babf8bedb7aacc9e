#include "common/domain/unicode_text.h"

#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/normalizer2.h>
#include <unicode/utf8.h>

namespace headcount {

std::string ToNfc(absl::string_view text) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return std::string(text);
  const icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (source.isBogus()) return std::string(text);
  if (nfc->isNormalized(source, error) && U_SUCCESS(error)) {
    return std::string(text);
  }
  error = U_ZERO_ERROR;
  const icu::UnicodeString normalized = nfc->normalize(source, error);
  if (U_FAILURE(error)) return std::string(text);
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

int32_t FirstInvisible(absl::string_view text) {
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(text.data(), i, length, c);
    if (c < 0) return -1;  // not UTF-8: refused elsewhere
    const int8_t type = u_charType(c);
    if (type == U_FORMAT_CHAR || type == U_LINE_SEPARATOR ||
        type == U_PARAGRAPH_SEPARATOR) {
      return c;
    }
  }
  return -1;
}

int32_t SurroundingSpace(absl::string_view text) {
  if (text.empty()) return -1;
  const int32_t length = static_cast<int32_t>(text.size());
  int32_t i = 0;
  UChar32 first;
  U8_NEXT(text.data(), i, length, first);
  if (first >= 0 && u_isUWhiteSpace(first)) return first;
  int32_t j = length;
  UChar32 last;
  U8_PREV(text.data(), 0, j, last);
  if (last >= 0 && u_isUWhiteSpace(last)) return last;
  return -1;
}

}  // namespace headcount
