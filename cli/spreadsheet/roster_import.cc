#include "cli/spreadsheet/roster_import.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/domain/grade_list.h"
#include "common/domain/validation.h"

namespace headcount {
namespace {

enum Column { kTerm, kCounty, kDistrict, kSchool, kGrades };

}  // namespace

absl::StatusOr<RosterImport> ImportRosterRows(std::vector<SheetRow> rows) {
  absl::StatusOr<SheetHeader> header = FindSheetHeader(
      rows, {{"term", "学期"},
             {"county", "县"},
             {"district", "学区"},
             {"school", "学校"},
             {"grades", "年级"}});
  if (!header.ok()) return header.status();
  RosterImport result;
  std::map<std::pair<std::string, std::string>, int> roster_of;  // term, county
  std::map<std::string, int> first_line;  // identity -> line
  for (size_t r = header->row + 1; r < rows.size(); ++r) {
    const SheetRow& row = rows[r];
    if (BlankRow(row)) continue;
    ++result.rows;
    auto problem = [&](const std::string& field, std::string reason) {
      result.problems.push_back({row.line, field, std::move(reason), ""});
    };
    if (row.cells.size() < header->size) {
      problem("row", absl::StrCat("has ", row.cells.size(),
                                  " fields, the header ", header->size));
      continue;
    }
    auto cell = [&](Column c) { return row.cells[header->index[c]]; };
    absl::StatusOr<std::vector<int>> grades = ParseGradeList(cell(kGrades));
    if (!grades.ok()) {
      problem("grades", std::string(grades.status().message()).substr(
                            sizeof("grades: ") - 1));
      continue;
    }
    v1::PutRosterRequest check;  // the row alone, through the server's rules
    check.set_submission_id("-");
    check.set_term(cell(kTerm));
    check.set_county(cell(kCounty));
    v1::RosterEntry* entry = check.add_schools();
    entry->set_district(cell(kDistrict));
    entry->set_school(cell(kSchool));
    for (int g : *grades) entry->add_grades(g);
    std::vector<FieldViolation> violations = ValidatePutRosterRequest(check);
    for (const FieldViolation& v : violations) {
      const size_t dot = v.field.find("].");  // schools[0].school -> school
      problem(dot == std::string::npos ? v.field : v.field.substr(dot + 2),
              v.description);
    }
    if (!violations.empty()) continue;
    const std::string identity = absl::StrCat(
        cell(kTerm), "\t", cell(kCounty), "\t", cell(kDistrict), "\t",
        cell(kSchool));
    auto [seen, first] = first_line.emplace(identity, row.line);
    if (!first) {
      problem("school", absl::StrCat(cell(kSchool), " of ", cell(kDistrict),
                                     " is listed again (line ", seen->second,
                                     ")"));
      continue;
    }
    auto [it, added] = roster_of.emplace(
        std::make_pair(cell(kTerm), cell(kCounty)),
        static_cast<int>(result.rosters.size()));
    if (added) {
      v1::PutRosterRequest roster;
      roster.set_term(cell(kTerm));
      roster.set_county(cell(kCounty));
      result.rosters.push_back(std::move(roster));
    }
    *result.rosters[it->second].add_schools() = *entry;
  }
  return result;
}

}  // namespace headcount
