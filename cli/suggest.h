// "Did you mean" for a place the audit does not know: the closest of the
// names it does know, by edit distance on characters.
#ifndef HEADCOUNT_CLI_SUGGEST_H_
#define HEADCOUNT_CLI_SUGGEST_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace headcount::cli {

// Levenshtein distance between `a` and `b` counted in code points (so 纪王
// and 纪王场 are 1 apart).
int EditDistance(absl::string_view a, absl::string_view b);

// "; did you mean 纪王场?" (or "A or B" or "A, B or C"): up to three names
// within half the wanted name's length (at least 1) or containing it or
// contained in it, closest first, ties in the order of `names`; "" when
// none is close.
std::string DidYouMean(absl::string_view wanted,
                       const std::vector<std::string>& names);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_SUGGEST_H_
