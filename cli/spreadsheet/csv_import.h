// Reads headcount spreadsheets exported as CSV or TSV (UTF-8 with or without
// BOM, or GBK as Excel and WPS write them in Chinese offices) into one
// submission per school.
#ifndef HEADCOUNT_CLI_SPREADSHEET_CSV_IMPORT_H_
#define HEADCOUNT_CLI_SPREADSHEET_CSV_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

// A bad row: where it is and what is wrong, for "file:line: field: reason".
struct CsvProblem {
  int line = 0;  // 1-based line of the file
  std::string field;
  std::string reason;
  // SchoolIdentity of the row's school when the row names one.
  std::string school;
};

// term, county, district and school joined by tabs: which school a row or
// submission is about.
std::string SchoolIdentity(const v1::SubmitRequest& school);

struct CsvImport {
  // One per school, in order of first appearance, grades in file order;
  // submission_id derived from the content (the client prefixes it with
  // one random id per run, so that only a run's own retries repeat it).
  std::vector<v1::SubmitRequest> schools;
  // For each school, the file line of each of its rows.
  std::vector<std::vector<int>> lines;
  int rows = 0;  // data rows read
  std::vector<CsvProblem> problems;
  std::string encoding;  // "UTF-8" or "GBK"
};

// Converts `bytes` to UTF-8: kept when it is valid UTF-8 (a BOM is
// dropped), otherwise decoded as GBK. INVALID_ARGUMENT when neither fits.
absl::StatusOr<std::string> DecodeSpreadsheetText(absl::string_view bytes,
                                                  std::string* encoding);

// Parses the decoded text. The header is the fixture's English one
// (term,county,district,school,grade,onsite_count,registry_count) or its
// Chinese one (学期,县,学区,学校,年级,现场核查学生数,学籍数据学生数), in any
// column order; the delimiter is a comma or, when the header has tabs, a tab.
// Rows that break a rule are listed in `problems` and left out. A missing
// header column is an error for the whole file.
absl::StatusOr<CsvImport> ParseHeadcountCsv(absl::string_view text);

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_CSV_IMPORT_H_
