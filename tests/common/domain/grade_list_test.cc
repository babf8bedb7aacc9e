#include "common/domain/grade_list.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace headcount {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(GradeListTest, RangesListsAndChinesePunctuation) {
  EXPECT_THAT(*ParseGradeList("1-6"), ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(*ParseGradeList("7,8,9"), ElementsAre(7, 8, 9));
  EXPECT_THAT(*ParseGradeList("9、7、8"), ElementsAre(7, 8, 9));
  EXPECT_THAT(*ParseGradeList("1-3，5"), ElementsAre(1, 2, 3, 5));
  EXPECT_THAT(*ParseGradeList(" 10 至 12 "), ElementsAre(10, 11, 12));
  EXPECT_THAT(*ParseGradeList("4"), ElementsAre(4));
}

TEST(GradeListTest, EachMistakeIsNamed) {
  auto message = [](absl::string_view text) {
    return std::string(ParseGradeList(text).status().message());
  };
  EXPECT_EQ(message(""), "grades: must name at least one grade");
  EXPECT_EQ(message("1-13"), "grades: \"1-13\" names grade 13, not in 1..12");
  EXPECT_EQ(message("6-1"), "grades: \"6-1\" runs backward");
  EXPECT_EQ(message("1-3,3"), "grades: \"3\" names grade 3 again");
  EXPECT_EQ(message("七"), "grades: \"七\" is not a grade or a range like 1-6");
  EXPECT_THAT(message("1,,2"), HasSubstr("has an empty item"));
  EXPECT_THAT(message("0"), HasSubstr("names grade 0, not in 1..12"));
}

TEST(GradeListTest, WordsForASentence) {
  EXPECT_EQ(GradeWords({7}), "7");
  EXPECT_EQ(GradeWords({7, 8}), "7 and 8");
  EXPECT_EQ(GradeWords({7, 8, 9}), "7, 8 and 9");
}

}  // namespace
}  // namespace headcount
