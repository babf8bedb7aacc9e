// Times as clerks and operators write them: a day of China Standard Time
// (UTC+8, the notice's calendar), or an RFC 3339 time.
#ifndef HEADCOUNT_COMMON_DOMAIN_LOCAL_TIME_H_
#define HEADCOUNT_COMMON_DOMAIN_LOCAL_TIME_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace headcount {

// Which instant a day alone names.
enum class DayEdge {
  kStart,  // 2015-12-18 -> 2015-12-18T00:00:00+08:00
  kEnd,    // 2015-12-18 -> 2015-12-19T00:00:00+08:00 (the day is allowed)
};

// "2015-12-18" (UTC+8, at `edge`) or "2015-12-18T18:00:00+08:00".
// INVALID_ARGUMENT naming both forms otherwise.
absl::StatusOr<absl::Time> ParseDayOrTime(absl::string_view text,
                                          DayEdge edge);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_LOCAL_TIME_H_
