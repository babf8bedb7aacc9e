// Revisions applied together (AuditStore::ApplyRevisions, one synced write)
// leave exactly what applying them one at a time leaves: sums, records,
// alerts and their ids.
#include <random>

#include "tests/audit_service/audit_server_fixture.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::TempDir;

// The fixture as one revision per school, then corrections and removals.
std::vector<FeedRevision> Revisions() {
  std::vector<FeedRevision> revisions;
  std::vector<v1::SchoolRecord> held;
  std::mt19937 random(20151218);
  auto put = [&](v1::SchoolRecord record) {
    const int64_t revision = static_cast<int64_t>(revisions.size()) + 1;
    record.set_mod_revision(revision);
    v1::Event event;
    event.set_type(v1::Event::PUT);
    *event.mutable_school() = record;
    revisions.push_back({revision, {event}});
    return record;
  };
  for (const v1::SubmitRequest& s : FixtureSchools()) {
    v1::SchoolRecord record;
    record.set_term(s.term());
    record.set_county(s.county());
    record.set_district(s.district());
    record.set_school(s.school());
    *record.mutable_grades() = s.grades();
    held.push_back(put(record));
  }
  for (int i = 0; i < 60; ++i) {
    v1::SchoolRecord& record = held[random() % held.size()];
    if (record.grades_size() == 0) continue;
    v1::GradeCount* g = record.mutable_grades(random() % record.grades_size());
    g->set_onsite_count(std::max<int64_t>(
        0, g->onsite_count() + static_cast<int64_t>(random() % 21) - 10));
    record = put(record);
  }
  // Two schools removed.
  for (int k : {3, 40}) {
    const int64_t revision = static_cast<int64_t>(revisions.size()) + 1;
    v1::Event removal;
    removal.set_type(v1::Event::DELETE);
    v1::SchoolRecord& gone = *removal.mutable_school();
    gone.set_term(held[k].term());
    gone.set_county(held[k].county());
    gone.set_district(held[k].district());
    gone.set_school(held[k].school());
    gone.set_mod_revision(revision);
    revisions.push_back({revision, {removal}});
  }
  return revisions;
}

std::unique_ptr<AuditStore> OpenStore(const std::string& dir) {
  AuditStore::Options options;
  options.data_dir = dir;
  auto store = AuditStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

TEST(AuditBatchApplyTest, RevisionsAppliedTogetherEqualOneAtATime) {
  TempDir dir;
  const std::vector<FeedRevision> revisions = Revisions();
  std::unique_ptr<AuditStore> single = OpenStore(dir.Sub("single"));
  std::unique_ptr<AuditStore> batched = OpenStore(dir.Sub("batched"));
  ASSERT_NE(single, nullptr);
  ASSERT_NE(batched, nullptr);
  for (const FeedRevision& r : revisions) {
    ASSERT_TRUE(single->Apply(r.revision, r.events).ok());
  }
  // In uneven groups, one of them overlapping what is applied already.
  size_t next = 0;
  int group = 1;
  while (next < revisions.size()) {
    const size_t from = next > 0 && group % 3 == 0 ? next - 1 : next;
    const size_t to = std::min(revisions.size(), next + group);
    std::vector<FeedRevision> chunk(revisions.begin() + from,
                                    revisions.begin() + to);
    ASSERT_TRUE(batched->ApplyRevisions(chunk).ok());
    EXPECT_EQ(batched->applied_revision(), revisions[to - 1].revision);
    next = to;
    group = group % 17 + 5;
  }
  EXPECT_EQ(batched->applied_revision(), single->applied_revision());
  EXPECT_EQ(batched->last_alert_id(), single->last_alert_id());
  EXPECT_GT(single->last_alert_id(), 19);
  auto report = [](AuditStore& store) {
    absl::StatusOr<v1::CountyReport> r =
        store.GetCountyReport("2015-autumn", "利辛县");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->SerializeAsString() : "";
  };
  EXPECT_EQ(report(*batched), report(*single));
  EXPECT_EQ(OpenAlertFacts(*batched), OpenAlertFacts(*single));
  auto events = [](AuditStore& store) {
    absl::StatusOr<std::vector<v1::AlertEvent>> read =
        store.ReadAlerts(0, 100000);
    EXPECT_TRUE(read.ok());
    std::vector<std::string> out;
    for (v1::AlertEvent& e : *read) {
      e.clear_time();
      out.push_back(e.SerializeAsString());
    }
    return out;
  };
  EXPECT_EQ(events(*batched), events(*single));

  // Nothing of an applied batch is applied twice after a restart.
  const int64_t last = batched->last_alert_id();
  batched.reset();
  batched = OpenStore(dir.Sub("batched"));
  ASSERT_NE(batched, nullptr);
  EXPECT_EQ(batched->applied_revision(), revisions.back().revision);
  std::vector<FeedRevision> again(revisions.end() - 5, revisions.end());
  ASSERT_TRUE(batched->ApplyRevisions(again).ok());
  EXPECT_EQ(batched->last_alert_id(), last);
}

}  // namespace
}  // namespace headcount::audit
