#include "common/auth/caller.h"

#include "absl/strings/str_cat.h"

namespace headcount {

absl::string_view MethodName(Method method) {
  switch (method) {
    case Method::kSubmit: return "Submit";
    case Method::kSubmitBatch: return "SubmitBatch";
    case Method::kRetract: return "Retract";
    case Method::kPutRoster: return "PutRoster";
    case Method::kGetRoster: return "GetRoster";
    case Method::kPutRegions: return "PutRegions";
    case Method::kGetRegions: return "GetRegions";
    case Method::kGetSchool: return "GetSchool";
    case Method::kListSchools: return "ListSchools";
    case Method::kWatch: return "Watch";
    case Method::kCompact: return "Compact";
    case Method::kBackup: return "Backup";
    case Method::kListCounties: return "ListCounties";
    case Method::kGetCountyReport: return "GetCountyReport";
    case Method::kGetDistrictReport: return "GetDistrictReport";
    case Method::kGetCoverageReport: return "GetCoverageReport";
    case Method::kCompareTerms: return "CompareTerms";
    case Method::kCompareSources: return "CompareSources";
    case Method::kGetRegionReport: return "GetRegionReport";
    case Method::kListGradeDiscrepancies: return "ListGradeDiscrepancies";
    case Method::kListAlerts: return "ListAlerts";
    case Method::kWatchAlerts: return "WatchAlerts";
  }
  return "?";
}

const std::vector<Method>& AllMethods() {
  static const auto* methods = new std::vector<Method>{
      Method::kSubmit,           Method::kSubmitBatch,
      Method::kRetract,          Method::kPutRoster,
      Method::kGetRoster,        Method::kPutRegions,
      Method::kGetRegions,
      Method::kGetSchool,        Method::kListSchools,
      Method::kWatch,            Method::kCompact,
      Method::kBackup,
      Method::kListCounties,     Method::kGetCountyReport,
      Method::kGetDistrictReport, Method::kGetCoverageReport,
      Method::kCompareTerms,     Method::kCompareSources,
      Method::kGetRegionReport,
      Method::kListGradeDiscrepancies,
      Method::kListAlerts,       Method::kWatchAlerts};
  return *methods;
}

bool IsMutating(Method method) {
  return method == Method::kSubmit || method == Method::kSubmitBatch ||
         method == Method::kRetract || method == Method::kPutRoster ||
         method == Method::kPutRegions || method == Method::kCompact;
}

// The method table of SECURITY.md.
bool RoleMayCall(Role role, Method method) {
  switch (method) {
    case Method::kSubmit:
    case Method::kSubmitBatch:
    case Method::kRetract:
    case Method::kPutRoster:
    case Method::kGetSchool:
      return role == Role::kDistrictClerk || role == Role::kCountyOffice;
    case Method::kListSchools:
    case Method::kGetRoster:
      return role == Role::kDistrictClerk || role == Role::kCountyOffice ||
             role == Role::kFollower;
    case Method::kWatch:
      return role == Role::kFollower || role == Role::kOperator;
    case Method::kCompact:
    case Method::kBackup:
    // Which city and province a county is in: deployment data, above any
    // county's office.
    case Method::kPutRegions:
      return role == Role::kOperator;
    // Not secret: every role (the audit's rebuild reads them).
    case Method::kGetRegions:
      return true;
    case Method::kGetCountyReport:
    case Method::kGetCoverageReport:
    case Method::kGetRegionReport:
      return role == Role::kCountyOffice || role == Role::kReader;
    case Method::kListCounties:
    case Method::kGetDistrictReport:
    case Method::kCompareTerms:
    case Method::kCompareSources:
    case Method::kListGradeDiscrepancies:
    case Method::kListAlerts:
    case Method::kWatchAlerts:
      return role == Role::kDistrictClerk || role == Role::kCountyOffice ||
             role == Role::kReader;
  }
  return false;
}

std::string Caller::Describe() const {
  if (binding.has_value()) return binding->Describe();
  return principal.empty() ? "anonymous" : principal;
}

absl::Status AuthorizeMethod(const Caller& caller, Method method) {
  if (caller.unrestricted() || RoleMayCall(caller.binding->role, method)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(caller.Describe(), " may not call ", MethodName(method)));
}

}  // namespace headcount
