#include "absl/strings/str_split.h"
#include "cli/output/notice.h"
#include "cli/output/writer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace headcount::cli {
namespace {

using ::testing::HasSubstr;

v1::ReportRow Row(int number, const std::string& name, int64_t onsite,
                  int64_t registry, const std::string& ratio, int64_t ppm,
                  bool over) {
  v1::ReportRow row;
  row.set_row_number(number);
  row.set_name(name);
  row.set_onsite_count(onsite);
  row.set_registry_count(registry);
  row.set_difference(registry - onsite);
  row.set_ratio(ratio);
  row.set_ratio_ppm(ppm);
  row.set_over_threshold(over);
  if (over) row.set_rule(v1::OVER_REGISTRATION);
  return row;
}

v1::CountyReport Report() {
  v1::CountyReport report;
  report.set_term("2015-autumn");
  report.set_county("利辛县");
  report.set_revision(7);
  report.set_over_threshold_ppm(20'000);
  *report.add_rows() = Row(1, "城北", 1660, 1643, "-0.010", -10'346, false);
  *report.add_rows() = Row(2, "永兴", 514, 533, "0.036", 35'647, true);
  *report.mutable_total() = Row(0, "合计", 2174, 2176, "0.001", 919, false);
  return report;
}

TEST(DisplayWidthTest, CountsWideCharactersTwice) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("城北"), 4);
  EXPECT_EQ(DisplayWidth("中a"), 3);
  EXPECT_EQ(DisplayWidth("０"), 2);  // fullwidth digit
  EXPECT_EQ(DisplayWidth(""), 0);
}

TEST(OutputFormatTest, TsvIsTheNoticesLayout) {
  EXPECT_EQ(FormatReport(FromCountyReport(Report()), Format::kTsv),
            "序号\t学区\t现场核查学生数\t学籍数据学生数\t差额人数\t差额比例\n"
            "1\t城北\t1660\t1643\t-17\t-0.010\n"
            "2\t永兴\t514\t533\t19\t0.036\n"
            "合计\t\t2174\t2176\t2\t0.001\n");
}

TEST(OutputFormatTest, TableAlignsByDisplayWidth) {
  std::string table = FormatReport(FromCountyReport(Report()), Format::kTable);
  std::vector<std::string> lines =
      absl::StrSplit(table, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 5u);  // title, header, 2 rows, total
  EXPECT_THAT(lines[0], HasSubstr("利辛县 2015-autumn (revision 7)"));
  // The ratio column ends at the same display column on every data line.
  const int end = DisplayWidth(lines[2]);
  EXPECT_EQ(DisplayWidth(lines[4]), end);
  EXPECT_THAT(lines[3], HasSubstr("0.036  超过2%"));
}

TEST(OutputFormatTest, HtmlIsStandaloneWithTableAndChart) {
  std::string html = FormatReport(FromCountyReport(Report()), Format::kHtml);
  EXPECT_THAT(html, HasSubstr("<table id=\"report\">"));
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr("class=\"threshold\""));
  EXPECT_THAT(html, HasSubstr("class=\"bar over\""));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("http://www.w3.org/1999")));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("src=")));  // nothing fetched
}

TEST(OutputFormatTest, CsvQuotesAndFormatsParse) {
  v1::CountyReport report = Report();
  report.mutable_rows(0)->set_name("城北,\"东\"");
  std::string csv = FormatReport(FromCountyReport(report), Format::kCsv);
  EXPECT_THAT(csv, HasSubstr("1,\"城北,\"\"东\"\"\",1660"));
  EXPECT_TRUE(ParseFormat("md").ok());
  EXPECT_FALSE(ParseFormat("xlsx").ok());
}

TEST(OutputFormatTest, AlertsAsJsonLines) {
  v1::AlertEvent event;
  event.set_alert_id(3);
  event.set_state(v1::AlertEvent::RAISED);
  event.set_district("永兴");
  std::string out = FormatAlerts({event, event}, Format::kJson, true);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_THAT(out, HasSubstr("\"state\":\"RAISED\""));
}

v1::AlertEvent Alert(int64_t id, const std::string& district,
                     const std::string& school, int grade) {
  v1::AlertEvent event;
  event.set_alert_id(id);
  event.set_state(v1::AlertEvent::RAISED);
  event.set_level(grade > 0 ? v1::GRADE : v1::DISTRICT);
  event.set_term("2015-autumn");
  event.set_county("利辛县");
  event.set_district(district);
  event.set_school(school);
  event.set_grade(grade);
  event.set_onsite_count(53);
  event.set_registry_count(72);
  event.set_difference(19);
  event.set_ratio("0.264");
  event.set_rule(v1::OVER_REGISTRATION);
  return event;
}

TEST(OutputFormatTest, AlertTablesUseTheReportsHeadings) {
  const std::string tsv =
      FormatAlerts({Alert(1, "永兴", "双龙中学", 9)}, Format::kTsv, true);
  EXPECT_EQ(tsv,
            "编号\t状态\t级别\t学期\t县\t学区\t学校\t年级\t现场核查学生数\t"
            "学籍数据学生数\t差额人数\t差额比例\t备注\t修订号\t提交人\n"
            "1\tRAISED\tgrade\t2015-autumn\t利辛县\t永兴\t双龙中学\t9\t53\t72\t"
            "19\t0.264\t学籍多于在校\t0\t\n");
}

// A --follow prints one event per call under a header printed before: the
// terminal table keeps its columns from call to call.
TEST(OutputFormatTest, TerminalAlertsLineUpAcrossCalls) {
  std::unique_ptr<Writer> writer = NewWriter(Format::kTable);
  std::string out = writer->Alerts({Alert(1, "城北", "", 0)}, true);
  out += writer->Alerts({Alert(22, "纪王场", "纪王场第2教学点", 3)}, false);
  out += writer->Alerts({Alert(333, "永兴", "双龙中学", 12)}, false);
  std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);
  // Where 备注 and its cells start, in display columns.
  auto column_of = [](const std::string& line, const std::string& text) {
    return DisplayWidth(line.substr(0, line.find(text)));
  };
  const int remark = column_of(lines[0], "备注");
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(column_of(lines[i], "学籍多于在校"), remark) << lines[i];
  }
}

TEST(OutputFormatTest, AlertsSortLikeReportRows) {
  // The notice's district order: 城北 chéng, 程家集 chéng, 纪王场 jì,
  // 旧城 jiù, 阚疃 kàn (ICU would file 阚 under hǎn), 永兴 yǒng; a
  // district's own alert before its schools', grades in order.
  std::vector<v1::AlertEvent> events = {
      Alert(1, "永兴", "双龙中学", 9), Alert(2, "阚疃", "", 0),
      Alert(3, "旧城", "", 0),         Alert(4, "永兴", "", 0),
      Alert(5, "纪王场", "", 0),       Alert(6, "永兴", "双龙中学", 7),
      Alert(7, "程家集", "", 0),       Alert(8, "城北", "", 0)};
  absl::StatusOr<std::unique_ptr<PinyinOrder>> order = PinyinOrder::Create();
  ASSERT_TRUE(order.ok()) << order.status();
  SortAlertsLikeReports(**order, events);
  std::vector<int64_t> ids;
  for (const v1::AlertEvent& e : events) ids.push_back(e.alert_id());
  EXPECT_THAT(ids, ::testing::ElementsAre(8, 7, 5, 3, 2, 4, 6, 1));
}

TEST(NoticeTest, ChineseNumbersAndPercentages) {
  EXPECT_EQ(ChineseNumber(3), "三");
  EXPECT_EQ(ChineseNumber(10), "十");
  EXPECT_EQ(ChineseNumber(12), "十二");
  EXPECT_EQ(ChineseNumber(20), "二十");
  EXPECT_EQ(Percent(81, 60216), "0.13%");     // the notice's
  EXPECT_EQ(Percent(27, 2000), "1.35%");      // exactly half: away from zero
  EXPECT_EQ(Percent(-27, 2000), "-1.35%");
  EXPECT_EQ(Percent(-1, 100000), "0.00%");    // rounds to zero: no sign
  EXPECT_EQ(Percent(5, 100), "5.00%");
  EXPECT_EQ(Percent(1, 0), "-");
}

TEST(NoticeTest, CountyDirectSchoolsAndEmptyFindings) {
  v1::CountyReport report;
  report.set_county("利辛县");
  report.set_term("2015-autumn");
  report.set_over_threshold_ppm(20000);
  auto add_district = [&](const std::string& name,
                          const std::vector<std::string>& schools,
                          int64_t onsite, int64_t registry, bool over,
                          int64_t ppm) {
    v1::ReportRow* row = report.add_rows();
    row->set_name(name);
    row->set_onsite_count(onsite);
    row->set_registry_count(registry);
    row->set_over_threshold(over);
    row->set_ratio_ppm(ppm);
    if (over) row->set_rule(v1::OVER_REGISTRATION);
    v1::DistrictReport* district = report.add_district_reports();
    district->set_district(name);
    for (const std::string& school : schools) {
      district->add_rows()->set_name(school);
    }
  };
  add_district("利辛中学", {"利辛中学"}, 90, 100, true, 100000);
  add_district("永兴", {"双龙中学", "永兴小学"}, 97, 100, true, 30000);
  add_district("城北", {"城北中学"}, 100, 100, false, 0);
  report.mutable_total()->set_onsite_count(287);
  report.mutable_total()->set_registry_count(300);
  report.mutable_total()->set_difference(13);
  v1::GradeDiscrepancy grade;
  grade.set_district("永兴");
  grade.set_school("永兴小学");
  grade.set_grade(11);
  grade.set_onsite_count(8);
  grade.set_registry_count(10);
  grade.set_difference(2);
  grade.set_over_threshold(true);
  grade.set_rule(v1::OVER_REGISTRATION);
  v1::GradeDiscrepancy worse = grade;
  worse.set_district("永兴");
  worse.set_school("双龙中学");
  worse.set_grade(9);
  worse.set_onsite_count(1);
  worse.set_difference(9);
  const NoticeFacts facts = NoticeFactsFrom(report, {grade, worse});
  EXPECT_EQ(facts.schools, 4);
  EXPECT_EQ(facts.percent, "4.33%");
  EXPECT_THAT(facts.districts, ::testing::ElementsAre("利辛中学", "永兴学区"));
  EXPECT_THAT(facts.school_grades,
              ::testing::ElementsAre("永兴学区双龙中学九年级", "永兴小学十一年级"));
  std::vector<std::string> sentences = NoticeSentences(facts);
  EXPECT_THAT(sentences[1], HasSubstr("学籍差额较大的学区为：利辛中学和永兴学区，"));

  for (v1::ReportRow& row : *report.mutable_rows()) row.set_over_threshold(false);
  sentences = NoticeSentences(NoticeFactsFrom(report, {}));
  EXPECT_EQ(sentences[1],
            "在此次学籍核查中，没有学区的学籍数大于在校生数且差额率超过2%。");
  EXPECT_EQ(sentences[2], "没有年级的学籍差额率超过2%。");
}

}  // namespace
}  // namespace headcount::cli
