// Who may do what: the policy file that binds each principal (the CN of a
// client certificate) to one role and the places it covers. See
// SECURITY.md for the roles and the file's format.
#ifndef HEADCOUNT_COMMON_AUTH_ACCESS_POLICY_H_
#define HEADCOUNT_COMMON_AUTH_ACCESS_POLICY_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace headcount {

enum class Role {
  kDistrictClerk,  // submits and reads one district (学区) of one county
  kCountyOffice,   // submits and reads one county, its reports and alerts
  kReader,         // reads reports and alerts of a list of counties
  kFollower,       // the audit service reading the ingest's feed
  kOperator,       // compaction and administration
};

// "district_clerk", "county_office", "reader", "follower", "operator": the
// names the policy file uses.
absl::string_view RoleName(Role role);

struct Binding {
  std::string principal;
  Role role = Role::kReader;
  std::string county;                 // district_clerk, county_office
  std::string district;               // district_clerk
  std::vector<std::string> counties;  // reader
  int line = 0;                       // where the policy file binds it

  // True when the place `county` (+ `district`; empty: the whole county)
  // lies within this binding's scope. Follower and operator have no place
  // scope (their methods carry no place): true.
  bool Covers(absl::string_view county, absl::string_view district) const;
  // True when some part of `county` lies within the scope (a clerk's
  // county holds its district).
  bool Touches(absl::string_view county) const;
  // "利辛县/永兴", "利辛县", "利辛县, 临泉县" or "every county".
  std::string ScopeName() const;
  // "clerk-yongxing (district_clerk of 利辛县/永兴)".
  std::string Describe() const;
};

class AccessPolicy {
 public:
  // The binding of `principal`; null when it has none.
  const Binding* Find(absl::string_view principal) const;
  int size() const { return static_cast<int>(bindings_.size()); }

 private:
  friend absl::StatusOr<AccessPolicy> ParseAccessPolicy(
      absl::string_view text, absl::string_view file_name);
  std::map<std::string, Binding, std::less<>> bindings_;
};

// Parses a policy file:
//   {"bindings": [{"principal": "clerk-yongxing", "role": "district_clerk",
//                  "county": "利辛县", "district": "永兴"}, ...]}
// Each role takes exactly its scope fields (district_clerk: county and
// district; county_office: county; reader: counties, not empty; follower
// and operator: none); a principal is bound once. INVALID_ARGUMENT
// "FILE:LINE: what" naming the first mistake.
absl::StatusOr<AccessPolicy> ParseAccessPolicy(absl::string_view text,
                                               absl::string_view file_name);

// Reads and parses the file at `path`; NOT_FOUND or PERMISSION_DENIED when
// it cannot be read.
absl::StatusOr<AccessPolicy> LoadAccessPolicy(const std::string& path);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_AUTH_ACCESS_POLICY_H_
