#include "cli/output/notice.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/output/report_table.h"
#include "cli/output/writer.h"

namespace headcount::cli {
namespace {

// "甲、乙和丙", as the notice joins the districts.
std::string JoinWithAnd(const std::vector<std::string>& names) {
  if (names.size() <= 1) return absl::StrJoin(names, "");
  return absl::StrCat(
      absl::StrJoin(names.begin(), names.end() - 1, "、"), "和", names.back());
}

// A county-direct school is its own row: one school named as the row.
bool CountyDirect(const v1::DistrictReport& district) {
  return district.rows_size() == 1 &&
         district.rows(0).name() == district.district();
}

// "张村学区杜竹园教学点", "大李集中学" (the district's name leads already), or
// a county-direct school's name.
std::string SchoolName(const std::string& district, const std::string& school) {
  if (absl::StartsWith(school, district)) return school;
  return absl::StrCat(district, "学区", school);
}

}  // namespace

std::string ChineseNumber(int number) {
  static const char* const kDigits[] = {"零", "一", "二", "三", "四",
                                        "五", "六", "七", "八", "九"};
  if (number < 0) return absl::StrCat(number);
  if (number < 10) return kDigits[number];
  if (number < 100) {
    return absl::StrCat(number >= 20 ? kDigits[number / 10] : "", "十",
                        number % 10 == 0 ? "" : kDigits[number % 10]);
  }
  return absl::StrCat(number);
}

std::string Percent(int64_t difference, int64_t registry) {
  if (registry == 0) return "-";
  // Hundredths of a percent, rounded half away from zero.
  const __int128 scaled = static_cast<__int128>(difference) * 20000 / registry;
  const int64_t hundredths =
      static_cast<int64_t>(scaled >= 0 ? (scaled + 1) / 2 : (scaled - 1) / 2);
  const int64_t magnitude = std::llabs(hundredths);
  const std::string cents = absl::StrCat(magnitude % 100);
  return absl::StrCat(hundredths < 0 ? "-" : "", magnitude / 100, ".",
                      cents.size() == 1 ? "0" : "", cents, "%");
}

NoticeFacts NoticeFactsFrom(const v1::CountyReport& report,
                            const std::vector<v1::GradeDiscrepancy>& flagged) {
  NoticeFacts facts;
  facts.county = report.county();
  facts.term = report.term();
  for (const v1::DistrictReport& district : report.district_reports()) {
    facts.schools += district.rows_size();
  }
  facts.onsite_count = report.total().onsite_count();
  facts.registry_count = report.total().registry_count();
  facts.percent = Percent(report.total().difference(), facts.registry_count);
  facts.threshold = ThresholdText(report.over_threshold_ppm());

  std::vector<const v1::ReportRow*> over;
  for (const v1::ReportRow& row : report.rows()) {
    if (row.over_threshold() && row.rule() == v1::OVER_REGISTRATION) {
      over.push_back(&row);
    }
  }
  std::stable_sort(over.begin(), over.end(),
                   [](const v1::ReportRow* a, const v1::ReportRow* b) {
                     return a->ratio_ppm() > b->ratio_ppm();
                   });
  for (const v1::ReportRow* row : over) {
    bool direct = false;
    for (const v1::DistrictReport& district : report.district_reports()) {
      if (district.district() == row->name()) direct = CountyDirect(district);
    }
    facts.districts.push_back(
        direct ? row->name() : absl::StrCat(row->name(), "学区"));
  }

  std::vector<const v1::GradeDiscrepancy*> grades;
  for (const v1::GradeDiscrepancy& grade : flagged) {
    if (grade.over_threshold() && grade.rule() == v1::OVER_REGISTRATION) {
      grades.push_back(&grade);
    }
  }
  // ratio_ppm is not in GradeDiscrepancy: compare difference / registry
  // exactly by cross-multiplying.
  std::stable_sort(grades.begin(), grades.end(),
                   [](const v1::GradeDiscrepancy* a,
                      const v1::GradeDiscrepancy* b) {
                     return static_cast<__int128>(a->difference()) *
                                b->registry_count() >
                            static_cast<__int128>(b->difference()) *
                                a->registry_count();
                   });
  for (const v1::GradeDiscrepancy* grade : grades) {
    facts.school_grades.push_back(
        absl::StrCat(SchoolName(grade->district(), grade->school()),
                     ChineseNumber(grade->grade()), "年级"));
  }
  return facts;
}

std::vector<std::string> NoticeSentences(const NoticeFacts& facts) {
  std::vector<std::string> sentences = {absl::StrCat(
      "共现场学籍核查", facts.schools, "所学校和教学点，现场核查学生",
      facts.onsite_count, "人，对应电子学籍数为", facts.registry_count,
      "人，学籍差额比例为", facts.percent, "。")};
  sentences.push_back(
      facts.districts.empty()
          ? absl::StrCat("在此次学籍核查中，没有学区的学籍数大于在校生数且差额率超过",
                         facts.threshold, "。")
          : absl::StrCat("在此次学籍核查中，学籍差额较大的学区为：",
                         JoinWithAnd(facts.districts),
                         "，学籍数大于在校生数，差额率超过", facts.threshold,
                         "。"));
  sentences.push_back(
      facts.school_grades.empty()
          ? absl::StrCat("没有年级的学籍差额率超过", facts.threshold, "。")
          : absl::StrCat("各年级差额率问题较大的有：",
                         absl::StrJoin(facts.school_grades, "、"), "。"));
  return sentences;
}

std::string NoticeDraft(const v1::CountyReport& report,
                        const std::vector<v1::GradeDiscrepancy>& flagged,
                        NoticeFormat format) {
  const NoticeFacts facts = NoticeFactsFrom(report, flagged);
  const std::vector<std::string> sentences = NoticeSentences(facts);
  ReportTable districts = FromCountyReport(report);
  ReportTable schools = FromSchoolsReport(report);
  const std::string title =
      absl::StrCat(facts.county, TermInChinese(facts.term),
                   "学期中小学学籍核查情况通报（草稿）");
  const std::string revision =
      absl::StrCat("据审计修订号 ", report.revision(), " 的数据生成");
  const std::vector<std::string> headings = {
      "一、基本情况", "二、学籍差额较大的学区", "三、学籍差额较大的年级"};
  std::string out;
  switch (format) {
    case NoticeFormat::kText:
      absl::StrAppend(&out, title, "\n", revision, "\n");
      for (size_t i = 0; i < sentences.size(); ++i) {
        absl::StrAppend(&out, "\n", headings[i], "\n", sentences[i], "\n");
      }
      absl::StrAppend(&out, "\n附件1：", districts.notice_title, "\n",
                      NewTsvWriter()->Report(districts), "\n附件2：",
                      schools.notice_title, "\n",
                      NewTsvWriter()->Report(schools));
      return out;
    case NoticeFormat::kMarkdown: {
      absl::StrAppend(&out, "# ", title, "\n\n", revision, "\n");
      for (size_t i = 0; i < sentences.size(); ++i) {
        absl::StrAppend(&out, "\n## ", headings[i], "\n\n", sentences[i],
                        "\n");
      }
      districts.title = absl::StrCat("附件1：", districts.notice_title);
      schools.title = absl::StrCat("附件2：", schools.notice_title);
      std::unique_ptr<Writer> markdown = NewMarkdownWriter();
      absl::StrAppend(&out, "\n", markdown->Report(districts), "\n",
                      markdown->Report(schools));
      return out;
    }
    case NoticeFormat::kHtml: {
      absl::StrAppend(
          &out,
          "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta "
          "charset=\"utf-8\">\n<title>",
          HtmlEscape(title),
          "</title>\n<style>\nbody{font-family:\"Noto Sans CJK SC\","
          "\"WenQuanYi Zen Hei\",\"Microsoft YaHei\",sans-serif;margin:2em;"
          "max-width:60em}table{border-collapse:collapse;margin-bottom:2em}"
          "td,th{border:1px solid #999;padding:2px 8px}td.n{text-align:right}"
          "tr.over{background:#fbe3e0}tr.total{font-weight:bold}\n</style>\n"
          "</head>\n<body>\n<h1>",
          HtmlEscape(title), "</h1>\n<p class=\"revision\">",
          HtmlEscape(revision), "</p>\n");
      for (size_t i = 0; i < sentences.size(); ++i) {
        absl::StrAppend(&out, "<h2>", HtmlEscape(headings[i]),
                        "</h2>\n<p class=\"finding\">",
                        HtmlEscape(sentences[i]), "</p>\n");
      }
      absl::StrAppend(&out, "<h2>附件1：", HtmlEscape(districts.notice_title),
                      "</h2>\n", HtmlReportTable(districts, "attachment1"),
                      "<h2>附件2：", HtmlEscape(schools.notice_title),
                      "</h2>\n", HtmlReportTable(schools, "attachment2"),
                      "</body>\n</html>\n");
      return out;
    }
  }
  return out;
}

}  // namespace headcount::cli
