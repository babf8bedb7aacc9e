// Who is calling, as every handler sees it, and which methods each role may
// call: the method half of the authorization (the place half is in
// request_scope.h).
#ifndef HEADCOUNT_COMMON_AUTH_CALLER_H_
#define HEADCOUNT_COMMON_AUTH_CALLER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/auth/access_policy.h"

namespace headcount {

// Every method of both services.
enum class Method {
  kSubmit,
  kSubmitBatch,
  kRetract,
  kPutRoster,
  kGetRoster,
  kPutRegions,
  kGetRegions,
  kGetSchool,
  kListSchools,
  kWatch,
  kCompact,
  kBackup,
  kListCounties,
  kGetCountyReport,
  kGetDistrictReport,
  kGetCoverageReport,
  kCompareTerms,
  kCompareSources,
  kGetRegionReport,
  kListGradeDiscrepancies,
  kListAlerts,
  kWatchAlerts,
};

// The method's name as in the .proto ("Submit").
absl::string_view MethodName(Method method);
// Every Method, in declaration order.
const std::vector<Method>& AllMethods();

// True for the methods that change stored data (Submit, SubmitBatch,
// Retract, PutRoster, Compact): each call is logged, accepted or refused.
bool IsMutating(Method method);

// True when `role` may call `method` at all (its place is checked apart).
bool RoleMayCall(Role role, Method method);

struct Caller {
  // The client certificate's CN; empty on a plaintext connection.
  std::string principal;
  // Null when the server runs without a policy (plaintext development
  // mode): every call is allowed, as before authorization existed.
  std::optional<Binding> binding;

  bool unrestricted() const { return !binding.has_value(); }
  // True when the caller may see or change the place (see Binding::Covers).
  bool Covers(absl::string_view county, absl::string_view district) const {
    return !binding.has_value() || binding->Covers(county, district);
  }
  bool Touches(absl::string_view county) const {
    return !binding.has_value() || binding->Touches(county);
  }
  // "clerk-yongxing (district_clerk of 利辛县/永兴)", or "anonymous".
  std::string Describe() const;
  // The principal for logs and records: the CN, or "-" when there is none.
  std::string LogName() const { return principal.empty() ? "-" : principal; }
};

// OK when the caller's role may call `method`, else PERMISSION_DENIED
// naming the caller and the method.
absl::Status AuthorizeMethod(const Caller& caller, Method method);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_AUTH_CALLER_H_
