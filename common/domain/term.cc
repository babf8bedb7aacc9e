#include "common/domain/term.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace headcount {

std::string Term::ToString() const {
  return absl::StrCat(year, season == Season::kAutumn ? "-autumn" : "-spring");
}

absl::StatusOr<Term> ParseTerm(absl::string_view text) {
  auto error = [] {
    return absl::InvalidArgumentError(
        "must be YEAR-spring or YEAR-autumn with YEAR in 2000..2099, like "
        "2015-autumn");
  };
  if (text.size() < 6 || text[4] != '-') return error();
  for (int i = 0; i < 4; ++i) {
    if (text[i] < '0' || text[i] > '9') return error();
  }
  Term term;
  if (!absl::SimpleAtoi(text.substr(0, 4), &term.year)) return error();
  if (term.year < 2000 || term.year > 2099) return error();
  absl::string_view season = text.substr(5);
  if (season == "autumn") {
    term.season = Term::Season::kAutumn;
  } else if (season == "spring") {
    term.season = Term::Season::kSpring;
  } else {
    return error();
  }
  return term;
}

}  // namespace headcount
