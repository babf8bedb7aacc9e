#include "audit_service/alert_evaluator.h"

#include <set>
#include <utility>

namespace headcount::audit {
namespace {

v1::AlertEvent Identity(v1::Level level, const v1::SchoolRecord& school,
                        int grade) {
  v1::AlertEvent identity;
  identity.set_level(level);
  identity.set_term(school.term());
  identity.set_county(school.county());
  if (level != v1::COUNTY) identity.set_district(school.district());
  if (level == v1::SCHOOL || level == v1::GRADE) {
    identity.set_school(school.school());
  }
  identity.set_grade(grade);
  return identity;
}

std::optional<Counts> GradeCounts(const v1::SchoolRecord& record, int grade) {
  for (const v1::GradeCount& g : record.grades()) {
    if (g.grade() == grade) return Counts{g.onsite_count(), g.registry_count()};
  }
  return std::nullopt;
}

}  // namespace

Counts SchoolCounts(const v1::SchoolRecord& record) {
  Counts counts;
  for (const v1::GradeCount& g : record.grades()) {
    counts += Counts{g.onsite_count(), g.registry_count()};
  }
  return counts;
}

std::vector<AlertTarget> AlertEvaluator::SchoolTargets(
    const v1::SchoolRecord& previous, const v1::SchoolRecord& current) const {
  std::vector<AlertTarget> targets;
  if (policy_.Evaluates(v1::GRADE)) {
    std::set<int> grades;
    for (const v1::GradeCount& g : previous.grades()) grades.insert(g.grade());
    for (const v1::GradeCount& g : current.grades()) grades.insert(g.grade());
    for (int grade : grades) {
      targets.push_back(
          {Identity(v1::GRADE, current, grade), GradeCounts(current, grade)});
    }
  }
  if (policy_.Evaluates(v1::SCHOOL)) {
    targets.push_back(
        {Identity(v1::SCHOOL, current, 0), SchoolCounts(current)});
  }
  return targets;
}

std::optional<AlertTarget> AlertEvaluator::AreaTarget(
    v1::Level level, const v1::SchoolRecord& school,
    const Counts& counts) const {
  if (!policy_.Evaluates(level)) return std::nullopt;
  return AlertTarget{Identity(level, school, 0), counts};
}

std::optional<v1::AlertEvent> AlertEvaluator::Evaluate(
    const AlertTarget& target,
    const std::optional<v1::AlertEvent>& open) const {
  const Counts counts = target.counts.value_or(Counts{});
  const v1::Rule rule = target.counts.has_value() ? policy_.Evaluate(counts)
                                                  : v1::RULE_UNSPECIFIED;
  v1::AlertEvent::State state = v1::AlertEvent::STATE_UNSPECIFIED;
  if (rule != v1::RULE_UNSPECIFIED && !open.has_value()) {
    state = v1::AlertEvent::RAISED;
  } else if (rule != v1::RULE_UNSPECIFIED &&
             (open->onsite_count() != counts.onsite_count ||
              open->registry_count() != counts.registry_count ||
              open->rule() != rule)) {
    state = v1::AlertEvent::UPDATED;
  } else if (rule == v1::RULE_UNSPECIFIED && open.has_value()) {
    state = v1::AlertEvent::CLEARED;
  }
  if (state == v1::AlertEvent::STATE_UNSPECIFIED) return std::nullopt;

  v1::AlertEvent event = target.identity;
  event.set_state(state);
  event.set_onsite_count(counts.onsite_count);
  event.set_registry_count(counts.registry_count);
  event.set_difference(counts.difference());
  event.set_ratio(FormatRatio(counts));
  event.set_rule(state == v1::AlertEvent::CLEARED ? open->rule() : rule);
  return event;
}

std::optional<v1::AlertEvent> AlertEvaluator::EvaluateCoverage(
    const v1::AlertEvent& identity, const v1::DistrictCoverage& coverage,
    const std::optional<v1::AlertEvent>& open) {
  const bool incomplete = Incomplete(coverage);
  v1::AlertEvent::State state = v1::AlertEvent::STATE_UNSPECIFIED;
  if (incomplete && !open.has_value()) {
    state = v1::AlertEvent::RAISED;
  } else if (incomplete && open->coverage().SerializeAsString() !=
                               coverage.SerializeAsString()) {
    state = v1::AlertEvent::UPDATED;
  } else if (!incomplete && open.has_value()) {
    state = v1::AlertEvent::CLEARED;
  }
  if (state == v1::AlertEvent::STATE_UNSPECIFIED) return std::nullopt;
  v1::AlertEvent event = identity;
  event.set_state(state);
  event.set_rule(v1::INCOMPLETE_COVERAGE);
  *event.mutable_coverage() = coverage;
  return event;
}

std::optional<v1::AlertEvent> AlertEvaluator::EvaluateSources(
    const v1::AlertEvent& identity,
    const std::optional<v1::GradeCount>& inspection,
    const std::optional<v1::GradeCount>& self_check,
    const std::optional<v1::AlertEvent>& open) const {
  const v1::GradeCount found = inspection.value_or(v1::GradeCount());
  const int64_t reported = self_check.has_value() ? self_check->onsite_count()
                                                  : 0;
  const bool disagree =
      inspection.has_value() && self_check.has_value() &&
      policy_.SourcesDisagree(reported, found.onsite_count());
  v1::AlertEvent::State state = v1::AlertEvent::STATE_UNSPECIFIED;
  if (disagree && !open.has_value()) {
    state = v1::AlertEvent::RAISED;
  } else if (disagree &&
             (open->onsite_count() != found.onsite_count() ||
              open->registry_count() != found.registry_count() ||
              open->self_check_onsite_count() != reported)) {
    state = v1::AlertEvent::UPDATED;
  } else if (!disagree && open.has_value()) {
    state = v1::AlertEvent::CLEARED;
  }
  if (state == v1::AlertEvent::STATE_UNSPECIFIED) return std::nullopt;
  v1::AlertEvent event = identity;
  event.set_state(state);
  event.set_rule(v1::SOURCE_MISMATCH);
  event.set_onsite_count(found.onsite_count());
  event.set_registry_count(found.registry_count());
  event.set_self_check_onsite_count(reported);
  // The self-check is the claim, the inspection what was found.
  const Counts pair{found.onsite_count(), reported};
  event.set_difference(pair.difference());
  event.set_ratio(FormatRatio(pair));
  return event;
}

bool Incomplete(const v1::DistrictCoverage& coverage) {
  return coverage.schools_reported() < coverage.schools_expected() ||
         coverage.grades_reported() < coverage.grades_expected();
}

}  // namespace headcount::audit
