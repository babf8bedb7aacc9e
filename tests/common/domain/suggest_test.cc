// "Did you mean": distances in characters, the closest names first.
#include "common/domain/suggest.h"

#include "gtest/gtest.h"

namespace headcount {
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

TEST(SuggestTest, ReadsNamesInPinyin) {
  EXPECT_EQ(Pinyin("纪王场"), "jiwangchang");
  EXPECT_EQ(Pinyin("城北中心小学"), "chengbeizhongxinxiaoxue");
  EXPECT_EQ(Pinyin("Jiwangchang"), "jiwangchang");
}

// Typed without a Chinese input method, or with the wrong homophone.
TEST(SuggestTest, FindsNamesBySound) {
  const std::vector<std::string> districts = {"城北", "城关", "纪王场", "永兴",
                                              "旧城", "阚疃"};
  EXPECT_EQ(DidYouMean("jiwangchang", districts), "; did you mean 纪王场?");
  EXPECT_EQ(DidYouMean("yongxin", districts), "; did you mean 永兴?");
  EXPECT_EQ(DidYouMean("济王厂", districts), "; did you mean 纪王场?");
  EXPECT_EQ(DidYouMean("xiaoxue", districts), "");
  const std::vector<std::string> schools = {"城北中心小学", "城北中学",
                                            "双龙中学"};
  EXPECT_EQ(DidYouMean("城北中心校", schools),
            "; did you mean 城北中心小学 or 城北中学?");
}

}  // namespace
}  // namespace headcount
