#include "cli/spreadsheet/csv_import.h"

#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

absl::StatusOr<CsvImport> Import(const std::string& bytes) {
  std::string encoding;
  absl::StatusOr<std::string> text = DecodeSpreadsheetText(bytes, &encoding);
  if (!text.ok()) return text.status();
  absl::StatusOr<CsvImport> result = ParseHeadcountCsv(*text);
  if (result.ok()) result->encoding = encoding;
  return result;
}

TEST(CsvImportTest, ReadsTheFixtureInBothEncodings) {
  auto utf8 = Import(ReadFile(testing::FixturePath("headcounts.csv")));
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  auto gbk = Import(ReadFile(testing::FixturePath("headcounts.gbk.csv")));
  ASSERT_TRUE(gbk.ok()) << gbk.status();
  EXPECT_EQ(utf8->encoding, "UTF-8");
  EXPECT_EQ(gbk->encoding, "GBK");
  EXPECT_EQ(utf8->rows, 578);
  EXPECT_THAT(utf8->schools, SizeIs(109));
  EXPECT_THAT(utf8->problems, SizeIs(0));
  ASSERT_EQ(gbk->schools.size(), utf8->schools.size());
  for (size_t i = 0; i < utf8->schools.size(); ++i) {
    // Same content, same id: the file's encoding does not matter.
    EXPECT_EQ(gbk->schools[i].SerializeAsString(),
              utf8->schools[i].SerializeAsString());
  }
  EXPECT_EQ(utf8->schools[0].school(), "城北中心小学");
  EXPECT_EQ(utf8->schools[0].county(), "利辛县");
}

TEST(CsvImportTest, ReportsBadRowsWithLineFieldAndReason) {
  const std::string csv =
      "\xEF\xBB\xBFschool,term,county,district,grade,onsite_count,registry_"
      "count\n"
      "甲小学,2015-autumn,利辛县,城北,1,10,11\n"
      "甲小学,2015-autumn,利辛县,城北,13,10,11\n"
      "甲小学,2015-autumn,利辛县,城北,2,x,11\n"
      "甲小学,2015-autumn,利辛县,城北,1,9,9\n"
      "\"乙,小学\",2015-autumn,利辛县,城北,3,-1,11\n";
  auto result = Import(csv);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_THAT(result->problems, SizeIs(4));
  EXPECT_EQ(result->problems[0].line, 3);
  EXPECT_EQ(result->problems[0].field, "grade");
  EXPECT_EQ(result->problems[1].field, "onsite_count");
  EXPECT_THAT(result->problems[2].reason, HasSubstr("already given on line 2"));
  EXPECT_EQ(result->problems[3].field, "onsite_count");
  EXPECT_THAT(result->problems[3].reason, HasSubstr("negative"));
  ASSERT_THAT(result->schools, SizeIs(1));
  EXPECT_EQ(result->schools[0].grades_size(), 1);
}

TEST(CsvImportTest, ReadsTabsAndRejectsAMissingColumn) {
  auto tsv = Import(
      "term\tcounty\tdistrict\tschool\tgrade\tonsite_count\t"
      "registry_count\r\n2016-spring\tX县\tA\tB\t1\t1\t2\r\n");
  ASSERT_TRUE(tsv.ok()) << tsv.status();
  EXPECT_THAT(tsv->schools, SizeIs(1));
  auto missing = Import("term,county,district,school,grade,onsite_count\n");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(missing.status().message()),
              HasSubstr("registry_count"));
  EXPECT_FALSE(Import("\xff\xff\xff").ok());
}

}  // namespace
}  // namespace headcount
