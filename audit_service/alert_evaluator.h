// The alert rule, apart from storage: which alerts one school's new counts
// touch, and what each target's counts do to its open alert. Pure: no I/O,
// no clock; the state store supplies the open alerts and stamps the events.
#ifndef HEADCOUNT_AUDIT_SERVICE_ALERT_EVALUATOR_H_
#define HEADCOUNT_AUDIT_SERVICE_ALERT_EVALUATOR_H_

#include <optional>
#include <vector>

#include "common/domain/discrepancy.h"
#include "headcount/v1/audit.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount::audit {

// One place an alert can be about, and the counts it ends a revision with.
struct AlertTarget {
  // level, term, county, district (not at county level), school (grade and
  // school level only), grade (grade level only, else 0).
  v1::AlertEvent identity;
  // Nothing counted there any more: an open alert clears.
  std::optional<Counts> counts;
};

class AlertEvaluator {
 public:
  explicit AlertEvaluator(ThresholdPolicy policy)
      : policy_(std::move(policy)) {}

  const ThresholdPolicy& policy() const { return policy_; }

  // The grade and school targets of one school whose record changes from
  // `previous` (empty when new) to `current`: every grade either holds, and
  // the school, each only if the policy evaluates its level.
  std::vector<AlertTarget> SchoolTargets(const v1::SchoolRecord& previous,
                                         const v1::SchoolRecord& current) const;

  // The target of `school`'s district or county (level DISTRICT or COUNTY)
  // with the sum `counts`; nullopt when the policy does not evaluate it.
  std::optional<AlertTarget> AreaTarget(v1::Level level,
                                        const v1::SchoolRecord& school,
                                        const Counts& counts) const;

  // What `target` does to `open` (nullopt: no alert open there):
  //   breaks a rule, none open                   -> RAISED
  //   breaks a rule, open with other counts/rule -> UPDATED
  //   breaks none (or not counted), one open     -> CLEARED (keeps its rule)
  //   otherwise                                  -> nullopt, nothing happens
  // The event holds the identity, state, counts, difference, ratio and
  // rule; the caller sets alert_id, revision and time.
  std::optional<v1::AlertEvent> Evaluate(
      const AlertTarget& target,
      const std::optional<v1::AlertEvent>& open) const;

  // What a district's coverage does to its open INCOMPLETE_COVERAGE alert
  // (`identity`: level DISTRICT, term, county, district, the rule, the
  // deadline):
  //   something on the roster uncounted, none open    -> RAISED
  //   the same, open with other figures or lists       -> UPDATED
  //   complete (or no roster left), one open           -> CLEARED
  //   otherwise                                        -> nullopt
  // Counts and ratio stay empty; the event carries `coverage`.
  static std::optional<v1::AlertEvent> EvaluateCoverage(
      const v1::AlertEvent& identity, const v1::DistrictCoverage& coverage,
      const std::optional<v1::AlertEvent>& open);

  // What one school-grade's two sources do to its open SOURCE_MISMATCH
  // alert (`identity`: level GRADE, term, county, district, school,
  // grade); `inspection` and `self_check` are the grade's counts, absent
  // where that source has none:
  //   both counted and disagreeing, none open        -> RAISED
  //   the same, open with other counts                -> UPDATED
  //   agreeing (or a side missing), one open          -> CLEARED
  //   otherwise                                       -> nullopt
  // The event's onsite and registry counts are the inspection's;
  // self_check_onsite_count, difference and ratio as in AlertEvent.
  std::optional<v1::AlertEvent> EvaluateSources(
      const v1::AlertEvent& identity,
      const std::optional<v1::GradeCount>& inspection,
      const std::optional<v1::GradeCount>& self_check,
      const std::optional<v1::AlertEvent>& open) const;

 private:
  const ThresholdPolicy policy_;
};

// Whether a district's roster expects a school or grade it has no counts
// for.
bool Incomplete(const v1::DistrictCoverage& coverage);

// The counts of a whole school (the sum of its grades).
Counts SchoolCounts(const v1::SchoolRecord& record);

}  // namespace headcount::audit

#endif  // HEADCOUNT_AUDIT_SERVICE_ALERT_EVALUATOR_H_
