#include "common/domain/discrepancy.h"

#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount {
namespace {

struct RatioCase {
  int64_t onsite;
  int64_t registry;
  std::string ratio;
  v1::Rule rule;  // under the default policy
};

void PrintTo(const RatioCase& c, std::ostream* out) {
  *out << c.onsite << " on site, " << c.registry << " in the registry";
}

class RatioTest : public ::testing::TestWithParam<RatioCase> {};

TEST_P(RatioTest, PrintsAndFlagsAsTheNotice) {
  const RatioCase& c = GetParam();
  Counts counts{c.onsite, c.registry};
  EXPECT_EQ(FormatRatio(counts), c.ratio);
  EXPECT_EQ(ThresholdPolicy().Evaluate(counts), c.rule);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RatioTest,
    ::testing::Values(
        // Rows of attachment 1.
        RatioCase{514, 533, "0.036", v1::OVER_REGISTRATION},     // 永兴
        RatioCase{2552, 2474, "-0.032", v1::RULE_UNSPECIFIED},   // 巩店
        RatioCase{886, 905, "0.021", v1::OVER_REGISTRATION},     // 程家集
        RatioCase{616, 604, "-0.020", v1::RULE_UNSPECIFIED},     // 王市
        RatioCase{741, 740, "-0.001", v1::RULE_UNSPECIFIED},     // 潘楼
        RatioCase{60135, 60216, "0.001", v1::RULE_UNSPECIFIED},  // 合计
        RatioCase{7571, 7711, "0.018", v1::RULE_UNSPECIFIED},    // 城关
        // Exactly 2% does not exceed 2%; one more student does.
        RatioCase{98, 100, "0.020", v1::RULE_UNSPECIFIED},
        RatioCase{979, 1000, "0.021", v1::OVER_REGISTRATION},
        RatioCase{4900, 5000, "0.020", v1::RULE_UNSPECIFIED},
        RatioCase{4899, 5000, "0.020", v1::OVER_REGISTRATION},  // 2.02%
        // Half away from zero, both signs.
        RatioCase{1999, 2000, "0.001", v1::RULE_UNSPECIFIED},   // 0.0005
        RatioCase{2001, 2000, "-0.001", v1::RULE_UNSPECIFIED},  // -0.0005
        RatioCase{3999, 4000, "0.000", v1::RULE_UNSPECIFIED},   // 0.00025
        RatioCase{4001, 4000, "0.000", v1::RULE_UNSPECIFIED},   // no "-0.000"
        // Registry 0: no ratio, never a phantom alert.
        RatioCase{5, 0, "-", v1::RULE_UNSPECIFIED},
        RatioCase{0, 0, "-", v1::RULE_UNSPECIFIED},
        // Nobody found: ratio 1.
        RatioCase{0, 37, "1.000", v1::OVER_REGISTRATION},
        RatioCase{100, 100, "0.000", v1::RULE_UNSPECIFIED},
        // Counts in the millions (a province) stay exact.
        RatioCase{9'000'000, 9'200'000, "0.022", v1::OVER_REGISTRATION},
        RatioCase{9'016'000, 9'200'000, "0.020", v1::RULE_UNSPECIFIED},
        RatioCase{9'015'999, 9'200'000, "0.020", v1::OVER_REGISTRATION}));

TEST(ThresholdPolicyTest, UnderRegistrationIsOffByDefault) {
  ThresholdPolicy policy;
  EXPECT_EQ(policy.Evaluate({200, 100}), v1::RULE_UNSPECIFIED);
  policy.under_ppm = 20'000;
  EXPECT_EQ(policy.Evaluate({200, 100}), v1::UNDER_REGISTRATION);
  EXPECT_EQ(policy.Evaluate({102, 100}), v1::RULE_UNSPECIFIED);  // exactly 2%
  EXPECT_EQ(policy.Evaluate({103, 100}), v1::UNDER_REGISTRATION);
  EXPECT_EQ(policy.Evaluate({5, 0}), v1::UNDER_REGISTRATION);  // no records
}

TEST(ThresholdPolicyTest, MinimumDifferenceSilencesTinyGrades) {
  ThresholdPolicy policy;
  policy.min_abs_difference = 5;
  EXPECT_EQ(policy.Evaluate({6, 10}), v1::RULE_UNSPECIFIED);  // 40%, 4 pupils
  EXPECT_EQ(policy.Evaluate({5, 10}), v1::OVER_REGISTRATION);
}

TEST(ParseFractionPpmTest, ParsesDecimalFractions) {
  EXPECT_EQ(*ParseFractionPpm("0.02"), 20'000);
  EXPECT_EQ(*ParseFractionPpm("0.025"), 25'000);
  EXPECT_EQ(*ParseFractionPpm("1"), 1'000'000);
  EXPECT_EQ(*ParseFractionPpm("0"), 0);
  EXPECT_EQ(*ParseFractionPpm("0.000001"), 1);
  for (const char* bad :
       {"", "2%", "-0.02", "1.5", "0.0000001", ".02", "0.", "abc", "0.0x"}) {
    EXPECT_FALSE(ParseFractionPpm(bad).ok()) << bad;
  }
}

TEST(ParseLevelsTest, ParsesSubsets) {
  auto levels = ParseLevels("grade,district");
  ASSERT_TRUE(levels.ok());
  EXPECT_THAT(*levels, ::testing::ElementsAre(v1::GRADE, v1::DISTRICT));
  EXPECT_FALSE(ParseLevels("").ok());
  EXPECT_FALSE(ParseLevels("grade,nation").ok());
  auto above = ParseLevels("county,city,province");
  ASSERT_TRUE(above.ok());
  EXPECT_THAT(*above,
              ::testing::ElementsAre(v1::COUNTY, v1::CITY, v1::PROVINCE));
}

TEST(CountsTest, AddWithoutOverflowRefusesToWrap) {
  Counts sum{std::numeric_limits<int64_t>::max() - 1, 5};
  EXPECT_TRUE(sum.AddWithoutOverflow({1, 1}));
  EXPECT_EQ(sum.onsite_count, std::numeric_limits<int64_t>::max());
  EXPECT_FALSE(sum.AddWithoutOverflow({1, 0}));
  EXPECT_EQ(sum.onsite_count, std::numeric_limits<int64_t>::max());  // kept
  EXPECT_EQ(sum.registry_count, 6);
  Counts low{std::numeric_limits<int64_t>::min(), 0};
  EXPECT_FALSE(low.AddWithoutOverflow({-1, 0}));
}

}  // namespace
}  // namespace headcount
