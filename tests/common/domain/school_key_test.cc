#include "common/domain/school_key.h"

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount {
namespace {

TEST(SchoolKeyTest, RoundTrips) {
  SchoolKey key{"2015-autumn", "利辛县", "城北", "城北中心小学"};
  absl::StatusOr<SchoolKey> decoded = DecodeSchoolKey(EncodeSchoolKey(key));
  ASSERT_THAT(decoded.status(), testing::IsOk());
  EXPECT_EQ(*decoded, key);
}

TEST(SchoolKeyTest, ASelfCheckRecordSortsRightAfterTheInspections) {
  SchoolKey inspection{"2015-autumn", "利辛县", "城北", "城北中心小学"};
  SchoolKey self_check = inspection;
  self_check.self_check = true;
  absl::StatusOr<SchoolKey> decoded =
      DecodeSchoolKey(EncodeSchoolKey(self_check));
  ASSERT_THAT(decoded.status(), testing::IsOk());
  EXPECT_EQ(*decoded, self_check);
  EXPECT_FALSE(*decoded == inspection);
  const std::string next_school =
      EncodeSchoolKey({"2015-autumn", "利辛县", "城北", "城北中心小学二"});
  EXPECT_LT(EncodeSchoolKey(inspection), EncodeSchoolKey(self_check));
  EXPECT_LT(EncodeSchoolKey(self_check), next_school);
  EXPECT_TRUE(absl::StartsWith(EncodeSchoolKey(self_check),
                               SchoolKeyPrefix("2015-autumn", "利辛县", "城北")));
}

TEST(SchoolKeyTest, RejectsMalformedKeys) {
  EXPECT_EQ(DecodeSchoolKey("a").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeSchoolKey(std::string("a\0b\0c\0d\0e", 9)).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(SchoolKeyTest, PrefixSelectsWholeComponentsOnly) {
  const std::string district = SchoolKeyPrefix("2015-autumn", "利辛县", "城北");
  EXPECT_TRUE(absl::StartsWith(
      EncodeSchoolKey({"2015-autumn", "利辛县", "城北", "x"}), district));
  // 城北 must not select a district whose name merely starts with it.
  EXPECT_FALSE(absl::StartsWith(
      EncodeSchoolKey({"2015-autumn", "利辛县", "城北二", "x"}), district));
  EXPECT_EQ(SchoolKeyPrefix("2015-autumn", "", "ignored"),
            std::string("2015-autumn\0", 12));
  EXPECT_EQ(SchoolKeyPrefix("", "", ""), "");
}

TEST(RevisionEncodingTest, ByteOrderIsNumericOrder) {
  const int64_t revisions[] = {
      0, 1, 255, 256, 65535, 1LL << 40, (1LL << 62) + 7};
  for (size_t i = 0; i + 1 < std::size(revisions); ++i) {
    EXPECT_LT(EncodeCounter(revisions[i]), EncodeCounter(revisions[i + 1]));
    EXPECT_EQ(DecodeCounter(EncodeCounter(revisions[i])), revisions[i]);
  }
  EXPECT_EQ(DecodeCounter("short"), -1);
}

}  // namespace
}  // namespace headcount
