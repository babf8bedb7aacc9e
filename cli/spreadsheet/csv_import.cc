#include "cli/spreadsheet/csv_import.h"

#include <algorithm>
#include <map>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/domain/validation.h"
#include "unicode/ucnv.h"

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

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

// Splits one record; handles "quoted, fields" with "" escapes.
std::vector<std::string> SplitRecord(absl::string_view line, char delimiter) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == delimiter) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  for (std::string& field : fields) {
    field = std::string(absl::StripAsciiWhitespace(field));
  }
  return fields;
}

enum Column { kTerm, kCounty, kDistrict, kSchool, kGrade, kOnsite, kRegistry };
constexpr int kColumns = 7;
const char* const kEnglish[kColumns] = {
    "term",  "county",       "district",      "school",
    "grade", "onsite_count", "registry_count"};
const char* const kChinese[kColumns] = {
    "学期", "县", "学区", "学校", "年级", "现场核查学生数", "学籍数据学生数"};

}  // namespace

std::string SchoolIdentity(const v1::SubmitRequest& school) {
  return absl::StrCat(school.term(), "\t", school.county(), "\t",
                      school.district(), "\t", school.school());
}

absl::StatusOr<std::string> DecodeSpreadsheetText(absl::string_view bytes,
                                                  std::string* encoding) {
  if (absl::StartsWith(bytes, kBom)) bytes.remove_prefix(kBom.size());
  if (IsValidUtf8(bytes)) {
    if (encoding != nullptr) *encoding = "UTF-8";
    return std::string(bytes);
  }
  UErrorCode status = U_ZERO_ERROR;
  UConverter* raw = ucnv_open("GBK", &status);
  if (U_FAILURE(status)) {
    return absl::InternalError(
        absl::StrCat("no GBK converter: ", u_errorName(status)));
  }
  std::unique_ptr<UConverter, void (*)(UConverter*)> converter(raw, ucnv_close);
  // Fail on bytes that are not GBK instead of substituting.
  ucnv_setToUCallBack(converter.get(), UCNV_TO_U_CALLBACK_STOP, nullptr,
                      nullptr, nullptr, &status);
  std::string out(bytes.size() * 2 + 16, '\0');
  UConverter* utf8 = ucnv_open("UTF-8", &status);
  std::unique_ptr<UConverter, void (*)(UConverter*)> to(utf8, ucnv_close);
  char* target = out.data();
  const char* source = bytes.data();
  ucnv_convertEx(to.get(), converter.get(), &target, out.data() + out.size(),
                 &source, bytes.data() + bytes.size(), nullptr, nullptr,
                 nullptr, nullptr, true, true, &status);
  if (U_FAILURE(status)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the file is neither UTF-8 nor GBK (byte ",
                     source - bytes.data(), " cannot be decoded)"));
  }
  out.resize(target - out.data());
  if (encoding != nullptr) *encoding = "GBK";
  return out;
}

absl::StatusOr<CsvImport> ParseHeadcountCsv(absl::string_view text) {
  CsvImport result;
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  size_t first = 0;
  while (first < lines.size() &&
         absl::StripAsciiWhitespace(lines[first]).empty()) {
    ++first;
  }
  if (first == lines.size()) {
    return absl::InvalidArgumentError("the file is empty: no header line");
  }
  absl::string_view header_line =
      absl::StripTrailingAsciiWhitespace(lines[first]);
  const char delimiter =
      header_line.find('\t') != absl::string_view::npos ? '\t' : ',';
  std::vector<std::string> header = SplitRecord(header_line, delimiter);
  int index[kColumns];
  for (int c = 0; c < kColumns; ++c) {
    index[c] = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == kEnglish[c] || header[i] == kChinese[c]) {
        index[c] = static_cast<int>(i);
      }
    }
    if (index[c] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("line ", first + 1, ": the header has no column ",
                       kEnglish[c], " (", kChinese[c], "); expected ",
                       absl::StrJoin(kEnglish, kEnglish + kColumns, ",")));
    }
  }

  std::map<std::string, int> school_index;        // identity -> position
  std::map<std::pair<int, int>, int> grade_line;  // (school, grade) -> line
  for (size_t n = first + 1; n < lines.size(); ++n) {
    const int line_number = static_cast<int>(n) + 1;
    absl::string_view line = absl::StripTrailingAsciiWhitespace(lines[n]);
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    ++result.rows;
    std::vector<std::string> fields = SplitRecord(line, delimiter);
    std::string identity;
    if (fields.size() >= header.size()) {
      identity =
          absl::StrCat(fields[index[kTerm]], "\t", fields[index[kCounty]], "\t",
                       fields[index[kDistrict]], "\t", fields[index[kSchool]]);
    }
    auto problem = [&](const std::string& field, std::string reason) {
      result.problems.push_back(
          {line_number, field, std::move(reason), identity});
    };
    if (fields.size() < header.size()) {
      problem("row", absl::StrCat("has ", fields.size(), " fields, the header ",
                                  header.size()));
      continue;
    }
    int64_t numbers[3];
    bool ok = true;
    for (int c = kGrade; c <= kRegistry; ++c) {
      const std::string& field = fields[index[c]];
      if (!absl::SimpleAtoi(field, &numbers[c - kGrade])) {
        problem(kEnglish[c],
                absl::StrCat("\"", field, "\" is not a whole number"));
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
