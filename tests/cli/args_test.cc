#include "cli/args.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace headcount::cli {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"audit", "HOST:PORT", "127.0.0.1:50052", "the audit service"},
    {"follow", "", "", "keep streaming"},
};

TEST(ArgsTest, ParsesBothValueFormsFlagsAndPositionals) {
  auto parsed = ParseArgs({"--audit", "a:1", "x.csv", "--follow", "y.csv"}, kSpecs);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Get("audit"), "a:1");
  EXPECT_TRUE(parsed->Has("follow"));
  EXPECT_THAT(parsed->positionals, ::testing::ElementsAre("x.csv", "y.csv"));
  parsed = ParseArgs({"--audit=b:2"}, kSpecs);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->Get("audit"), "b:2");
  EXPECT_FALSE(parsed->Has("follow"));
  parsed = ParseArgs({}, kSpecs);
  EXPECT_EQ(parsed->Get("audit"), "127.0.0.1:50052");  // the default
}

TEST(ArgsTest, NamesWhatIsWrong) {
  auto unknown = ParseArgs({"--audi=x"}, kSpecs);
  EXPECT_THAT(std::string(unknown.status().message()),
              ::testing::HasSubstr("unknown option --audi"));
  auto missing = ParseArgs({"--audit"}, kSpecs);
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr("--audit needs a value"));
  auto help = ParseArgs({"--help"}, kSpecs);
  EXPECT_TRUE(help->help);
  EXPECT_THAT(Usage("headcount x", "Does x.", kSpecs),
              ::testing::HasSubstr("--audit=HOST:PORT"));
}

}  // namespace
}  // namespace headcount::cli
