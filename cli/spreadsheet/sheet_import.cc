#include "cli/spreadsheet/sheet_import.h"

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/domain/validation.h"

namespace headcount {
namespace {

// FNV-1a, 64 bits: stable across builds and machines (std::hash is not).
uint64_t Fnv1a64(absl::string_view bytes, uint64_t basis) {
  uint64_t hash = basis;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

bool Blank(const SheetRow& row) {
  return std::all_of(row.cells.begin(), row.cells.end(),
                     [](const std::string& c) { return c.empty(); });
}

// A cell as Excel users write it, to compare: spaces (also U+3000) and
// line breaks anywhere dropped, ASCII lowercased, so "现场核查 学生数" and
// "现场核查\n学生数" match "现场核查学生数", and " 初一" matches "初一".
std::string CellKey(absl::string_view cell) {
  std::string key;
  for (size_t i = 0; i < cell.size(); ++i) {
    const unsigned char c = cell[i];
    if (absl::ascii_isspace(c)) continue;
    if (cell.substr(i, 3) == "\xE3\x80\x80") {  // U+3000
      i += 2;
      continue;
    }
    key += static_cast<char>(absl::ascii_tolower(c));
  }
  return key;
}

// Grades as clerks write them: 1..12, 一年级..九年级, 七年级.., 初一..初三
// (7..9), 高一..高三 (10..12), 十年级..十二年级.
bool ParseGrade(absl::string_view field, int64_t* grade) {
  if (absl::SimpleAtoi(field, grade)) return true;
  static const auto* const kNames = new std::map<std::string, int64_t, std::less<>>{
      {"一年级", 1},  {"二年级", 2},     {"三年级", 3},    {"四年级", 4},
      {"五年级", 5},  {"六年级", 6},     {"七年级", 7},    {"八年级", 8},
      {"九年级", 9},  {"十年级", 10},    {"十一年级", 11}, {"十二年级", 12},
      {"初一", 7},    {"初二", 8},       {"初三", 9},      {"高一", 10},
      {"高二", 11},   {"高三", 12}};
  const std::string key = CellKey(field);
  auto found = kNames->find(key);
  if (found == kNames->end()) {
    // "3年级"
    absl::string_view digits = key;
    if (absl::ConsumeSuffix(&digits, "年级") && absl::SimpleAtoi(digits, grade)) {
      return true;
    }
    return false;
  }
  *grade = found->second;
  return true;
}

// Where the header may be: below title rows, within the first lines.
constexpr int kHeaderSearchRows = 20;

enum Column { kTerm, kCounty, kDistrict, kSchool, kGrade, kOnsite, kRegistry };
constexpr int kColumns = 7;
const char* const kEnglish[kColumns] = {
    "term",  "county",       "district",      "school",
    "grade", "onsite_count", "registry_count"};
const char* const kChinese[kColumns] = {
    "学期", "县", "学区", "学校", "年级", "现场核查学生数", "学籍数据学生数"};


}  // namespace

absl::Status NoSuchSheet(absl::string_view sheet,
                         const std::vector<std::string>& names) {
  if (names.empty()) {
    return absl::InvalidArgumentError("the workbook has no worksheet");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--sheet: the workbook has no sheet \"", sheet,
                   "\"; its sheets are ", absl::StrJoin(names, ", ")));
}

std::string SchoolIdentity(const v1::SubmitRequest& school) {
  return absl::StrCat(school.term(), "\t", school.county(), "\t",
                      school.district(), "\t", school.school());
}

bool BlankRow(const SheetRow& row) { return Blank(row); }

absl::StatusOr<SheetHeader> FindSheetHeader(
    const std::vector<SheetRow>& rows, const std::vector<SheetColumn>& columns) {
  const int count = static_cast<int>(columns.size());
  auto names = [&columns](const std::string& cell, int c) {
    const std::string key = CellKey(cell);
    return key == columns[c].english || key == columns[c].chinese;
  };
  for (size_t r = 0; r < rows.size() && r < kHeaderSearchRows; ++r) {
    SheetHeader header{r, rows[r].cells.size(), std::vector<int>(count, -1)};
    bool complete = true;
    for (int c = 0; c < count; ++c) {
      for (size_t i = 0; i < rows[r].cells.size(); ++i) {
        if (names(rows[r].cells[i], c)) header.index[c] = static_cast<int>(i);
      }
      complete = complete && header.index[c] >= 0;
    }
    if (complete) return header;
  }
  // Name what the likeliest header line lacks.
  size_t best = 0;
  int best_found = -1;
  auto holds = [&](size_t r, int c) {
    return std::any_of(rows[r].cells.begin(), rows[r].cells.end(),
                       [&](const std::string& f) { return names(f, c); });
  };
  for (size_t r = 0; r < rows.size() && r < kHeaderSearchRows; ++r) {
    int found = 0;
    for (int c = 0; c < count; ++c) found += holds(r, c);
    if (found > best_found) {
      best_found = found;
      best = r;
    }
  }
  std::vector<std::string> missing, english, chinese;
  for (int c = 0; c < count; ++c) {
    if (!holds(best, c)) {
      missing.push_back(
          absl::StrCat(columns[c].english, " (", columns[c].chinese, ")"));
    }
    english.push_back(columns[c].english);
    chinese.push_back(columns[c].chinese);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "line ", rows[best].line, ": the header has no column ",
      absl::StrJoin(missing, ", no column "), "; expected ",
      absl::StrJoin(english, ","), " or ", absl::StrJoin(chinese, ",")));
}

absl::StatusOr<HeadcountImport> ImportHeadcountRows(std::vector<SheetRow> rows) {
  HeadcountImport result;
  if (std::all_of(rows.begin(), rows.end(), Blank)) {
    return absl::InvalidArgumentError("the file is empty: no header line");
  }
  std::vector<SheetColumn> columns;
  for (int c = 0; c < kColumns; ++c) columns.push_back({kEnglish[c], kChinese[c]});
  absl::StatusOr<SheetHeader> header = FindSheetHeader(rows, columns);
  if (!header.ok()) return header.status();
  const std::vector<int>& index = header->index;
  const size_t header_at = header->row;
  const size_t header_size = header->size;

  std::map<std::string, int> school_index;        // identity -> position
  std::map<std::pair<int, int>, int> grade_line;  // (school, grade) -> line
  for (size_t r = header_at + 1; r < rows.size(); ++r) {
    const int line_number = rows[r].line;
    if (Blank(rows[r])) continue;
    ++result.rows;
    std::vector<std::string>& fields = rows[r].cells;
    std::string identity;
    if (fields.size() >= header_size) {
      identity =
          absl::StrCat(fields[index[kTerm]], "\t", fields[index[kCounty]], "\t",
                       fields[index[kDistrict]], "\t", fields[index[kSchool]]);
    }
    auto problem = [&](const std::string& field, std::string reason) {
      result.problems.push_back(
          {line_number, field, std::move(reason), identity});
    };
    if (fields.size() < header_size) {
      problem("row", absl::StrCat("has ", fields.size(), " fields, the header ",
                                  header_size));
      continue;
    }
    int64_t numbers[3];
    bool ok = true;
    for (int c = kGrade; c <= kRegistry; ++c) {
      const std::string& field = fields[index[c]];
      const bool parsed = c == kGrade
                              ? ParseGrade(field, &numbers[0])
                              : absl::SimpleAtoi(field, &numbers[c - kGrade]);
      if (!parsed) {
        problem(kEnglish[c],
                absl::StrCat("\"", field, "\" is not ",
                             c == kGrade ? "a grade (1..12, 一年级..十二年级, "
                                           "初一..初三, 高一..高三)"
                                         : "a whole number"));
        ok = false;
      }
    }
    if (!ok) continue;
    v1::SubmitRequest row;
    row.set_term(fields[index[kTerm]]);
    row.set_county(fields[index[kCounty]]);
    row.set_district(fields[index[kDistrict]]);
    row.set_school(fields[index[kSchool]]);
    row.set_submission_id("-");
    v1::GradeCount* grade = row.add_grades();
    grade->set_grade(
        static_cast<int32_t>(std::clamp<int64_t>(numbers[0], -1, 99)));
    grade->set_onsite_count(numbers[1]);
    grade->set_registry_count(numbers[2]);
    std::vector<FieldViolation> violations = ValidateSubmitRequest(row);
    for (FieldViolation& v : violations) {
      // grades[0].grade -> grade: one CSV row holds one grade.
      const size_t dot = v.field.find("].");
      problem(dot == std::string::npos ? v.field : v.field.substr(dot + 2),
              v.description);
    }
    if (!violations.empty()) continue;

    auto [it, inserted] =
        school_index.emplace(identity, static_cast<int>(result.schools.size()));
    if (inserted) {
      v1::SubmitRequest school = row;
      school.clear_grades();
      result.schools.push_back(std::move(school));
      result.lines.emplace_back();
    }
    auto [seen, first_time] = grade_line.emplace(
        std::make_pair(it->second, static_cast<int>(grade->grade())),
        line_number);
    if (!first_time) {
      problem("grade",
              absl::StrCat("grade ", grade->grade(), " of ", row.school(),
                           " already given on line ", seen->second));
      continue;
    }
    *result.schools[it->second].add_grades() = *grade;
    result.lines[it->second].push_back(line_number);
  }
  for (v1::SubmitRequest& school : result.schools) {
    // Content-derived id: the same counts give the same id on every run.
    std::string content = SchoolIdentity(school);
    for (const v1::GradeCount& g : school.grades()) {
      absl::StrAppend(&content, "\t", g.grade(), ":", g.onsite_count(), ":",
                      g.registry_count());
    }
    school.set_submission_id(absl::StrCat(
        "csv-",
        absl::Hex(Fnv1a64(content, 0xcbf29ce484222325ULL), absl::kZeroPad16),
        absl::Hex(Fnv1a64(content, 0x84222325cbf29ce4ULL), absl::kZeroPad16)));
  }
  return result;
}

}  // namespace headcount
