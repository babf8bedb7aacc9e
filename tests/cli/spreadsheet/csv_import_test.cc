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

absl::StatusOr<HeadcountImport> Import(const std::string& bytes) {
  std::string encoding;
  absl::StatusOr<std::string> text = DecodeSpreadsheetText(bytes, &encoding);
  if (!text.ok()) return text.status();
  absl::StatusOr<HeadcountImport> result = ParseHeadcountCsv(*text);
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

TEST(CsvImportTest, ReadsHeadersAndGradesAsExcelUsersWriteThem) {
  // A title row above the header (as in every attachment), a 序号 column,
  // a header cell with a space and one wrapped onto two lines (quoted),
  // grades as words.
  auto sheet = Import(
      "附件1：2015年秋季学期利辛县学生数核查表,,,,,,,\r\n"
      "序号,学期,县,学区,学校,年级,现场核查 学生数,\"学籍数据\n学生数\"\r\n"
      "1,2015-autumn,利辛县,城北,甲小学,一年级,10,10\r\n"
      "2,2015-autumn,利辛县,城北,甲小学,3年级,10,11\r\n"
      "3,2015-autumn,利辛县,城北,乙中学,初一,20,20\r\n"
      "4,2015-autumn,利辛县,城北,乙中学,九年级,20,21\r\n"
      "5,2015-autumn,利辛县,城北,丙高中,高三,30,30\r\n");
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  EXPECT_THAT(sheet->problems, SizeIs(0));
  ASSERT_THAT(sheet->schools, SizeIs(3));
  EXPECT_EQ(sheet->schools[0].grades(0).grade(), 1);
  EXPECT_EQ(sheet->schools[0].grades(1).grade(), 3);
  EXPECT_EQ(sheet->schools[1].grades(0).grade(), 7);
  EXPECT_EQ(sheet->schools[1].grades(1).grade(), 9);
  EXPECT_EQ(sheet->schools[2].grades(0).grade(), 12);
  EXPECT_EQ(sheet->schools[1].grades(1).registry_count(), 21);
  // Lines are the file's: the header spans lines 2 and 3, the first row is
  // line 4.
  EXPECT_EQ(sheet->lines[0][0], 4);
}

TEST(CsvImportTest, QuotedLineBreaksStayInsideTheirRecord) {
  auto csv = Import(
      "term,county,district,school,grade,onsite_count,registry_count,note\n"
      "2015-autumn,利辛县,城北,甲小学,1,10,10,\"two\nlines\"\n"
      "2015-autumn,利辛县,城北,甲小学,2,x,10,\n");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->rows, 2);
  ASSERT_THAT(csv->problems, SizeIs(1));
  EXPECT_EQ(csv->problems[0].line, 4);  // the record after the two-line one
  EXPECT_EQ(csv->problems[0].field, "onsite_count");
}

TEST(CsvImportTest, AnUnknownGradeNameIsABadRowNamingTheForms) {
  auto csv = Import(
      "学期,县,学区,学校,年级,现场核查学生数,学籍数据学生数\n"
      "2015-autumn,利辛县,城北,甲小学,初四,10,10\n");
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_THAT(csv->problems, SizeIs(1));
  EXPECT_EQ(csv->problems[0].field, "grade");
  EXPECT_THAT(csv->problems[0].reason, HasSubstr("\"初四\" is not a grade"));
}

TEST(CsvImportTest, NoHeaderNamesWhatTheLikeliestLineLacks) {
  auto csv = Import("标题\n学期,县,学区,学校,年级,现场核查学生数\n1,2\n");
  EXPECT_EQ(csv.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(csv.status().message()),
              HasSubstr("line 2: the header has no column registry_count (学籍数据学生数)"));
}

}  // namespace
}  // namespace headcount
