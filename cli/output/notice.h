// The notice drafted from the data: the sentences a county bureau writes
// from its tables (the basic situation, the districts over the threshold,
// the flagged school-grades, as in the Lixin notice of autumn 2015), then
// attachments 1 and 2, as plain text, Markdown or one HTML page.
#ifndef HEADCOUNT_CLI_OUTPUT_NOTICE_H_
#define HEADCOUNT_CLI_OUTPUT_NOTICE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "headcount/v1/audit.pb.h"

namespace headcount::cli {

// What the notice's sentences say.
struct NoticeFacts {
  std::string county;
  std::string term;            // "2015-autumn"
  int schools = 0;             // schools and teaching points counted
  int64_t onsite_count = 0;
  int64_t registry_count = 0;
  std::string percent;         // difference / registry: "0.13%"
  std::string threshold;       // "2%"
  // Over-registered districts (a county-direct school by its own name,
  // others as "永兴学区"), by descending ratio, ties in the table's order.
  std::vector<std::string> districts;
  // Over-registered school-grades, "张村学区杜竹园教学点三年级" (no 学区 when
  // the school's name starts with its district's, as the notice writes
  // 大李集中学九年级), by descending ratio, ties in the listing's order
  // (district, school, grade).
  std::vector<std::string> school_grades;
};

// From a county report with district_reports and its flagged grades
// (ListGradeDiscrepancies with only_flagged).
NoticeFacts NoticeFactsFrom(const v1::CountyReport& report,
                            const std::vector<v1::GradeDiscrepancy>& flagged);

// The sentences, each a paragraph.
std::vector<std::string> NoticeSentences(const NoticeFacts& facts);

// "三" for 3, "十二" for 12 (grades as the notice names them: 三年级).
std::string ChineseNumber(int number);

// `difference` / `registry` as a percentage with two decimals, rounded half
// away from zero: "0.13%"; "-" when registry is 0.
std::string Percent(int64_t difference, int64_t registry);

enum class NoticeFormat { kText, kMarkdown, kHtml };

// The whole draft: title, sentences, then attachment 1 (the report's rows)
// and attachment 2 (every school, with a subtotal per district).
std::string NoticeDraft(const v1::CountyReport& report,
                        const std::vector<v1::GradeDiscrepancy>& flagged,
                        NoticeFormat format);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_OUTPUT_NOTICE_H_
