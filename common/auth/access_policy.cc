#include "common/auth/access_policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/domain/json_reader.h"
#include "common/domain/status_util.h"
#include "common/domain/text_file.h"
#include "common/domain/validation.h"

namespace headcount {
namespace {

// X.509's upper bound for a common name.
constexpr size_t kMaxPrincipalBytes = 64;

struct RoleSpec {
  Role role;
  absl::string_view name;
  // Scope fields the role takes (all required); any other is refused.
  std::vector<absl::string_view> fields;
};

const std::vector<RoleSpec>& RoleSpecs() {
  static const auto* specs = new std::vector<RoleSpec>{
      {Role::kDistrictClerk, "district_clerk", {"county", "district"}},
      {Role::kCountyOffice, "county_office", {"county"}},
      {Role::kReader, "reader", {"counties"}},
      {Role::kFollower, "follower", {}},
      {Role::kOperator, "operator", {}},
  };
  return *specs;
}

class PolicyParser {
 public:
  explicit PolicyParser(absl::string_view file_name) : file_(file_name) {}

  absl::Status Error(int line, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(file_, ":", line, ": ", what));
  }

  absl::Status Name(const JsonValue& value, absl::string_view field,
                    std::string& out) const {
    if (value.type != JsonValue::Type::kString) {
      return Error(value.line, absl::StrCat("\"", field, "\" must be a string, not ",
                                            JsonTypeName(value.type)));
    }
    std::vector<FieldViolation> violations;
    CheckName(field, value.string, violations);
    if (!violations.empty()) {
      return Error(value.line, absl::StrCat("\"", field, "\" ",
                                            violations.front().description));
    }
    out = value.string;
    return absl::OkStatus();
  }

  absl::Status Principal(const JsonValue& value, std::string& out) const {
    if (value.type != JsonValue::Type::kString) {
      return Error(value.line, "\"principal\" must be a string");
    }
    const std::string& p = value.string;
    const bool printable = std::all_of(p.begin(), p.end(), [](char c) {
      return c >= 0x20 && c <= 0x7E;
    });
    if (p.empty() || p.size() > kMaxPrincipalBytes || !printable ||
        p.front() == ' ' || p.back() == ' ') {
      return Error(value.line,
                   absl::StrCat("\"principal\" must be a certificate CN: 1 to ",
                                kMaxPrincipalBytes,
                                " printable ASCII characters, no surrounding "
                                "spaces; got \"", p, "\""));
    }
    out = p;
    return absl::OkStatus();
  }

  absl::StatusOr<Binding> ParseBinding(const JsonValue& entry) const {
    if (entry.type != JsonValue::Type::kObject) {
      return Error(entry.line, absl::StrCat("a binding must be an object, not ",
                                            JsonTypeName(entry.type)));
    }
    Binding binding;
    binding.line = entry.line;
    const JsonValue* principal = entry.Find("principal");
    if (principal == nullptr) return Error(entry.line, "binding without \"principal\"");
    if (absl::Status s = Principal(*principal, binding.principal); !s.ok()) return s;
    const JsonValue* role = entry.Find("role");
    if (role == nullptr || role->type != JsonValue::Type::kString) {
      return Error(role == nullptr ? entry.line : role->line,
                   absl::StrCat("binding of ", binding.principal,
                                " needs \"role\", a string"));
    }
    const RoleSpec* spec = nullptr;
    std::vector<absl::string_view> names;
    for (const RoleSpec& s : RoleSpecs()) {
      names.push_back(s.name);
      if (s.name == role->string) spec = &s;
    }
    if (spec == nullptr) {
      return Error(role->line,
                   absl::StrCat("unknown role \"", role->string, "\"; one of ",
                                absl::StrJoin(names, ", ")));
    }
    binding.role = spec->role;
    for (const auto& [key, value] : entry.object) {
      if (key == "principal" || key == "role") continue;
      if (std::find(spec->fields.begin(), spec->fields.end(), key) ==
          spec->fields.end()) {
        return Error(value.line,
                     absl::StrCat("\"", key, "\" does not belong to role ",
                                  spec->name, " (it takes ",
                                  spec->fields.empty()
                                      ? std::string("no scope")
                                      : absl::StrJoin(spec->fields, ", "),
                                  ")"));
      }
    }
    for (absl::string_view field : spec->fields) {
      const JsonValue* value = entry.Find(field);
      if (value == nullptr) {
        return Error(entry.line, absl::StrCat("role ", spec->name, " of ",
                                              binding.principal, " needs \"",
                                              field, "\""));
      }
      if (field == "county") {
        if (absl::Status s = Name(*value, field, binding.county); !s.ok()) return s;
      } else if (field == "district") {
        if (absl::Status s = Name(*value, field, binding.district); !s.ok()) return s;
      } else {  // counties
        if (value->type != JsonValue::Type::kArray || value->array.empty()) {
          return Error(value->line,
                       "\"counties\" must be a non-empty array of names");
        }
        for (const JsonValue& county : value->array) {
          std::string name;
          if (absl::Status s = Name(county, "counties[]", name); !s.ok()) return s;
          binding.counties.push_back(std::move(name));
        }
      }
    }
    return binding;
  }

 private:
  std::string file_;
};

}  // namespace

absl::string_view RoleName(Role role) {
  for (const RoleSpec& spec : RoleSpecs()) {
    if (spec.role == role) return spec.name;
  }
  return "unknown";
}

bool Binding::Covers(absl::string_view place_county,
                     absl::string_view place_district) const {
  switch (role) {
    case Role::kDistrictClerk:
      return place_county == county && place_district == district;
    case Role::kCountyOffice:
      return place_county == county;
    case Role::kReader:
      return std::find(counties.begin(), counties.end(), place_county) !=
             counties.end();
    case Role::kFollower:
    case Role::kOperator:
      return true;
  }
  return false;
}

bool Binding::Touches(absl::string_view place_county) const {
  if (role == Role::kDistrictClerk) return place_county == county;
  return Covers(place_county, "");
}

std::string Binding::ScopeName() const {
  switch (role) {
    case Role::kDistrictClerk:
      return absl::StrCat(county, "/", district);
    case Role::kCountyOffice:
      return county;
    case Role::kReader:
      return absl::StrJoin(counties, ", ");
    default:
      return "every county";
  }
}

std::string Binding::Describe() const {
  return absl::StrCat(principal, " (", RoleName(role), " of ", ScopeName(),
                      ")");
}

const Binding* AccessPolicy::Find(absl::string_view principal) const {
  auto it = bindings_.find(principal);
  return it == bindings_.end() ? nullptr : &it->second;
}

absl::StatusOr<AccessPolicy> ParseAccessPolicy(absl::string_view text,
                                               absl::string_view file_name) {
  PolicyParser parser(file_name);
  absl::StatusOr<JsonValue> document = ParseJson(text);
  if (!document.ok()) {
    return absl::InvalidArgumentError(
        // ParseJson says "line N: what"; keep "N: what".
        absl::StrCat(file_name, ":", document.status().message().substr(5)));
  }
  if (document->type != JsonValue::Type::kObject) {
    return parser.Error(document->line, "the policy must be a JSON object");
  }
  for (const auto& [key, value] : document->object) {
    if (key != "bindings") {
      return parser.Error(value.line,
                          absl::StrCat("unknown key \"", key,
                                       "\"; the policy holds \"bindings\""));
    }
  }
  const JsonValue* bindings = document->Find("bindings");
  if (bindings == nullptr || bindings->type != JsonValue::Type::kArray) {
    return parser.Error(bindings == nullptr ? document->line : bindings->line,
                        "\"bindings\" must be an array");
  }
  AccessPolicy policy;
  for (const JsonValue& entry : bindings->array) {
    absl::StatusOr<Binding> binding = parser.ParseBinding(entry);
    if (!binding.ok()) return binding.status();
    const std::string principal = binding->principal;
    auto [it, added] = policy.bindings_.emplace(principal, *std::move(binding));
    if (!added) {
      return parser.Error(entry.line,
                          absl::StrCat(principal, " is already bound at line ",
                                       it->second.line,
                                       "; a principal has one role"));
    }
  }
  return policy;
}

absl::StatusOr<AccessPolicy> LoadAccessPolicy(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return ParseAccessPolicy(text, path);
}

}  // namespace headcount
