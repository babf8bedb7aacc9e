// "Did you mean" for a place the services do not know: the closest of the
// names they do know, by edit distance on characters or on their pinyin.
#ifndef HEADCOUNT_COMMON_DOMAIN_SUGGEST_H_
#define HEADCOUNT_COMMON_DOMAIN_SUGGEST_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace headcount {

// Levenshtein distance between `a` and `b` counted in code points (so 纪王
// and 纪王场 are 1 apart).
int EditDistance(absl::string_view a, absl::string_view b);

// The toneless pinyin of `text`, lowercase, without spaces (纪王场 ->
// jiwangchang); other characters kept (ASCII lowercased).
std::string Pinyin(absl::string_view text);

// "; did you mean 纪王场?" (or "A or B" or "A, B or C"): up to three names
// within half the wanted name's length in characters (at least 1), or
// within a quarter of its pinyin's letters (so jiwangchang and 济王场 find
// 纪王场), or containing it or contained in it; closest first, ties in the
// order of `names`; "" when none is close.
std::string DidYouMean(absl::string_view wanted,
                       const std::vector<std::string>& names);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_SUGGEST_H_
