// Lists of grades as people write them: "1-6", "7,8,9", "7、8、9", "1-3,5".
#ifndef HEADCOUNT_COMMON_DOMAIN_GRADE_LIST_H_
#define HEADCOUNT_COMMON_DOMAIN_GRADE_LIST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace headcount {

// The grades `text` names, ascending, each once: comma-separated items
// (",", "，" or "、"), each a grade or a range "A-B" (A <= B; "–", "~" and
// "至" also join a range), spaces ignored. INVALID_ARGUMENT naming the item
// and the rule for an empty list, a grade outside 1..12, a backward range
// or a grade given twice.
absl::StatusOr<std::vector<int>> ParseGradeList(absl::string_view text);

// "7", "7 and 8", "7, 8 and 9": ascending grades for a sentence.
std::string GradeWords(const std::vector<int>& grades);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_GRADE_LIST_H_
