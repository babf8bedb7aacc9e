// The alert rule without storage or servers: every transition, both rules,
// the thresholds at and around their boundaries, registry 0.
#include "audit_service/alert_evaluator.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace headcount::audit {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

constexpr v1::AlertEvent::State kNone = v1::AlertEvent::STATE_UNSPECIFIED;

v1::AlertEvent OpenAlert(int64_t onsite, int64_t registry, v1::Rule rule) {
  v1::AlertEvent open;
  open.set_state(v1::AlertEvent::RAISED);
  open.set_onsite_count(onsite);
  open.set_registry_count(registry);
  open.set_rule(rule);
  return open;
}

struct TransitionCase {
  std::string name;
  std::optional<v1::AlertEvent> open;
  std::optional<Counts> counts;  // nullopt: no longer counted
  v1::AlertEvent::State state;   // kNone: no event
  v1::Rule rule;                 // of the event
};

std::vector<TransitionCase> TransitionCases() {
  const v1::Rule over = v1::OVER_REGISTRATION, under = v1::UNDER_REGISTRATION;
  return {
      {"NothingOpenWithinPolicy", std::nullopt, Counts{98, 100}, kNone, {}},
      {"NothingOpenBreaksOver", std::nullopt, Counts{97, 100},
       v1::AlertEvent::RAISED, over},
      {"NothingOpenBreaksUnder", std::nullopt, Counts{103, 100},
       v1::AlertEvent::RAISED, under},
      {"OpenSameCountsStaysQuiet",
       OpenAlert(97, 100, over),
       Counts{97, 100},
       kNone,
       {}},
      {"OpenOtherCountsIsUpdated", OpenAlert(97, 100, over), Counts{96, 100},
       v1::AlertEvent::UPDATED, over},
      {"OpenOtherRuleIsUpdated", OpenAlert(97, 100, over), Counts{103, 100},
       v1::AlertEvent::UPDATED, under},
      {"OpenBackWithinPolicyIsCleared", OpenAlert(97, 100, over),
       Counts{100, 100}, v1::AlertEvent::CLEARED, over},
      {"OpenNoLongerCountedIsCleared", OpenAlert(103, 100, under), std::nullopt,
       v1::AlertEvent::CLEARED, under},
      {"NothingOpenNotCounted", std::nullopt, std::nullopt, kNone, {}},
  };
}

class TransitionTest : public ::testing::TestWithParam<TransitionCase> {};

TEST_P(TransitionTest, EvaluatesOneTarget) {
  const TransitionCase& c = GetParam();
  ThresholdPolicy policy;
  policy.under_ppm = 20'000;
  AlertEvaluator evaluator(policy);
  AlertTarget target;
  target.identity.set_level(v1::GRADE);
  target.identity.set_school("双龙中学");
  target.identity.set_grade(9);
  target.counts = c.counts;
  std::optional<v1::AlertEvent> event = evaluator.Evaluate(target, c.open);
  if (c.state == kNone) {
    EXPECT_FALSE(event.has_value());
    return;
  }
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->state(), c.state);
  EXPECT_EQ(event->rule(), c.rule);
  EXPECT_EQ(event->school(), "双龙中学");  // the identity is kept
  EXPECT_EQ(event->grade(), 9);
  const Counts counts = c.counts.value_or(Counts{});
  EXPECT_EQ(event->onsite_count(), counts.onsite_count);
  EXPECT_EQ(event->registry_count(), counts.registry_count);
  EXPECT_EQ(event->difference(), counts.difference());
  EXPECT_EQ(event->ratio(), FormatRatio(counts));
  EXPECT_EQ(event->alert_id(), 0);  // the store numbers events
}

INSTANTIATE_TEST_SUITE_P(AllTransitions, TransitionTest,
                         ::testing::ValuesIn(TransitionCases()),
                         [](const auto& info) { return info.param.name; });

struct BoundaryCase {
  std::string name;
  Counts counts;
  bool under_enabled;
  int64_t min_abs_difference;
  v1::Rule rule;  // RULE_UNSPECIFIED: no alert
};

class BoundaryTest : public ::testing::TestWithParam<BoundaryCase> {};

TEST_P(BoundaryTest, RaisesExactlyAboveTheThreshold) {
  const BoundaryCase& c = GetParam();
  ThresholdPolicy policy;  // over 2%, the notice's rule
  if (c.under_enabled) policy.under_ppm = 20'000;
  policy.min_abs_difference = c.min_abs_difference;
  AlertEvaluator evaluator(policy);
  AlertTarget target;
  target.counts = c.counts;
  std::optional<v1::AlertEvent> event =
      evaluator.Evaluate(target, std::nullopt);
  if (c.rule == v1::RULE_UNSPECIFIED) {
    EXPECT_FALSE(event.has_value());
  } else {
    ASSERT_TRUE(event.has_value());
    EXPECT_EQ(event->rule(), c.rule);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Thresholds, BoundaryTest,
    ::testing::Values(
        // 2% of 1000 is 20: at the threshold is not over it.
        BoundaryCase{
            "OverAtTwoPercent", {980, 1000}, false, 0, v1::RULE_UNSPECIFIED},
        BoundaryCase{
            "OverJustAbove", {979, 1000}, false, 0, v1::OVER_REGISTRATION},
        BoundaryCase{
            "OverJustBelow", {981, 1000}, false, 0, v1::RULE_UNSPECIFIED},
        // 永兴: 19 of 533 = 3.56%.
        BoundaryCase{"YongXing", {514, 533}, false, 0, v1::OVER_REGISTRATION},
        BoundaryCase{
            "UnderOffByDefault", {1030, 1000}, false, 0, v1::RULE_UNSPECIFIED},
        BoundaryCase{
            "UnderAtTwoPercent", {1020, 1000}, true, 0, v1::RULE_UNSPECIFIED},
        BoundaryCase{
            "UnderJustAbove", {1021, 1000}, true, 0, v1::UNDER_REGISTRATION},
        // Registry 0: no ratio; pupils present break the under rule only.
        BoundaryCase{"RegistryZeroPupilsPresent",
                     {5, 0},
                     true,
                     0,
                     v1::UNDER_REGISTRATION},
        BoundaryCase{
            "RegistryZeroUnderOff", {5, 0}, false, 0, v1::RULE_UNSPECIFIED},
        BoundaryCase{
            "RegistryZeroNobody", {0, 0}, true, 0, v1::RULE_UNSPECIFIED},
        // A tiny grade: 1 of 10 is 10%, silenced below 2 students.
        BoundaryCase{
            "BelowMinAbsDifference", {9, 10}, false, 2, v1::RULE_UNSPECIFIED},
        BoundaryCase{
            "AtMinAbsDifference", {8, 10}, false, 2, v1::OVER_REGISTRATION}),
    [](const auto& info) { return info.param.name; });

v1::SchoolRecord School(std::vector<std::vector<int64_t>> grades) {
  v1::SchoolRecord record;
  record.set_term("2015-autumn");
  record.set_county("利辛县");
  record.set_district("永兴");
  record.set_school("双龙中学");
  for (const auto& g : grades) {
    v1::GradeCount* grade = record.add_grades();
    grade->set_grade(static_cast<int>(g[0]));
    grade->set_onsite_count(g[1]);
    grade->set_registry_count(g[2]);
  }
  return record;
}

TEST(AlertEvaluatorTest, SchoolTargetsCoverEveryGradeEitherRecordHolds) {
  AlertEvaluator evaluator{ThresholdPolicy()};
  // Grade 8 disappears, grade 9 appears: both are targets, 8 uncounted.
  std::vector<AlertTarget> targets = evaluator.SchoolTargets(
      School({{7, 50, 51}, {8, 40, 44}}), School({{7, 50, 51}, {9, 53, 72}}));
  std::vector<std::string> described;
  for (const AlertTarget& t : targets) {
    described.push_back(absl::StrCat(
        v1::Level_Name(t.identity.level()), " ", t.identity.grade(), " ",
        t.identity.school(), " ",
        t.counts.has_value() ? absl::StrCat(t.counts->onsite_count, "/",
                                            t.counts->registry_count)
                             : "uncounted"));
  }
  EXPECT_THAT(
      described,
      ElementsAre("GRADE 7 双龙中学 50/51", "GRADE 8 双龙中学 uncounted",
                  "GRADE 9 双龙中学 53/72", "SCHOOL 0 双龙中学 103/123"));
}

TEST(AlertEvaluatorTest, LevelsOffByPolicyHaveNoTargets) {
  ThresholdPolicy policy;
  policy.levels = {v1::DISTRICT};
  AlertEvaluator evaluator(policy);
  EXPECT_TRUE(evaluator.SchoolTargets({}, School({{9, 53, 72}})).empty());
  EXPECT_FALSE(evaluator.AreaTarget(v1::COUNTY, School({}), {}).has_value());
  std::optional<AlertTarget> district =
      evaluator.AreaTarget(v1::DISTRICT, School({}), Counts{514, 533});
  ASSERT_TRUE(district.has_value());
  EXPECT_EQ(district->identity.district(), "永兴");
  EXPECT_EQ(district->identity.school(), "");  // a district is no school
  EXPECT_THAT(district->counts, Optional(Counts{514, 533}));
}

TEST(AlertEvaluatorTest, CoverageRaisesUpdatesAndClears) {
  v1::AlertEvent identity;
  identity.set_level(v1::DISTRICT);
  identity.set_district("永兴");
  v1::DistrictCoverage short_one;
  short_one.set_schools_expected(5);
  short_one.set_schools_reported(4);
  short_one.set_grades_expected(30);
  short_one.set_grades_reported(24);
  short_one.add_missing_schools("双龙中学");
  v1::DistrictCoverage complete = short_one;
  complete.set_schools_reported(5);
  complete.set_grades_reported(30);
  complete.clear_missing_schools();
  v1::DistrictCoverage grades_short = complete;
  grades_short.set_grades_reported(29);

  EXPECT_EQ(AlertEvaluator::EvaluateCoverage(identity, complete, std::nullopt),
            std::nullopt);
  std::optional<v1::AlertEvent> raised =
      AlertEvaluator::EvaluateCoverage(identity, short_one, std::nullopt);
  ASSERT_TRUE(raised.has_value());
  EXPECT_EQ(raised->state(), v1::AlertEvent::RAISED);
  EXPECT_EQ(raised->rule(), v1::INCOMPLETE_COVERAGE);
  EXPECT_EQ(raised->district(), "永兴");
  EXPECT_THAT(raised->coverage().missing_schools(), ElementsAre("双龙中学"));
  // The same figures again: nothing; other figures: UPDATED; complete:
  // CLEARED.
  EXPECT_EQ(AlertEvaluator::EvaluateCoverage(identity, short_one, raised),
            std::nullopt);
  std::optional<v1::AlertEvent> updated =
      AlertEvaluator::EvaluateCoverage(identity, grades_short, raised);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->state(), v1::AlertEvent::UPDATED);
  std::optional<v1::AlertEvent> cleared =
      AlertEvaluator::EvaluateCoverage(identity, complete, updated);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->state(), v1::AlertEvent::CLEARED);
  // A district without a roster is not incomplete.
  EXPECT_EQ(AlertEvaluator::EvaluateCoverage(
                identity, v1::DistrictCoverage(), std::nullopt),
            std::nullopt);
}

TEST(AlertEvaluatorTest, SourcesRaiseUpdateAndClearAtTheThreshold) {
  ThresholdPolicy policy;  // 2% of the self-check's count
  const AlertEvaluator evaluator(policy);
  v1::AlertEvent identity;
  identity.set_level(v1::GRADE);
  identity.set_school("永兴中心小学");
  identity.set_grade(3);
  auto count = [](int64_t onsite, int64_t registry) {
    v1::GradeCount g;
    g.set_onsite_count(onsite);
    g.set_registry_count(registry);
    return std::optional<v1::GradeCount>(g);
  };
  // 2 of 100 is exactly 2%: not over; 3 is.
  EXPECT_EQ(evaluator.EvaluateSources(identity, count(98, 104), count(100, 104),
                                      std::nullopt),
            std::nullopt);
  std::optional<v1::AlertEvent> raised = evaluator.EvaluateSources(
      identity, count(97, 104), count(100, 104), std::nullopt);
  ASSERT_TRUE(raised.has_value());
  EXPECT_EQ(raised->state(), v1::AlertEvent::RAISED);
  EXPECT_EQ(raised->rule(), v1::SOURCE_MISMATCH);
  EXPECT_EQ(raised->onsite_count(), 97);
  EXPECT_EQ(raised->registry_count(), 104);
  EXPECT_EQ(raised->self_check_onsite_count(), 100);
  EXPECT_EQ(raised->difference(), 3);
  EXPECT_EQ(raised->ratio(), "0.030");
  // Fewer reported than found disagrees as well.
  EXPECT_TRUE(evaluator
                  .EvaluateSources(identity, count(110, 104), count(100, 104),
                                   std::nullopt)
                  .has_value());
  // The same counts again: nothing; other counts: UPDATED.
  EXPECT_EQ(evaluator.EvaluateSources(identity, count(97, 104),
                                      count(100, 104), raised),
            std::nullopt);
  std::optional<v1::AlertEvent> updated = evaluator.EvaluateSources(
      identity, count(90, 104), count(100, 104), raised);
  ASSERT_TRUE(updated.has_value());
  EXPECT_EQ(updated->state(), v1::AlertEvent::UPDATED);
  // One side gone, or the two agreeing: CLEARED.
  std::optional<v1::AlertEvent> cleared = evaluator.EvaluateSources(
      identity, count(97, 104), std::nullopt, raised);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->state(), v1::AlertEvent::CLEARED);
  cleared = evaluator.EvaluateSources(identity, count(100, 104),
                                      count(100, 104), raised);
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->state(), v1::AlertEvent::CLEARED);
  // A self-check of nobody against students found.
  EXPECT_TRUE(evaluator
                  .EvaluateSources(identity, count(5, 5), count(0, 5),
                                   std::nullopt)
                  .has_value());
}

}  // namespace
}  // namespace headcount::audit
