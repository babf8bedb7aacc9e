// Terms and grades: the time and level axes of every count.
#ifndef HEADCOUNT_COMMON_DOMAIN_TERM_H_
#define HEADCOUNT_COMMON_DOMAIN_TERM_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace headcount {

// Grades 1..6 primary, 7..9 junior secondary, 10..12 senior secondary.
inline constexpr int kMinGrade = 1;
inline constexpr int kMaxGrade = 12;

// A school term, written "2015-autumn" (2015年秋季学期) or "2016-spring".
struct Term {
  enum class Season { kSpring, kAutumn };
  int year = 0;
  Season season = Season::kSpring;

  std::string ToString() const;
};

// Parses "YYYY-spring" / "YYYY-autumn" with 2000 <= YYYY <= 2099.
// INVALID_ARGUMENT naming the rule otherwise.
absl::StatusOr<Term> ParseTerm(absl::string_view text);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_TERM_H_
