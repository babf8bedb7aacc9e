#include "common/domain/validation.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/domain/term.h"
#include "common/domain/unicode_text.h"

namespace headcount {

bool IsValidUtf8(absl::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    int length;
    uint32_t code_point;
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      code_point = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      code_point = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      code_point = c & 0x07;
    } else {
      return false;
    }
    if (i + length > n) return false;
    for (int k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    if ((length == 3 && code_point < 0x800) ||
        (length == 4 && (code_point < 0x10000 || code_point > 0x10FFFF)) ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

void CheckName(absl::string_view field, absl::string_view value,
               std::vector<FieldViolation>& violations) {
  auto add = [&](absl::string_view rule) {
    violations.push_back({std::string(field), std::string(rule)});
  };
  if (value.empty()) return add("must not be empty");
  if (value.size() > kMaxNameBytes) {
    return add(absl::StrCat("must be at most ", kMaxNameBytes, " bytes"));
  }
  if (!IsValidUtf8(value)) return add("must be valid UTF-8");
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      return add("must not contain control characters");
    }
  }
  if (const int32_t space = SurroundingSpace(value); space >= 0) {
    return add(absl::StrFormat("must not start or end with whitespace (U+%04X)",
                               space));
  }
  if (const int32_t invisible = FirstInvisible(value); invisible >= 0) {
    return add(absl::StrFormat(
        "must not contain invisible or format characters (U+%04X)",
        invisible));
  }
}

void CheckTerm(absl::string_view field, absl::string_view term,
               std::vector<FieldViolation>& violations) {
  const size_t before = violations.size();
  CheckName(field, term, violations);
  if (violations.size() > before) return;
  absl::StatusOr<Term> parsed = ParseTerm(term);
  if (!parsed.ok()) {
    violations.push_back(
        {std::string(field), std::string(parsed.status().message())});
  }
}

void CheckSchoolIdentity(absl::string_view term, absl::string_view county,
                         absl::string_view district, absl::string_view school,
                         std::vector<FieldViolation>& violations) {
  CheckTerm("term", term, violations);
  CheckName("county", county, violations);
  CheckName("district", district, violations);
  CheckName("school", school, violations);
}

void CheckScopeFilter(absl::string_view prefix, absl::string_view term,
                      absl::string_view county, absl::string_view district,
                      std::vector<FieldViolation>& violations) {
  if (!term.empty()) CheckTerm(absl::StrCat(prefix, "term"), term, violations);
  if (!county.empty()) {
    const std::string field = absl::StrCat(prefix, "county");
    CheckName(field, county, violations);
    if (term.empty()) {
      violations.push_back({field, "filtering by county needs a term"});
    }
  }
  if (!district.empty()) {
    const std::string field = absl::StrCat(prefix, "district");
    CheckName(field, district, violations);
    if (county.empty()) {
      violations.push_back({field, "filtering by district needs a county"});
    }
  }
}

namespace {

// Grades 1..12, each once, counts 0..kMaxCount.
void CheckGrades(
    const google::protobuf::RepeatedPtrField<v1::GradeCount>& grades,
    std::vector<FieldViolation>& violations) {
  if (grades.empty()) {
    violations.push_back({"grades", "must list at least one grade"});
  }
  if (grades.size() > kMaxGrade) {
    violations.push_back(
        {"grades", absl::StrCat("must list at most ", kMaxGrade, " grades")});
    return;  // do not walk a hostile list
  }
  std::set<int> seen;
  for (int i = 0; i < grades.size(); ++i) {
    const v1::GradeCount& g = grades.Get(i);
    const std::string prefix = absl::StrCat("grades[", i, "].");
    if (g.grade() < kMinGrade || g.grade() > kMaxGrade) {
      violations.push_back(
          {prefix + "grade", absl::StrCat("must be in ", kMinGrade, "..",
                                          kMaxGrade, ", got ", g.grade())});
    } else if (!seen.insert(g.grade()).second) {
      violations.push_back(
          {prefix + "grade",
           absl::StrCat("grade ", g.grade(), " appears more than once")});
    }
    for (auto [name, value] :
         {std::pair<const char*, int64_t>{"onsite_count", g.onsite_count()},
          {"registry_count", g.registry_count()}}) {
      if (value < 0) {
        violations.push_back(
            {prefix + name, absl::StrCat("must not be negative, got ", value)});
      } else if (value > kMaxCount) {
        violations.push_back(
            {prefix + name,
             absl::StrCat("must be at most ", kMaxCount, ", got ", value)});
      }
    }
  }
}

// A list of grade numbers (a retraction's, a roster entry's): each in
// 1..12 and once, the list at most 12 long (then not walked); fields named
// `prefix[i]`.
void CheckGradeNumbers(const std::string& prefix,
                       const google::protobuf::RepeatedField<int32_t>& grades,
                       std::vector<FieldViolation>& violations) {
  if (grades.size() > kMaxGrade) {
    violations.push_back(
        {prefix, absl::StrCat("must list at most ", kMaxGrade, " grades")});
    return;
  }
  std::set<int> seen;
  for (int i = 0; i < grades.size(); ++i) {
    const int grade = grades.Get(i);
    const std::string field = absl::StrCat(prefix, "[", i, "]");
    if (grade < kMinGrade || grade > kMaxGrade) {
      violations.push_back({field, absl::StrCat("must be in ", kMinGrade, "..",
                                                kMaxGrade, ", got ", grade)});
    } else if (!seen.insert(grade).second) {
      violations.push_back(
          {field, absl::StrCat("grade ", grade, " appears more than once")});
    }
  }
}

void CheckSubmissionId(const std::string& id,
                       std::vector<FieldViolation>& violations) {
  if (id.empty()) {
    violations.push_back({"submission_id", "must not be empty"});
  } else if (id.size() > kMaxSubmissionIdBytes) {
    violations.push_back(
        {"submission_id",
         absl::StrCat("must be at most ", kMaxSubmissionIdBytes, " bytes")});
  } else if (!IsValidUtf8(id)) {
    violations.push_back({"submission_id", "must be valid UTF-8"});
  }
}

// Whose counts: a known Source.
void CheckSource(v1::Source source, std::vector<FieldViolation>& violations) {
  if (!v1::Source_IsValid(source)) {
    violations.push_back(
        {"source", absl::StrCat("must be INSPECTION (0) or SELF_CHECK (1), got ",
                                static_cast<int>(source))});
  }
}

}  // namespace

std::vector<FieldViolation> ValidateSubmitRequest(
    const v1::SubmitRequest& request) {
  std::vector<FieldViolation> violations;
  CheckSubmissionId(request.submission_id(), violations);
  CheckSchoolIdentity(request.term(), request.county(), request.district(),
                      request.school(), violations);
  CheckGrades(request.grades(), violations);
  CheckSource(request.source(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateRetractRequest(
    const v1::RetractRequest& request) {
  std::vector<FieldViolation> violations;
  CheckSubmissionId(request.submission_id(), violations);
  CheckSchoolIdentity(request.term(), request.county(), request.district(),
                      request.school(), violations);
  CheckGradeNumbers("grades", request.grades(), violations);
  CheckSource(request.source(), violations);
  return violations;
}

std::vector<FieldViolation> CheckRegions(
    const google::protobuf::RepeatedPtrField<v1::Region>& regions,
    const std::vector<v1::Region>& stored) {
  std::vector<FieldViolation> violations;
  std::map<std::string, int> counties;  // of the request -> index
  for (int i = 0; i < regions.size() && violations.size() < 100; ++i) {
    const v1::Region& r = regions.Get(i);
    const std::string prefix = absl::StrCat("regions[", i, "].");
    const size_t before = violations.size();
    CheckName(prefix + "county", r.county(), violations);
    CheckName(prefix + "city", r.city(), violations);
    CheckName(prefix + "province", r.province(), violations);
    if (violations.size() > before) continue;
    auto [it, added] = counties.emplace(r.county(), i);
    if (!added) {
      const v1::Region& first = regions.Get(it->second);
      violations.push_back(
          {prefix + "county",
           absl::StrCat(r.county(), " is given twice (regions[", it->second,
                        "]: ", first.city(), ", ", first.province(),
                        "); a county lies in one city")});
    }
  }
  // The table once the request is applied, each entry with where it came
  // from: stored entries the request does not replace, then the request's.
  struct Entry {
    const v1::Region* region;
    std::string from;  // "regions[3]", or "as stored"
    // The field prefix a violation of the entry is named by.
    std::string field() const { return from == "as stored" ? "regions" : from; }
  };
  std::vector<Entry> table;
  for (const v1::Region& r : stored) {
    if (counties.count(r.county()) == 0) table.push_back({&r, "as stored"});
  }
  for (int i = 0; i < regions.size(); ++i) {
    table.push_back({&regions.Get(i), absl::StrCat("regions[", i, "]")});
  }
  // city -> (province, where first seen); the names of each level.
  std::map<std::string, std::pair<std::string, std::string>> city_province;
  std::set<std::string> county_names, province_names;
  for (const Entry& e : table) {
    const v1::Region& r = *e.region;
    auto [city, added] =
        city_province.emplace(r.city(), std::make_pair(r.province(), e.from));
    if (!added && city->second.first != r.province()) {
      violations.push_back(
          {e.field() + ".province",
           absl::StrCat("city ", r.city(), " is in ", city->second.first,
                        " (", city->second.second, ") and in ", r.province(),
                        "; a city lies in one province")});
    }
    county_names.insert(r.county());
    province_names.insert(r.province());
  }
  // A name at two levels would make a loop of the hierarchy (a county that
  // is also a city, a city that is also a province...); each name once.
  std::set<std::string> reported;
  for (const Entry& e : table) {
    const v1::Region& r = *e.region;
    for (const auto& [name, level] :
         {std::make_pair(r.county(), "county"), std::make_pair(r.city(), "city"),
          std::make_pair(r.province(), "province")}) {
      if (!reported.insert(name).second) continue;
      std::vector<std::string> levels;
      if (county_names.count(name) > 0) levels.push_back("a county");
      if (city_province.count(name) > 0) levels.push_back("a city");
      if (province_names.count(name) > 0) levels.push_back("a province");
      if (levels.size() > 1) {
        violations.push_back(
            {absl::StrCat(e.field(), ".", level),
             absl::StrCat(name, " is named as ", absl::StrJoin(levels, " and "),
                          "; each level needs its own names (no loops)")});
      }
    }
  }
  return violations;
}

std::vector<FieldViolation> ValidateRegion(const v1::Region& region) {
  std::vector<FieldViolation> violations;
  CheckName("region.county", region.county(), violations);
  CheckName("region.city", region.city(), violations);
  CheckName("region.province", region.province(), violations);
  if (region.mod_revision() <= 0) {
    violations.push_back({"region.mod_revision", "must be positive"});
  }
  return violations;
}

std::vector<FieldViolation> ValidatePutRegionsRequest(
    const v1::PutRegionsRequest& request) {
  std::vector<FieldViolation> violations;
  CheckSubmissionId(request.submission_id(), violations);
  if (request.regions_size() == 0) {
    violations.push_back({"regions", "must list at least one county"});
  }
  if (request.regions_size() > kMaxRosterSchools) {
    violations.push_back({"regions", absl::StrCat("must list at most ",
                                                  kMaxRosterSchools,
                                                  " counties")});
    return violations;
  }
  std::vector<FieldViolation> table = CheckRegions(request.regions(), {});
  violations.insert(violations.end(), table.begin(), table.end());
  return violations;
}

std::vector<FieldViolation> ValidateGetRegionsRequest(
    const v1::GetRegionsRequest& request) {
  std::vector<FieldViolation> violations;
  if (!request.province().empty()) {
    CheckName("province", request.province(), violations);
  }
  return violations;
}

std::vector<FieldViolation> ValidatePutRosterRequest(
    const v1::PutRosterRequest& request) {
  std::vector<FieldViolation> violations;
  CheckSubmissionId(request.submission_id(), violations);
  CheckTerm("term", request.term(), violations);
  CheckName("county", request.county(), violations);
  if (!request.district().empty()) {
    CheckName("district", request.district(), violations);
  }
  if (request.schools_size() == 0) {
    violations.push_back({"schools", "must list at least one school"});
  }
  if (request.schools_size() > kMaxRosterSchools) {
    violations.push_back(
        {"schools", absl::StrCat("must list at most ", kMaxRosterSchools,
                                 " schools; split the roster by district")});
    return violations;
  }
  std::map<std::pair<std::string, std::string>, int> seen;
  for (int i = 0; i < request.schools_size() && violations.size() < 100; ++i) {
    const v1::RosterEntry& entry = request.schools(i);
    const std::string prefix = absl::StrCat("schools[", i, "].");
    CheckName(prefix + "district", entry.district(), violations);
    CheckName(prefix + "school", entry.school(), violations);
    if (!request.district().empty() && !entry.district().empty() &&
        entry.district() != request.district()) {
      violations.push_back(
          {prefix + "district",
           absl::StrCat("is ", entry.district(), " in the roster of district ",
                        request.district())});
    }
    auto [it, added] =
        seen.emplace(std::make_pair(entry.district(), entry.school()), i);
    if (!added) {
      violations.push_back(
          {prefix + "school",
           absl::StrCat(entry.school(), " of ", entry.district(),
                        " is listed twice (schools[", it->second, "])")});
    }
    if (entry.grades_size() == 0) {
      violations.push_back({prefix + "grades", "must list at least one grade"});
    }
    CheckGradeNumbers(prefix + "grades", entry.grades(), violations);
  }
  return violations;
}

std::vector<FieldViolation> ValidateGetRosterRequest(
    const v1::GetRosterRequest& request) {
  std::vector<FieldViolation> violations;
  CheckScopeFilter("", request.term(), request.county(), request.district(),
                   violations);
  return violations;
}

std::vector<FieldViolation> ValidateRosterEntry(const v1::RosterEntry& entry,
                                                bool removed) {
  std::vector<FieldViolation> violations;
  CheckSchoolIdentity(entry.term(), entry.county(), entry.district(),
                      entry.school(), violations);
  if (removed != entry.grades().empty()) {
    violations.push_back({"roster.grades", removed ? "must be empty"
                                                   : "must list a grade"});
  }
  std::set<int> grades;
  for (int grade : entry.grades()) {
    if (grade < kMinGrade || grade > kMaxGrade || !grades.insert(grade).second) {
      violations.push_back(
          {"roster.grades", absl::StrCat("grade ", grade,
                                         " is out of 1..12 or repeated")});
      break;
    }
  }
  if (entry.mod_revision() <= 0) {
    violations.push_back({"roster.mod_revision", "must be positive"});
  }
  return violations;
}

std::vector<FieldViolation> ValidateRemovedSchool(
    const v1::SchoolRecord& record) {
  std::vector<FieldViolation> violations;
  CheckSchoolIdentity(record.term(), record.county(), record.district(),
                      record.school(), violations);
  if (record.grades_size() != 0) {
    violations.push_back({"grades", "must be empty in a DELETE event"});
  }
  CheckSource(record.source(), violations);
  if (record.mod_revision() <= 0) {
    violations.push_back({"mod_revision", "must be positive"});
  }
  return violations;
}

std::vector<FieldViolation> ValidateSchoolRecord(
    const v1::SchoolRecord& record) {
  std::vector<FieldViolation> violations;
  CheckSchoolIdentity(record.term(), record.county(), record.district(),
                      record.school(), violations);
  CheckGrades(record.grades(), violations);
  CheckSource(record.source(), violations);
  if (record.mod_revision() <= 0) {
    violations.push_back({"mod_revision", "must be positive"});
  }
  return violations;
}

namespace {

// page_size of ListAlerts and ListGradeDiscrepancies (0: the default).
void CheckPageSize(int32_t page_size, std::vector<FieldViolation>& violations) {
  if (page_size < 0 || page_size > kMaxListPageSize) {
    violations.push_back(
        {"page_size", absl::StrCat("must be in 0..", kMaxListPageSize, " (0: ",
                                   kDefaultListPageSize, ")")});
  }
}

void CheckAlertFilter(const v1::AlertFilter& filter,
                      std::vector<FieldViolation>& violations) {
  CheckScopeFilter("filter.", filter.term(), filter.county(), filter.district(),
                   violations);
  if (!v1::Level_IsValid(filter.level())) {
    violations.push_back({"filter.level", "is not a known level"});
  }
  if (!filter.province().empty()) {
    CheckName("filter.province", filter.province(), violations);
  }
  if (!filter.city().empty()) {
    CheckName("filter.city", filter.city(), violations);
    if (filter.province().empty()) {
      violations.push_back(
          {"filter.city", "filtering by city needs a province"});
    }
  }
}

}  // namespace

std::vector<FieldViolation> ValidateGetSchoolRequest(
    const v1::GetSchoolRequest& request) {
  std::vector<FieldViolation> violations;
  CheckSchoolIdentity(request.term(), request.county(), request.district(),
                      request.school(), violations);
  CheckSource(request.source(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateListSchoolsRequest(
    const v1::ListSchoolsRequest& request) {
  std::vector<FieldViolation> violations;
  CheckScopeFilter("", request.term(), request.county(), request.district(),
                   violations);
  if (request.page_size() < 0) {
    violations.push_back({"page_size", "must not be negative"});
  }
  return violations;
}

std::vector<FieldViolation> ValidateWatchRequest(
    const v1::WatchRequest& request) {
  std::vector<FieldViolation> violations;
  if (request.after_revision() < 0) {
    violations.push_back({"after_revision", "must not be negative"});
  }
  if (request.progress_interval_ms() < 0 ||
      request.progress_interval_ms() > 3'600'000) {
    violations.push_back(
        {"progress_interval_ms", "must be in 0..3600000 (0: no progress)"});
  }
  if (request.max_revisions_per_message() < 0 ||
      request.max_revisions_per_message() > 10'000) {
    violations.push_back({"max_revisions_per_message", "must be in 0..10000"});
  }
  if (!request.county().empty()) CheckName("county", request.county(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateListCountiesRequest(
    const v1::ListCountiesRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateGetCountyReportRequest(
    const v1::GetCountyReportRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  CheckName("county", request.county(), violations);
  CheckSource(request.source(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateCompareSourcesRequest(
    const v1::CompareSourcesRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  CheckName("county", request.county(), violations);
  if (!request.district().empty()) {
    CheckName("district", request.district(), violations);
  }
  return violations;
}

std::vector<FieldViolation> ValidateGetCoverageReportRequest(
    const v1::GetCoverageReportRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  CheckName("county", request.county(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateCompareTermsRequest(
    const v1::CompareTermsRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  CheckTerm("previous_term", request.previous_term(), violations);
  if (violations.empty() && request.term() == request.previous_term()) {
    violations.push_back({"previous_term", "must be another term than term"});
  }
  CheckName("county", request.county(), violations);
  if (!request.district().empty()) {
    CheckName("district", request.district(), violations);
  }
  return violations;
}

std::vector<FieldViolation> ValidateGetRegionReportRequest(
    const v1::GetRegionReportRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  CheckName("province", request.province(), violations);
  if (!request.city().empty()) CheckName("city", request.city(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateGetDistrictReportRequest(
    const v1::GetDistrictReportRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  CheckName("county", request.county(), violations);
  CheckName("district", request.district(), violations);
  CheckSource(request.source(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateListGradeDiscrepanciesRequest(
    const v1::ListGradeDiscrepanciesRequest& request) {
  std::vector<FieldViolation> violations;
  CheckTerm("term", request.term(), violations);
  CheckName("county", request.county(), violations);
  if (!request.district().empty()) {
    CheckName("district", request.district(), violations);
  }
  CheckPageSize(request.page_size(), violations);
  return violations;
}

std::vector<FieldViolation> ValidateListAlertsRequest(
    const v1::ListAlertsRequest& request) {
  std::vector<FieldViolation> violations;
  CheckAlertFilter(request.filter(), violations);
  CheckPageSize(request.page_size(), violations);
  int64_t after = 0;
  if (!request.page_token().empty() &&
      (!absl::SimpleAtoi(request.page_token(), &after) || after < 0)) {
    violations.push_back(
        {"page_token", "is not a token returned by ListAlerts"});
  }
  return violations;
}

std::vector<FieldViolation> ValidateWatchAlertsRequest(
    const v1::WatchAlertsRequest& request) {
  std::vector<FieldViolation> violations;
  if (request.after_alert_id() < 0) {
    violations.push_back({"after_alert_id", "must not be negative"});
  }
  CheckAlertFilter(request.filter(), violations);
  return violations;
}

}  // namespace headcount
