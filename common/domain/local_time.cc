#include "common/domain/local_time.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace headcount {

absl::StatusOr<absl::Time> ParseDayOrTime(absl::string_view text,
                                          DayEdge edge) {
  absl::Time parsed;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d", text, absl::FixedTimeZone(8 * 3600), &parsed,
                      &error)) {
    return edge == DayEdge::kEnd ? parsed + absl::Hours(24) : parsed;
  }
  if (absl::ParseTime(absl::RFC3339_full, text, &parsed, &error)) {
    return parsed;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text,
                   "\" is neither a day like 2015-12-18 (UTC+8) nor a time "
                   "like 2015-12-18T18:00:00+08:00"));
}

}  // namespace headcount
