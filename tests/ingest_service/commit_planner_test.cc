// The commit decision without RocksDB or threads: a fake PlanReader holds
// the stored state; each case plans one commit against it.
#include <array>
#include "ingest_service/commit_planner.h"

#include <map>
#include <tuple>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "common/domain/school_key.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/ingest_service/ingest_test_util.h"

namespace headcount::ingest {
namespace {

using ::headcount::testing::School;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// The stored state, in memory. Counts its reads.
class FakePlanReader final : public PlanReader {
 public:
  absl::StatusOr<std::optional<v1::SchoolRecord>> School(
      const SchoolKey& key) override {
    ++reads;
    if (!error.ok()) return error;
    auto it = schools.find(EncodeSchoolKey(key));
    if (it == schools.end()) return std::optional<v1::SchoolRecord>();
    return std::optional<v1::SchoolRecord>(it->second);
  }
  absl::StatusOr<std::optional<storage::SubmissionEntry>> Submission(
      absl::string_view submission_id) override {
    ++reads;
    if (!error.ok()) return error;
    auto it = submissions.find(std::string(submission_id));
    if (it == submissions.end())
      return std::optional<storage::SubmissionEntry>();
    return std::optional<storage::SubmissionEntry>(it->second);
  }

  absl::StatusOr<std::optional<v1::RosterEntry>> RosterEntryOf(
      const SchoolKey& key) override {
    auto it = roster.find(EncodeSchoolKey(key));
    if (it == roster.end()) return std::optional<v1::RosterEntry>();
    return std::optional<v1::RosterEntry>(it->second);
  }
  absl::StatusOr<std::vector<v1::RosterEntry>> Roster(
      absl::string_view term, absl::string_view county,
      absl::string_view district) override {
    ++reads;
    std::vector<v1::RosterEntry> entries;
    const std::string prefix = SchoolKeyPrefix(term, county, district);
    for (const auto& [key, entry] : roster) {
      if (absl::StartsWith(key, prefix)) entries.push_back(entry);
    }
    return entries;
  }

  absl::StatusOr<std::vector<v1::Region>> Regions() override {
    ++reads;
    std::vector<v1::Region> all;
    for (const auto& [county, region] : regions) all.push_back(region);
    return all;
  }

  // Stores what `plan` writes, as the store would.
  void Apply(const CommitPlan& plan) {
    for (const v1::Region& region : plan.regions) {
      regions[region.county()] = region;
    }
    for (const auto& [key, entry] : plan.roster) {
      if (entry.has_value()) {
        roster[EncodeSchoolKey(key)] = *entry;
      } else {
        roster.erase(EncodeSchoolKey(key));
      }
    }
    for (const v1::SchoolRecord& r : plan.records) {
      schools[EncodeSchoolKey(
          {r.term(), r.county(), r.district(), r.school()})] = r;
    }
    for (const auto& [id, entry] : plan.submissions) submissions[id] = entry;
  }

  std::map<std::string, v1::SchoolRecord> schools;
  std::map<std::string, storage::SubmissionEntry> submissions;
  std::map<std::string, v1::RosterEntry> roster;
  std::map<std::string, v1::Region> regions;
  absl::Status error;
  int reads = 0;
};

const absl::Time kNow = absl::FromUnixSeconds(1'450'000'000);

class CommitPlannerTest : public ::testing::Test {
 protected:
  // Plans `rows` at `revision` and, unless dry, stores the result.
  CommitPlan Commit(std::vector<v1::SubmitRequest> rows, int64_t revision,
                    bool dry_run = false) {
    absl::StatusOr<CommitPlan> plan =
        PlanCommit(Puts(std::move(rows)), {dry_run, "clerk-yongxing"}, revision,
                   kNow, reader_);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return {};
    reader_.Apply(*plan);
    return *std::move(plan);
  }

  // Plans one retraction of `grades` (none: the whole school) at
  // `revision` and stores the result.
  CommitPlan Retract(const std::string& school, std::vector<int> grades,
                     const std::string& id, int64_t revision) {
    std::vector<storage::Change> rows(1);
    v1::RetractRequest* retract = rows[0].mutable_retract();
    retract->set_submission_id(id);
    retract->set_term("2015-autumn");
    retract->set_county("利辛县");
    retract->set_district("永兴");
    retract->set_school(school);
    for (int grade : grades) retract->add_grades(grade);
    absl::StatusOr<CommitPlan> plan =
        PlanCommit(rows, {false, "lixin-office"}, revision, kNow, reader_);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return {};
    reader_.Apply(*plan);
    return *std::move(plan);
  }

  FakePlanReader reader_;
};

// A file holding only some grades of a school corrects those grades; the
// school's other grades keep their counts.
TEST_F(CommitPlannerTest, ASubmissionKeepsTheGradesItDoesNotCarry) {
  Commit({School("永兴", "双龙中学", {{53, 72}, {60, 61}, {70, 70}}, "a")}, 1);
  v1::SubmitRequest grade2 = School("永兴", "双龙中学", {}, "b");
  v1::GradeCount* count = grade2.add_grades();
  count->set_grade(2);
  count->set_onsite_count(61);
  count->set_registry_count(61);
  CommitPlan plan = Commit({grade2}, 2);
  ASSERT_THAT(plan.records, SizeIs(1));
  EXPECT_EQ(plan.result.rows[0].outcome, v1::UPDATED);
  const v1::SchoolRecord& record = plan.records[0];
  ASSERT_THAT(record.grades(), SizeIs(3));
  EXPECT_EQ(record.grades(0).onsite_count(), 53);
  EXPECT_EQ(record.grades(1).onsite_count(), 61);
  EXPECT_EQ(record.grades(2).onsite_count(), 70);
  // The same grade again changes nothing.
  grade2.set_submission_id("c");
  EXPECT_EQ(Commit({grade2}, 3).result.rows[0].outcome, v1::UNCHANGED);
}

// A caller that wants outcomes only (SubmitBatch) gets them without a copy
// of each record; what is written is the same.
TEST_F(CommitPlannerTest, WithoutRecordsTheAnswersCarryNoRecord) {
  Commit({School("永兴", "双龙中学", {{53, 72}}, "a")}, 1);
  absl::StatusOr<CommitPlan> plan = PlanCommit(
      Puts({School("永兴", "双龙中学", {{53, 72}}, "b"),
            School("永兴", "永兴中心校", {{40, 41}}, "c")}),
      {false, "clerk-yongxing", /*without_records=*/true}, 2, kNow, reader_);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_THAT(plan->result.rows, SizeIs(2));
  EXPECT_EQ(plan->result.rows[0].outcome, v1::UNCHANGED);
  EXPECT_EQ(plan->result.rows[1].outcome, v1::CREATED);
  EXPECT_EQ(plan->result.rows[1].revision, 2);
  EXPECT_FALSE(plan->result.rows[0].school.has_submitted_at());
  EXPECT_FALSE(plan->result.rows[1].school.has_submitted_at());
  ASSERT_THAT(plan->records, SizeIs(1));
  EXPECT_EQ(plan->records[0].school(), "永兴中心校");
  EXPECT_EQ(plan->records[0].mod_revision(), 2);
  // By default an answer carries its record.
  absl::StatusOr<CommitPlan> with = PlanCommit(
      Puts({School("永兴", "永兴中心校", {{40, 41}}, "d")}),
      {false, "clerk-yongxing"}, 2, kNow, reader_);
  ASSERT_TRUE(with.ok()) << with.status();
  EXPECT_EQ(with->result.rows[0].school.school(), "永兴中心校");
}

// Each change after the first submission is counted and timed; equal
// counts are not a change.
TEST_F(CommitPlannerTest, CorrectionsAreCountedAndTimed) {
  auto at = [&](const std::vector<v1::SubmitRequest>& rows, int64_t revision,
                absl::Time time) {
    absl::StatusOr<CommitPlan> plan =
        PlanCommit(Puts(rows), {false, "clerk-yongxing"}, revision, time,
                   reader_);
    EXPECT_TRUE(plan.ok());
    reader_.Apply(*plan);
    return *plan;
  };
  const absl::Time t0 = kNow;
  CommitPlan first = at({School("永兴", "双龙中学", {{53, 72}}, "a")}, 1, t0);
  EXPECT_EQ(first.records.at(0).corrections(), 0);
  EXPECT_EQ(first.records.at(0).first_submitted_at().seconds(),
            absl::ToUnixSeconds(t0));
  EXPECT_THAT(first.records.at(0).corrected_at(), IsEmpty());
  at({School("永兴", "双龙中学", {{53, 72}}, "b")}, 2, t0 + absl::Hours(1));
  int64_t revision = 2;
  for (int i = 1; i <= 40; ++i) {
    at({School("永兴", "双龙中学", {{53 + i, 72}}, absl::StrCat("c", i))},
       revision++, t0 + absl::Hours(24 * i));
  }
  const v1::SchoolRecord& record =
      reader_.schools.begin()->second;  // the one school
  EXPECT_EQ(record.corrections(), 40);
  EXPECT_EQ(record.first_submitted_at().seconds(), absl::ToUnixSeconds(t0));
  ASSERT_THAT(record.corrected_at(), SizeIs(32));
  EXPECT_EQ(record.corrected_at(0).seconds(),
            absl::ToUnixSeconds(t0 + absl::Hours(24 * 9)));
  EXPECT_EQ(record.corrected_at(31).seconds(),
            absl::ToUnixSeconds(t0 + absl::Hours(24 * 40)));
}

v1::PutRosterRequest RosterOf(
    const std::string& id, const std::string& district,
    const std::vector<std::tuple<std::string, std::string, std::vector<int>>>&
        schools) {
  v1::PutRosterRequest request;
  request.set_submission_id(id);
  request.set_term("2015-autumn");
  request.set_county("利辛县");
  request.set_district(district);
  for (const auto& [d, school, grades] : schools) {
    v1::RosterEntry* entry = request.add_schools();
    entry->set_district(d);
    entry->set_school(school);
    for (int g : grades) entry->add_grades(g);
  }
  return request;
}

// A roster replaces the roster of its scope: entries are added, changed,
// removed or left, each change an event of one revision.
// Regions: added, then one county moved and one unchanged; a retry is a
// replay; a city put in a second province against the stored table is
// refused whole.
TEST_F(CommitPlannerTest, RegionsAreAddedMovedAndCheckedAgainstTheTable) {
  auto put = [&](const std::string& id,
                 std::vector<std::array<std::string, 3>> table,
                 int64_t revision) {
    std::vector<storage::Change> rows(1);
    v1::PutRegionsRequest* request = rows[0].mutable_regions();
    request->set_submission_id(id);
    for (const auto& [county, city, province] : table) {
      v1::Region* region = request->add_regions();
      region->set_county(county);
      region->set_city(city);
      region->set_province(province);
    }
    absl::StatusOr<CommitPlan> plan =
        PlanCommit(rows, {false, "ops"}, revision, kNow, reader_);
    EXPECT_TRUE(plan.ok()) << plan.status();
    if (!plan.ok()) return CommitPlan();
    reader_.Apply(*plan);
    return *std::move(plan);
  };
  CommitPlan first = put("r1",
                         {{"利辛县", "亳州市", "安徽省"},
                          {"涡阳县", "亳州市", "安徽省"}},
                         1);
  ASSERT_THAT(first.result.rows, SizeIs(1));
  EXPECT_EQ(first.result.rows[0].regions.added, 2);
  ASSERT_TRUE(first.log_entry.has_value());
  ASSERT_THAT(first.log_entry->events(), SizeIs(2));
  EXPECT_EQ(first.log_entry->events(0).type(), v1::Event::REGION_PUT);
  EXPECT_EQ(first.log_entry->events(0).region().mod_revision(), 1);

  CommitPlan second = put("r2",
                          {{"利辛县", "亳州市", "安徽省"},
                           {"涡阳县", "阜阳市", "安徽省"}},
                          2);
  EXPECT_EQ(second.result.rows[0].regions.changed, 1);
  EXPECT_EQ(second.result.rows[0].regions.unchanged, 1);
  ASSERT_THAT(second.log_entry->events(), SizeIs(1));
  EXPECT_EQ(second.log_entry->events(0).prev_region().city(), "亳州市");
  EXPECT_TRUE(put("r2",
                  {{"利辛县", "亳州市", "安徽省"}, {"涡阳县", "阜阳市", "安徽省"}},
                  3)
                  .result.rows[0]
                  .replayed);

  CommitPlan refused = put("r3", {{"临泉县", "亳州市", "河南省"}}, 4);
  ASSERT_THAT(refused.result.rejected, SizeIs(1));
  EXPECT_EQ(refused.result.rejected[0].field, "regions[0].province");
  EXPECT_THAT(refused.result.rejected[0].reason,
              ::testing::HasSubstr("city 亳州市 is in 安徽省 (as stored)"));
  EXPECT_EQ(reader_.regions.count("临泉县"), 0u);
}

TEST_F(CommitPlannerTest, ARosterReplacesTheRosterOfItsScope) {
  auto put = [&](const v1::PutRosterRequest& roster, int64_t revision) {
    std::vector<storage::Change> rows(1);
    *rows[0].mutable_roster() = roster;
    absl::StatusOr<CommitPlan> plan =
        PlanCommit(rows, {false, "lixin-office"}, revision, kNow, reader_);
    EXPECT_TRUE(plan.ok());
    reader_.Apply(*plan);
    return *plan;
  };
  CommitPlan first = put(RosterOf("r1", "", {{"永兴", "双龙中学", {9, 7, 8}},
                                             {"永兴", "永兴小学", {1, 2}},
                                             {"城北", "城北中心小学", {1}}}),
                         1);
  EXPECT_EQ(first.result.revision, 1);
  EXPECT_EQ(first.result.rows.at(0).roster.added, 3);
  ASSERT_TRUE(first.log_entry.has_value());
  ASSERT_THAT(first.log_entry->events(), SizeIs(3));
  EXPECT_EQ(first.log_entry->events(0).type(), v1::Event::ROSTER_PUT);
  // Entries by district and school, grades ascending, stamped.
  const v1::RosterEntry& shuanglong = first.log_entry->events(1).roster();
  EXPECT_EQ(shuanglong.school(), "双龙中学");
  EXPECT_THAT(shuanglong.grades(), ElementsAre(7, 8, 9));
  EXPECT_EQ(shuanglong.mod_revision(), 1);
  EXPECT_EQ(shuanglong.county(), "利辛县");

  // 永兴's part again: one school changes, one goes, 城北 is untouched.
  CommitPlan second =
      put(RosterOf("r2", "永兴", {{"永兴", "双龙中学", {7, 8}}}), 2);
  const RowResult::EntryCounts& counts = second.result.rows.at(0).roster;
  EXPECT_EQ(counts.added, 0);
  EXPECT_EQ(counts.changed, 1);
  EXPECT_EQ(counts.removed, 1);
  EXPECT_EQ(counts.unchanged, 0);
  ASSERT_THAT(second.log_entry->events(), SizeIs(2));
  EXPECT_THAT(second.log_entry->events(0).prev_roster().grades(),
              ElementsAre(7, 8, 9));
  EXPECT_EQ(second.log_entry->events(1).type(), v1::Event::ROSTER_DELETE);
  EXPECT_EQ(second.log_entry->events(1).prev_roster().school(), "永兴小学");
  EXPECT_THAT(reader_.roster, SizeIs(2));

  // The same again: nothing changes; the same id: a replay.
  CommitPlan same = put(RosterOf("r3", "永兴", {{"永兴", "双龙中学", {8, 7}}}), 3);
  EXPECT_EQ(same.result.revision, 0);
  EXPECT_EQ(same.result.rows.at(0).roster.unchanged, 1);
  EXPECT_FALSE(same.log_entry.has_value());
  CommitPlan replay =
      put(RosterOf("r2", "永兴", {{"永兴", "双龙中学", {7, 8}}}), 3);
  EXPECT_TRUE(replay.result.rows.at(0).replayed);
  EXPECT_EQ(replay.result.rows.at(0).revision, 2);
  EXPECT_EQ(replay.result.rows.at(0).roster.removed, 1);
}

// With a roster, a school or district not on it is refused, naming the
// closest names; add_to_roster adds it in the same revision. Other counties
// (no roster) are as before.
TEST_F(CommitPlannerTest, WithARosterOnlyItsSchoolsAreTaken) {
  std::vector<storage::Change> rows(1);
  *rows[0].mutable_roster() = RosterOf("r", "", {{"永兴", "双龙中学", {7, 8, 9}},
                                                 {"纪王场", "纪王场中心校", {1}}});
  ASSERT_TRUE(PlanCommit(rows, {}, 1, kNow, reader_).ok());
  reader_.Apply(*PlanCommit(rows, {}, 1, kNow, reader_));

  auto refusal = [&](const v1::SubmitRequest& row) {
    absl::StatusOr<CommitPlan> plan =
        PlanCommit(Puts({row}), {}, 2, kNow, reader_);
    EXPECT_TRUE(plan.ok());
    EXPECT_THAT(plan->records, IsEmpty());
    return plan->result.rejected.empty() ? RowRejection()
                                         : plan->result.rejected[0];
  };
  RowRejection district = refusal(School("纪王厂", "纪王场中心校", {{1, 1}}, "a"));
  EXPECT_EQ(district.code, absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(district.field, "district");
  EXPECT_THAT(district.reason,
              ::testing::StartsWith("district 纪王厂 is not on the roster of "
                                    "利辛县 for 2015-autumn; did you mean "
                                    "纪王场? (a new school: submit it with "
                                    "add_to_roster"));
  RowRejection school = refusal(School("永兴", "双龙小学", {{1, 1}}, "b"));
  EXPECT_EQ(school.field, "school");
  EXPECT_THAT(school.reason,
              ::testing::HasSubstr("school 双龙小学 is not on the roster of "
                                   "利辛县/永兴 for 2015-autumn; did you mean "
                                   "双龙中学?"));
  // On the roster: taken.
  EXPECT_EQ(Commit({School("永兴", "双龙中学", {{1, 1}}, "c")}, 2)
                .result.rows.at(0)
                .outcome,
            v1::CREATED);
  // Added explicitly: the school and its roster entry, one revision.
  v1::SubmitRequest added = School("永兴", "永兴小学", {{5, 5}, {6, 6}}, "d");
  added.set_add_to_roster(true);
  CommitPlan plan = Commit({added}, 3);
  ASSERT_TRUE(plan.log_entry.has_value());
  ASSERT_THAT(plan.log_entry->events(), SizeIs(2));
  EXPECT_EQ(plan.log_entry->events(1).type(), v1::Event::ROSTER_PUT);
  EXPECT_THAT(plan.log_entry->events(1).roster().grades(), ElementsAre(1, 2));
  EXPECT_THAT(reader_.roster, SizeIs(3));
  // Another county has no roster: anything goes.
  v1::SubmitRequest elsewhere = School("城关", "城关小学", {{1, 1}}, "e");
  elsewhere.set_county("临泉县");
  EXPECT_EQ(Commit({elsewhere}, 4).result.rows.at(0).outcome, v1::CREATED);
}

TEST_F(CommitPlannerTest, RetractingGradesLeavesTheRest) {
  Commit({School("永兴", "双龙中学", {{53, 72}, {60, 61}, {70, 70}}, "a")}, 1);
  CommitPlan plan = Retract("双龙中学", {3, 1}, "r", 2);
  ASSERT_THAT(plan.result.rows, SizeIs(1));
  const RowResult& row = plan.result.rows[0];
  EXPECT_EQ(row.outcome, v1::RETRACTED);
  EXPECT_EQ(row.revision, 2);
  EXPECT_THAT(row.grades_removed, ElementsAre(1, 3));
  EXPECT_FALSE(row.school_removed);
  ASSERT_THAT(row.school.grades(), SizeIs(1));
  EXPECT_EQ(row.school.grades(0).grade(), 2);
  EXPECT_EQ(row.school.version(), 2);
  EXPECT_EQ(row.school.submitted_by(), "lixin-office");
  ASSERT_TRUE(plan.log_entry.has_value());
  const v1::Event& event = plan.log_entry->events(0);
  EXPECT_EQ(event.type(), v1::Event::PUT);
  EXPECT_THAT(event.prev_school().grades(), SizeIs(3));
}

TEST_F(CommitPlannerTest, RetractingTheSchoolLeavesATombstoneAndADelete) {
  Commit({School("永兴", "双龙中学", {{53, 72}, {60, 61}}, "a")}, 1);
  CommitPlan plan = Retract("双龙中学", {}, "r", 2);
  const RowResult& row = plan.result.rows.at(0);
  EXPECT_TRUE(row.school_removed);
  EXPECT_THAT(row.grades_removed, ElementsAre(1, 2));
  EXPECT_EQ(row.school.school(), "");  // nothing left to show
  ASSERT_TRUE(plan.log_entry.has_value());
  const v1::Event& event = plan.log_entry->events(0);
  EXPECT_EQ(event.type(), v1::Event::DELETE);
  EXPECT_EQ(event.school().school(), "双龙中学");
  EXPECT_EQ(event.school().mod_revision(), 2);
  EXPECT_THAT(event.school().grades(), IsEmpty());
  EXPECT_THAT(event.prev_school().grades(), SizeIs(2));
  ASSERT_THAT(plan.records, SizeIs(1));
  EXPECT_TRUE(IsRemoved(plan.records[0]));

  // Nothing left to remove.
  std::vector<storage::Change> again(1);
  v1::RetractRequest* retract = again[0].mutable_retract();
  retract->set_submission_id("r2");
  retract->set_term("2015-autumn");
  retract->set_county("利辛县");
  retract->set_district("永兴");
  retract->set_school("双龙中学");
  absl::StatusOr<CommitPlan> refused =
      PlanCommit(again, {}, 3, kNow, reader_);
  ASSERT_TRUE(refused.ok());
  ASSERT_THAT(refused->result.rejected, SizeIs(1));
  EXPECT_EQ(refused->result.rejected[0].code, absl::StatusCode::kNotFound);
  EXPECT_EQ(refused->result.rejected[0].reason,
            "school 双龙中学 of 利辛县/永兴 has no counts in term 2015-autumn: "
            "nothing to retract");

  // Submitted again: a new school (version 1), pointing back at the
  // tombstone for the listing's history.
  CommitPlan back = Commit({School("永兴", "双龙中学", {{1, 1}}, "b")}, 3);
  EXPECT_EQ(back.result.rows.at(0).outcome, v1::CREATED);
  EXPECT_EQ(back.records.at(0).version(), 1);
  EXPECT_EQ(back.records.at(0).create_revision(), 3);
  EXPECT_TRUE(IsRemoved(back.log_entry->events(0).prev_school()));
}

TEST_F(CommitPlannerTest, RetractingAGradeTheSchoolLacksIsNotFound) {
  Commit({School("永兴", "双龙中学", {{53, 72}, {60, 61}}, "a")}, 1);
  std::vector<storage::Change> rows(1);
  v1::RetractRequest* retract = rows[0].mutable_retract();
  retract->set_submission_id("r");
  retract->set_term("2015-autumn");
  retract->set_county("利辛县");
  retract->set_district("永兴");
  retract->set_school("双龙中学");
  retract->add_grades(2);
  retract->add_grades(9);
  retract->add_grades(8);
  absl::StatusOr<CommitPlan> plan = PlanCommit(rows, {}, 2, kNow, reader_);
  ASSERT_TRUE(plan.ok());
  ASSERT_THAT(plan->result.rejected, SizeIs(1));
  EXPECT_EQ(plan->result.rejected[0].field, "grades");
  EXPECT_EQ(plan->result.rejected[0].reason,
            "双龙中学 has no counts for grades 8 and 9 (it has grades 1 and 2)");
  EXPECT_THAT(plan->records, IsEmpty());
  EXPECT_FALSE(plan->log_entry.has_value());
}

TEST_F(CommitPlannerTest, ARetractionReplaysAndItsIdIsItsOwn) {
  Commit({School("永兴", "双龙中学", {{53, 72}, {60, 61}}, "a")}, 1);
  Retract("双龙中学", {2}, "r", 2);
  CommitPlan replay = Retract("双龙中学", {2}, "r", 3);
  const RowResult& row = replay.result.rows.at(0);
  EXPECT_TRUE(row.replayed);
  EXPECT_EQ(row.revision, 2);
  EXPECT_THAT(row.grades_removed, ElementsAre(2));
  EXPECT_FALSE(replay.log_entry.has_value());
  // The id of a retraction is not a submission's, nor another retraction's.
  CommitPlan other = Retract("双龙中学", {1}, "r", 3);
  ASSERT_THAT(other.result.rejected, SizeIs(1));
  EXPECT_EQ(other.result.rejected[0].code, absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(Commit({School("永兴", "双龙中学", {{1, 1}}, "r")}, 3)
                  .result.rejected,
              SizeIs(1));
}

TEST_F(CommitPlannerTest, CreatesThenUpdatesThenLeavesUnchanged) {
  CommitPlan created =
      Commit({School("永兴", "双龙中学", {{53, 72}, {60, 61}}, "a")}, 1);
  ASSERT_THAT(created.result.rows, SizeIs(1));
  EXPECT_EQ(created.result.rows[0].outcome, v1::CREATED);
  EXPECT_EQ(created.result.revision, 1);
  ASSERT_TRUE(created.log_entry.has_value());
  EXPECT_EQ(created.log_entry->revision(), 1);
  EXPECT_EQ(created.log_entry->commit_time_unix_micros(),
            absl::ToUnixMicros(kNow));
  ASSERT_THAT(created.log_entry->events(), SizeIs(1));
  EXPECT_FALSE(created.log_entry->events(0).has_prev_school());
  const v1::SchoolRecord& record = created.records.at(0);
  EXPECT_EQ(record.create_revision(), 1);
  EXPECT_EQ(record.mod_revision(), 1);
  EXPECT_EQ(record.version(), 1);
  EXPECT_EQ(record.submission_id(), "a");

  CommitPlan updated =
      Commit({School("永兴", "双龙中学", {{72, 72}, {60, 61}}, "b")}, 2);
  EXPECT_EQ(updated.result.rows[0].outcome, v1::UPDATED);
  EXPECT_EQ(updated.records.at(0).create_revision(), 1);
  EXPECT_EQ(updated.records.at(0).version(), 2);
  EXPECT_EQ(updated.log_entry->events(0).prev_school().grades(0).onsite_count(),
            53);

  // Equal counts under a new id: no revision, no log entry, the id kept.
  CommitPlan unchanged =
      Commit({School("永兴", "双龙中学", {{72, 72}, {60, 61}}, "c")}, 3);
  EXPECT_EQ(unchanged.result.rows[0].outcome, v1::UNCHANGED);
  EXPECT_EQ(unchanged.result.rows[0].revision, 2);  // the last change
  EXPECT_EQ(unchanged.result.revision, 0);
  EXPECT_FALSE(unchanged.log_entry.has_value());
  EXPECT_THAT(unchanged.records, IsEmpty());
  EXPECT_THAT(unchanged.submissions, SizeIs(1));
}

TEST_F(CommitPlannerTest, GradesAreStoredSortedAndCompareSorted) {
  v1::SubmitRequest row = School("永兴", "双龙中学", {{1, 1}, {2, 2}}, "a");
  std::swap(*row.mutable_grades(0), *row.mutable_grades(1));  // 2, 1
  CommitPlan plan = Commit({row}, 1);
  EXPECT_EQ(plan.records.at(0).grades(0).grade(), 1);
  row.set_submission_id("b");
  EXPECT_EQ(Commit({row}, 2).result.rows[0].outcome, v1::UNCHANGED);
  EXPECT_EQ(Fingerprint(row),
            Fingerprint(School("永兴", "双龙中学", {{1, 1}, {2, 2}}, "x")));
}

TEST_F(CommitPlannerTest, ReplayAnswersTheFirstOutcomeAndWritesNothing) {
  Commit({School("永兴", "双龙中学", {{53, 72}}, "a")}, 1);
  Commit({School("永兴", "双龙中学", {{54, 72}}, "b")}, 2);
  CommitPlan replay = Commit({School("永兴", "双龙中学", {{53, 72}}, "a")}, 3);
  ASSERT_THAT(replay.result.rows, SizeIs(1));
  EXPECT_TRUE(replay.result.rows[0].replayed);
  EXPECT_EQ(replay.result.rows[0].outcome, v1::CREATED);
  EXPECT_EQ(replay.result.rows[0].revision, 1);
  // The stored record is the newest, not the replayed content.
  EXPECT_EQ(replay.result.rows[0].school.grades(0).onsite_count(), 54);
  EXPECT_FALSE(replay.log_entry.has_value());
  EXPECT_THAT(replay.records, IsEmpty());
  EXPECT_THAT(replay.submissions, IsEmpty());
}

TEST_F(CommitPlannerTest, AnIdReusedForOtherContentRejectsTheWholeCommit) {
  Commit({School("永兴", "双龙中学", {{53, 72}}, "a")}, 1);
  CommitPlan plan = Commit({School("城关", "城关小学", {{1, 1}}, "new"),
                            School("永兴", "双龙中学", {{99, 72}}, "a")},
                           2);
  EXPECT_THAT(plan.result.rows, IsEmpty());
  ASSERT_THAT(plan.result.rejected, SizeIs(1));
  EXPECT_EQ(plan.result.rejected[0].index, 1);
  EXPECT_EQ(plan.result.rejected[0].field, "submission_id");
  EXPECT_EQ(plan.result.rejected[0].code, absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(plan.result.rejected[0].reason,
              ::testing::HasSubstr("already used at revision 1"));
  EXPECT_THAT(plan.records, IsEmpty());  // all or nothing
  EXPECT_THAT(plan.submissions, IsEmpty());
  EXPECT_FALSE(plan.log_entry.has_value());
  EXPECT_EQ(plan.result.revision, 0);
}

TEST_F(CommitPlannerTest, ASchoolOrIdTwiceInOneCommitIsRejected) {
  CommitPlan twice = Commit({School("永兴", "双龙中学", {{1, 1}}, "a"),
                             School("永兴", "双龙中学", {{2, 2}}, "b"),
                             School("城关", "城关小学", {{1, 1}}, "a")},
                            1);
  std::vector<std::string> rejected;
  for (const RowRejection& r : twice.result.rejected) {
    rejected.push_back(absl::StrCat(r.index, " ", r.field));
  }
  EXPECT_THAT(rejected, ElementsAre("1 school", "2 submission_id"));
  EXPECT_THAT(twice.records, IsEmpty());
  EXPECT_THAT(reader_.schools, IsEmpty());
}

TEST_F(CommitPlannerTest, ManySchoolsAreOneRevision) {
  CommitPlan plan = Commit({School("永兴", "双龙中学", {{1, 1}}, "a"),
                            School("城关", "城关小学", {{2, 2}}, "b")},
                           5);
  EXPECT_EQ(plan.result.revision, 5);
  EXPECT_THAT(plan.log_entry->events(), SizeIs(2));
  EXPECT_EQ(plan.result.rows[1].revision, 5);
}

TEST_F(CommitPlannerTest, DryRunDecidesButWritesNothing) {
  Commit({School("永兴", "双龙中学", {{53, 72}}, "a")}, 1);
  CommitPlan dry = Commit({School("永兴", "双龙中学", {{54, 72}}, "b"),
                           School("城关", "城关小学", {{1, 1}}, "c"),
                           School("永兴", "双龙中学", {{53, 72}}, "a")},
                          2, /*dry_run=*/true);
  ASSERT_THAT(dry.result.rejected, SizeIs(1));  // the school twice
  dry = Commit({School("永兴", "双龙中学", {{54, 72}}, "b"),
                School("城关", "城关小学", {{1, 1}}, "c")},
               2, /*dry_run=*/true);
  ASSERT_THAT(dry.result.rows, SizeIs(2));
  EXPECT_EQ(dry.result.rows[0].outcome, v1::UPDATED);
  EXPECT_EQ(dry.result.rows[1].outcome, v1::CREATED);
  EXPECT_EQ(dry.result.rows[0].revision, 0);
  EXPECT_EQ(dry.result.revision, 0);
  EXPECT_THAT(dry.records, IsEmpty());
  EXPECT_THAT(dry.submissions, IsEmpty());
  EXPECT_FALSE(dry.log_entry.has_value());
  EXPECT_THAT(reader_.submissions, SizeIs(1));  // only "a"
}

TEST_F(CommitPlannerTest, AReadErrorFailsThePlan) {
  reader_.error = absl::DataLossError("unparseable value");
  absl::StatusOr<CommitPlan> plan = PlanCommit(
      Puts({School("永兴", "双龙中学", {{1, 1}}, "a")}), {}, 1, kNow, reader_);
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace headcount::ingest
