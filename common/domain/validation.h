// Every input rule of both services, in one place: names, terms, the
// narrowing of filters, school submissions, and each request's fields.
// Shared by the services (which enforce them) and the client (which checks
// a spreadsheet before sending). Field paths are relative to the request,
// like "grades[2].onsite_count" or "filter.county".
#ifndef HEADCOUNT_COMMON_DOMAIN_VALIDATION_H_
#define HEADCOUNT_COMMON_DOMAIN_VALIDATION_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/domain/status_util.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

// No grade of one school holds a million students; larger is a typo.
inline constexpr int64_t kMaxCount = 1'000'000;
inline constexpr size_t kMaxNameBytes = 256;
inline constexpr size_t kMaxSubmissionIdBytes = 128;
// ListAlerts and ListGradeDiscrepancies pages: entries of about 150 bytes
// stay well under 4 MiB.
inline constexpr int kDefaultListPageSize = 1000;
inline constexpr int kMaxListPageSize = 10000;

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// Appends a violation for `field` unless `value` is a usable name: not
// empty, valid UTF-8, no control characters, no surrounding whitespace
// (ASCII or Unicode, like U+3000), nothing invisible (Unicode Cf, Zl, Zp,
// like U+200B), at most kMaxNameBytes. Servers normalize names to NFC
// before checking them (request_parser.h).
void CheckName(absl::string_view field, absl::string_view value,
               std::vector<FieldViolation>& violations);

// Appends a violation for `field` unless `term` is a usable name shaped
// like "2015-autumn" (see ParseTerm).
void CheckTerm(absl::string_view field, absl::string_view term,
               std::vector<FieldViolation>& violations);

// Checks term, county, district and school of a lookup or submission.
void CheckSchoolIdentity(absl::string_view term, absl::string_view county,
                         absl::string_view district, absl::string_view school,
                         std::vector<FieldViolation>& violations);

// A filter that narrows left to right (term > county > district): each
// given part must be a usable name and needs the one before it. Field
// names are `prefix` + "term", "county", "district".
void CheckScopeFilter(absl::string_view prefix, absl::string_view term,
                      absl::string_view county, absl::string_view district,
                      std::vector<FieldViolation>& violations);

// One function per request; each returns every rule the request breaks,
// empty when it is valid.
std::vector<FieldViolation> ValidateSubmitRequest(
    const v1::SubmitRequest& request);
// A roster holds at most this many schools (a county has hundreds).
inline constexpr int kMaxRosterSchools = 20000;
std::vector<FieldViolation> ValidatePutRosterRequest(
    const v1::PutRosterRequest& request);
std::vector<FieldViolation> ValidateGetRosterRequest(
    const v1::GetRosterRequest& request);
std::vector<FieldViolation> ValidateRetractRequest(
    const v1::RetractRequest& request);
// The school of a DELETE event: a valid school identity, no grades, and a
// positive mod_revision (the removal's).
std::vector<FieldViolation> ValidateRemovedSchool(
    const v1::SchoolRecord& record);
// A roster entry as the feed carries it: a school identity, grades 1..12
// once each (none when `removed`), a positive mod_revision.
std::vector<FieldViolation> ValidateRosterEntry(const v1::RosterEntry& entry,
                                                bool removed);
// A record as the ingest's feed carries it (Watch events, ListSchools): the
// same rules as a submission's school and grades, and a positive
// mod_revision. The audit checks every record before applying it.
std::vector<FieldViolation> ValidateSchoolRecord(
    const v1::SchoolRecord& record);
std::vector<FieldViolation> ValidateGetSchoolRequest(
    const v1::GetSchoolRequest& request);
std::vector<FieldViolation> ValidateListSchoolsRequest(
    const v1::ListSchoolsRequest& request);
std::vector<FieldViolation> ValidateWatchRequest(
    const v1::WatchRequest& request);
std::vector<FieldViolation> ValidateListCountiesRequest(
    const v1::ListCountiesRequest& request);
std::vector<FieldViolation> ValidateGetCountyReportRequest(
    const v1::GetCountyReportRequest& request);
std::vector<FieldViolation> ValidateCompareSourcesRequest(
    const v1::CompareSourcesRequest& request);
std::vector<FieldViolation> ValidateGetCoverageReportRequest(
    const v1::GetCoverageReportRequest& request);
std::vector<FieldViolation> ValidateCompareTermsRequest(
    const v1::CompareTermsRequest& request);
// The region table a PutRegions leaves (`regions` over `stored`): each
// county once in `regions`, each city in one province, no name at two
// levels; names valid. Fields are regions[i].county/city/province.
std::vector<FieldViolation> CheckRegions(
    const google::protobuf::RepeatedPtrField<v1::Region>& regions,
    const std::vector<v1::Region>& stored);
// A region as stored and on the feed: names valid, mod_revision positive.
std::vector<FieldViolation> ValidateRegion(const v1::Region& region);
std::vector<FieldViolation> ValidatePutRegionsRequest(
    const v1::PutRegionsRequest& request);
std::vector<FieldViolation> ValidateGetRegionsRequest(
    const v1::GetRegionsRequest& request);
std::vector<FieldViolation> ValidateGetRegionReportRequest(
    const v1::GetRegionReportRequest& request);
std::vector<FieldViolation> ValidateGetDistrictReportRequest(
    const v1::GetDistrictReportRequest& request);
std::vector<FieldViolation> ValidateListGradeDiscrepanciesRequest(
    const v1::ListGradeDiscrepanciesRequest& request);
std::vector<FieldViolation> ValidateListAlertsRequest(
    const v1::ListAlertsRequest& request);
std::vector<FieldViolation> ValidateWatchAlertsRequest(
    const v1::WatchAlertsRequest& request);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_VALIDATION_H_
