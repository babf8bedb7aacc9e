#include "common/auth/request_scope.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace headcount {
namespace {

std::string PlaceName(absl::string_view county, absl::string_view district) {
  return district.empty() ? std::string(county)
                          : absl::StrCat(county, "/", district);
}

absl::Status Deny(const Caller& caller, absl::string_view action,
                  absl::string_view county, absl::string_view district) {
  return absl::PermissionDeniedError(
      absl::StrCat(caller.Describe(), " may not ", action, " ",
                   PlaceName(county, district), ": outside its scope"));
}

// A request about one place (a school's district, a district, a county).
absl::Status RequirePlace(const Caller& caller, absl::string_view action,
                          absl::string_view county,
                          absl::string_view district) {
  if (caller.Covers(county, district)) return absl::OkStatus();
  return Deny(caller, action, county, district);
}

// A list under term > county > district. Open parts are narrowed to the
// caller's county and district; named ones must be within its scope.
absl::Status NarrowList(const Caller& caller, absl::string_view action,
                        const std::string& term, std::string& county,
                        std::string& district) {
  if (caller.unrestricted()) return absl::OkStatus();
  const Binding& b = *caller.binding;
  const bool one_county =
      b.role == Role::kDistrictClerk || b.role == Role::kCountyOffice;
  if (!one_county) {
    if (b.role != Role::kReader) return absl::OkStatus();  // no place scope
    if (county.empty()) {
      return absl::PermissionDeniedError(absl::StrCat(
          caller.Describe(), " may ", action, " only by county: set county"));
    }
    return RequirePlace(caller, action, county, district);
  }
  if (county.empty() || (district.empty() && b.role == Role::kDistrictClerk &&
                         county == b.county)) {
    if (term.empty()) {
      return absl::PermissionDeniedError(
          absl::StrCat(caller.Describe(), " may ", action, " only within ",
                       b.ScopeName(), ": set term"));
    }
    if (county.empty()) county = b.county;
    if (b.role == Role::kDistrictClerk && county == b.county) {
      district = b.district;
    }
  }
  return RequirePlace(caller, action, county, district);
}

// A filter of a list or stream that the service also filters event by
// event: a named county or district must lie within the scope.
absl::Status CheckFilter(const Caller& caller, const v1::AlertFilter& filter) {
  if (filter.county().empty()) return absl::OkStatus();
  if (filter.district().empty() ? caller.Touches(filter.county())
                                : caller.Covers(filter.county(),
                                                filter.district())) {
    return absl::OkStatus();
  }
  return Deny(caller, "read alerts of", filter.county(), filter.district());
}

}  // namespace

absl::Status AuthorizeScope(const Caller& caller, v1::SubmitRequest& request) {
  return RequirePlace(caller, "submit for", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller, v1::RetractRequest& request) {
  return RequirePlace(caller, "retract for", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::PutRosterRequest& request) {
  // An empty district is the whole county: a district clerk may not.
  return RequirePlace(caller, "put the roster of", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetRosterRequest& request) {
  return RequirePlace(caller, "read the roster of", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetSchoolRequest& request) {
  return RequirePlace(caller, "read schools of", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::ListSchoolsRequest& request) {
  return NarrowList(caller, "list schools", request.term(),
                    *request.mutable_county(), *request.mutable_district());
}

absl::Status AuthorizeScope(const Caller&, v1::WatchRequest&) {
  return absl::OkStatus();  // the follower's and operator's: every county
}

absl::Status AuthorizeScope(const Caller&, v1::PutRegionsRequest&) {
  return absl::OkStatus();  // above counties: the method table decides
}

absl::Status AuthorizeScope(const Caller&, v1::GetRegionsRequest&) {
  return absl::OkStatus();
}

absl::Status AuthorizeScope(const Caller&, v1::CompactRequest&) {
  return absl::OkStatus();  // the operator's: the whole store
}

absl::Status AuthorizeScope(const Caller&, v1::BackupRequest&) {
  return absl::OkStatus();  // the operator's: the whole store
}

absl::Status AuthorizeScope(const Caller&, v1::ListCountiesRequest&) {
  return absl::OkStatus();  // the answer is filtered with Caller::Touches
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetCountyReportRequest& request) {
  return RequirePlace(caller, "read the report of", request.county(), "");
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetCoverageReportRequest& request) {
  return RequirePlace(caller, "read the coverage of", request.county(), "");
}

absl::Status AuthorizeScope(const Caller&, v1::GetRegionReportRequest&) {
  // Which counties are summed is known once read: the handler checks each.
  return absl::OkStatus();
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::CompareTermsRequest& request) {
  // Like the reports it puts side by side: a district clerk names its
  // district.
  return RequirePlace(caller, "compare the terms of", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::CompareSourcesRequest& request) {
  return RequirePlace(caller, "compare the sources of", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::GetDistrictReportRequest& request) {
  return RequirePlace(caller, "read the report of", request.county(),
                      request.district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::ListGradeDiscrepanciesRequest& request) {
  return NarrowList(caller, "list grades", request.term(),
                    *request.mutable_county(), *request.mutable_district());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::ListAlertsRequest& request) {
  return CheckFilter(caller, request.filter());
}

absl::Status AuthorizeScope(const Caller& caller,
                            v1::WatchAlertsRequest& request) {
  return CheckFilter(caller, request.filter());
}

}  // namespace headcount
