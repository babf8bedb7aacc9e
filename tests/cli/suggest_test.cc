// "Did you mean": distances in characters, the closest names first.
#include "cli/suggest.h"

#include "gtest/gtest.h"

namespace headcount::cli {
namespace {

TEST(SuggestTest, CountsCharactersNotBytes) {
  EXPECT_EQ(EditDistance("纪王", "纪王场"), 1);
  EXPECT_EQ(EditDistance("城北", "城关"), 1);
  EXPECT_EQ(EditDistance("", "永兴"), 2);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
}

TEST(SuggestTest, NamesTheClosestFirstAndNothingFarAway) {
  const std::vector<std::string> districts = {"城北", "城关", "纪王场", "永兴",
                                              "旧城"};
  EXPECT_EQ(DidYouMean("纪王", districts), "; did you mean 纪王场?");
  EXPECT_EQ(DidYouMean("城", districts), "; did you mean 城北, 城关 or 旧城?");
  EXPECT_EQ(DidYouMean("阚疃", districts), "");
  EXPECT_EQ(DidYouMean("永兴", districts), "");  // itself is not a suggestion
}

}  // namespace
}  // namespace headcount::cli
