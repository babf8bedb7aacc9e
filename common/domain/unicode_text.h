// Unicode rules for names (ICU): one spelling per name, nothing invisible.
// "利辛县" followed by U+200B, or written with a compatibility ideograph,
// must not become a second county next to the real one.
#ifndef HEADCOUNT_COMMON_DOMAIN_UNICODE_TEXT_H_
#define HEADCOUNT_COMMON_DOMAIN_UNICODE_TEXT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace headcount {

// `text` in Unicode Normalization Form C; `text` unchanged when it is not
// valid UTF-8 (validation refuses it).
std::string ToNfc(absl::string_view text);

// The first code point of valid UTF-8 `text` that shows nothing: a format
// character (category Cf, like U+200B or U+FEFF) or a line or paragraph
// separator (Zl, Zp); -1 when there is none.
int32_t FirstInvisible(absl::string_view text);

// The first or last code point of valid UTF-8 `text` when it is white
// space (ASCII or Unicode, like U+3000 or U+00A0); -1 when neither is.
int32_t SurroundingSpace(absl::string_view text);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_UNICODE_TEXT_H_
