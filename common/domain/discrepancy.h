// The notice's arithmetic: difference = registry - onsite, ratio =
// difference / registry printed with 3 decimals rounded half away from zero,
// and the threshold policy, compared in exact integer arithmetic.
#ifndef HEADCOUNT_COMMON_DOMAIN_DISCREPANCY_H_
#define HEADCOUNT_COMMON_DOMAIN_DISCREPANCY_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "headcount/v1/audit.pb.h"

namespace headcount {

struct Counts {
  int64_t onsite_count = 0;
  int64_t registry_count = 0;

  // Positive: the registry holds more students than were found.
  int64_t difference() const { return registry_count - onsite_count; }
  Counts& operator+=(const Counts& other) {
    onsite_count += other.onsite_count;
    registry_count += other.registry_count;
    return *this;
  }
  // Adds `other` unless a sum would leave int64: then false, unchanged.
  bool AddWithoutOverflow(const Counts& other) {
    int64_t onsite, registry;
    if (__builtin_add_overflow(onsite_count, other.onsite_count, &onsite) ||
        __builtin_add_overflow(registry_count, other.registry_count,
                               &registry)) {
      return false;
    }
    onsite_count = onsite;
    registry_count = registry;
    return true;
  }
  bool operator==(const Counts& other) const {
    return onsite_count == other.onsite_count &&
           registry_count == other.registry_count;
  }
};

// "0.036", "-0.032", "0.000"; "-" when registry_count is 0 (no ratio).
std::string FormatRatio(const Counts& counts);

// difference / registry in parts per million, truncated toward zero; 0 when
// registry_count is 0.
int64_t RatioPpm(const Counts& counts);

// Parses a threshold written as a decimal fraction ("0.02", "0.025") into
// parts per million. INVALID_ARGUMENT unless 0 <= value <= 1 with at most 6
// decimals.
absl::StatusOr<int64_t> ParseFractionPpm(absl::string_view text);

// When a count becomes an alert.
struct ThresholdPolicy {
  // Over-registration: difference * 1e6 > over_ppm * registry.
  int64_t over_ppm = 20'000;  // 2%, the notice's rule
  // Under-registration: -difference * 1e6 > under_ppm * registry; with
  // registry 0, any onsite count. Off when empty.
  std::optional<int64_t> under_ppm;
  // |difference| below this never alerts (silences tiny grades).
  int64_t min_abs_difference = 0;
  // Levels evaluated (CITY and PROVINCE only when listed: off by
  // default).
  std::set<v1::Level> levels = {v1::GRADE, v1::SCHOOL, v1::DISTRICT,
                                v1::COUNTY};
  // The district's self-check against the inspection, per grade: they
  // disagree when |self-check onsite - inspection onsite| * 1e6 >
  // source_mismatch_ppm * self-check onsite (with a self-check of 0: any
  // student found). The comparison report always uses it; alerts
  // (SOURCE_MISMATCH) only when source_mismatch_alerts.
  int64_t source_mismatch_ppm = 20'000;
  bool source_mismatch_alerts = false;

  // The rule `counts` breaks, or RULE_UNSPECIFIED.
  v1::Rule Evaluate(const Counts& counts) const;
  bool SourcesDisagree(int64_t self_check_onsite,
                       int64_t inspection_onsite) const;
  bool Evaluates(v1::Level level) const { return levels.count(level) > 0; }
};

// "grade", "school", "district", "county": the generated name, lower case.
std::string LevelName(v1::Level level);

// The inverse of LevelName (any case); INVALID_ARGUMENT naming the choices.
absl::StatusOr<v1::Level> ParseLevel(absl::string_view text);

// Parses "grade,school,district,county" (any subset, at least one).
absl::StatusOr<std::set<v1::Level>> ParseLevels(absl::string_view text);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_DISCREPANCY_H_
