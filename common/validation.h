// Input rules for school submissions, shared by the ingest service (which
// enforces them) and the clients (which check a spreadsheet before sending).
#ifndef HEADCOUNT_COMMON_VALIDATION_H_
#define HEADCOUNT_COMMON_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/status_util.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

// No grade of one school holds a million students; larger is a typo.
inline constexpr int64_t kMaxCount = 1'000'000;
inline constexpr size_t kMaxNameBytes = 256;
inline constexpr size_t kMaxSubmissionIdBytes = 128;

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// Appends a violation for `field` unless `value` is a usable name: not
// empty, valid UTF-8, no control characters, no surrounding whitespace, at
// most kMaxNameBytes.
void CheckName(absl::string_view field, absl::string_view value,
               std::vector<FieldViolation>& violations);

// Checks term, county, district and school of a lookup or submission,
// including the shape of the term.
void CheckSchoolIdentity(absl::string_view term, absl::string_view county,
                         absl::string_view district, absl::string_view school,
                         std::vector<FieldViolation>& violations);

// Every rule a submission must meet; empty when it is valid. Field paths are
// relative to the request, like "grades[2].onsite_count".
std::vector<FieldViolation> ValidateSubmitRequest(
    const v1::SubmitRequest& request);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_VALIDATION_H_
