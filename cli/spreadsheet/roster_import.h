// A roster as a county keeps it in a spreadsheet: one row per school or
// teaching point with its district and the grades it teaches.
#ifndef HEADCOUNT_CLI_SPREADSHEET_ROSTER_IMPORT_H_
#define HEADCOUNT_CLI_SPREADSHEET_ROSTER_IMPORT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/spreadsheet/sheet_import.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

struct RosterImport {
  // One per term and county, in order of first appearance; submission_id
  // left for the caller.
  std::vector<v1::PutRosterRequest> rosters;
  int rows = 0;  // data rows read
  std::vector<RowProblem> problems;
};

// Reads `rows`: the header names term, county, district, school, grades
// (or 学期, 县, 学区, 学校, 年级) as FindSheetHeader finds it; grades are
// lists like 1-6, 7,8,9 or 7、8、9 (ParseGradeList). A row that breaks a
// rule, or names a school a second time, is listed in `problems` and left
// out. INVALID_ARGUMENT when no row is a header.
absl::StatusOr<RosterImport> ImportRosterRows(std::vector<SheetRow> rows);

}  // namespace headcount

#endif  // HEADCOUNT_CLI_SPREADSHEET_ROSTER_IMPORT_H_
