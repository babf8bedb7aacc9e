#include "common/domain/grade_list.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/domain/term.h"

namespace headcount {
namespace {

absl::Status Bad(absl::string_view item, absl::string_view rule) {
  return absl::InvalidArgumentError(
      absl::StrCat("grades: \"", item, "\" ", rule));
}

absl::StatusOr<int> OneGrade(absl::string_view item, absl::string_view text) {
  int grade = 0;
  if (!absl::SimpleAtoi(text, &grade)) {
    return Bad(item, "is not a grade or a range like 1-6");
  }
  if (grade < kMinGrade || grade > kMaxGrade) {
    return Bad(item, absl::StrCat("names grade ", grade, ", not in ",
                                  kMinGrade, "..", kMaxGrade));
  }
  return grade;
}

}  // namespace

absl::StatusOr<std::vector<int>> ParseGradeList(absl::string_view text) {
  const std::string normalized = absl::StrReplaceAll(
      text, {{"，", ","}, {"、", ","}, {"–", "-"}, {"~", "-"}, {"至", "-"},
             {" ", ""}, {"\t", ""}});
  if (normalized.empty()) {
    return absl::InvalidArgumentError("grades: must name at least one grade");
  }
  std::vector<int> grades;
  for (absl::string_view item : absl::StrSplit(normalized, ',')) {
    if (item.empty()) return Bad(text, "has an empty item");
    const std::vector<absl::string_view> ends =
        absl::StrSplit(item, absl::MaxSplits('-', 1));
    int first = 0, last = 0;
    {
      absl::StatusOr<int> a = OneGrade(item, ends[0]);
      if (!a.ok()) return a.status();
      first = last = *a;
    }
    if (ends.size() == 2) {
      absl::StatusOr<int> b = OneGrade(item, ends[1]);
      if (!b.ok()) return b.status();
      last = *b;
      if (last < first) return Bad(item, "runs backward");
    }
    for (int grade = first; grade <= last; ++grade) {
      if (std::find(grades.begin(), grades.end(), grade) != grades.end()) {
        return Bad(item, absl::StrCat("names grade ", grade, " again"));
      }
      grades.push_back(grade);
    }
  }
  std::sort(grades.begin(), grades.end());
  return grades;
}

std::string GradeWords(const std::vector<int>& grades) {
  std::string out;
  for (size_t i = 0; i < grades.size(); ++i) {
    if (i > 0) out += i + 1 == grades.size() ? " and " : ", ";
    absl::StrAppend(&out, grades[i]);
  }
  return out;
}

}  // namespace headcount
