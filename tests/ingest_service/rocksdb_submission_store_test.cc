#include "ingest_service/rocksdb_submission_store.h"

#include <functional>
#include <future>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest_service/commit_planner.h"
#include "rocksdb/db.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::ingest {
namespace {

using ::headcount::testing::IsOk;
using ::headcount::testing::School;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(std::function<void()> after_tombstone_scan = nullptr) {
    store_.reset();
    RocksDbSubmissionStore::Options options;
    options.data_dir = dir_.Sub("db");
    options.after_tombstone_scan = std::move(after_tombstone_scan);
    auto store = RocksDbSubmissionStore::Open(options);
    ASSERT_THAT(store.status(), IsOk());
    store_ = *std::move(store);
  }

  absl::StatusOr<CommitResult> Commit(std::vector<v1::SubmitRequest> rows,
                                      bool dry_run = false) {
    return headcount::testing::CommitNow(*store_, std::move(rows), dry_run);
  }

  headcount::testing::TempDir dir_;
  std::unique_ptr<RocksDbSubmissionStore> store_;
};

TEST_F(StoreTest, CreateCorrectAndUnchanged) {
  auto created = Commit({School("城北", "城北中心小学", {{63, 62}, {71, 71}})});
  ASSERT_THAT(created.status(), IsOk());
  EXPECT_EQ(created->revision, 1);
  ASSERT_THAT(created->rows, SizeIs(1));
  EXPECT_EQ(created->rows[0].outcome, v1::CREATED);
  EXPECT_EQ(created->rows[0].school.version(), 1);

  // A correction replaces the counts and takes the next revision.
  auto updated = Commit({School("城北", "城北中心小学", {{63, 63}, {71, 71}})});
  ASSERT_THAT(updated.status(), IsOk());
  EXPECT_EQ(updated->revision, 2);
  EXPECT_EQ(updated->rows[0].outcome, v1::UPDATED);
  EXPECT_EQ(updated->rows[0].school.create_revision(), 1);
  EXPECT_EQ(updated->rows[0].school.version(), 2);

  // The same counts under a new id: unchanged, no revision.
  auto unchanged = Commit(
      {School("城北", "城北中心小学", {{63, 63}, {71, 71}}, "another-id")});
  ASSERT_THAT(unchanged.status(), IsOk());
  EXPECT_EQ(unchanged->revision, 0);
  EXPECT_EQ(unchanged->rows[0].outcome, v1::UNCHANGED);
  EXPECT_EQ(unchanged->rows[0].revision, 2);
  EXPECT_EQ(store_->revision(), 2);

  auto record =
      store_->GetSchool({"2015-autumn", "利辛县", "城北", "城北中心小学"});
  ASSERT_THAT(record.status(), IsOk());
  EXPECT_EQ(record->grades(0).registry_count(), 63);
  EXPECT_EQ(record->mod_revision(), 2);
}

TEST_F(StoreTest, GradeOrderDoesNotMakeAChange) {
  v1::SubmitRequest request = School("城北", "s", {{1, 2}, {3, 4}});
  ASSERT_THAT(Commit({request}).status(), IsOk());
  std::swap(*request.mutable_grades(0), *request.mutable_grades(1));
  request.set_submission_id("reordered");
  auto again = Commit({request});
  ASSERT_THAT(again.status(), IsOk());
  EXPECT_EQ(again->rows[0].outcome, v1::UNCHANGED);
}

TEST_F(StoreTest, SubmissionIdIsIdempotent) {
  v1::SubmitRequest request = School("城北", "s", {{1, 2}}, "id-1");
  auto first = Commit({request});
  ASSERT_THAT(first.status(), IsOk());
  // Another school changes in between; the retry still answers revision 1.
  ASSERT_THAT(Commit({School("城北", "t", {{5, 5}})}).status(), IsOk());
  auto retry = Commit({request});
  ASSERT_THAT(retry.status(), IsOk());
  EXPECT_EQ(retry->revision, 0);
  EXPECT_EQ(retry->rows[0].outcome, v1::CREATED);
  EXPECT_EQ(retry->rows[0].revision, 1);
  EXPECT_EQ(store_->revision(), 2);

  v1::SubmitRequest conflicting = School("城北", "s", {{1, 3}}, "id-1");
  auto conflict = Commit({conflicting});
  ASSERT_THAT(conflict.status(), IsOk());
  ASSERT_THAT(conflict->rejected, SizeIs(1));
  EXPECT_EQ(conflict->rejected[0].code, absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(conflict->rejected[0].field, "submission_id");
  EXPECT_EQ(store_->revision(), 2);
}

TEST_F(StoreTest, BatchIsOneRevisionOrNothing) {
  auto batch =
      Commit({School("城北", "a", {{1, 1}}), School("城北", "b", {{2, 2}}),
              School("城关", "c", {{3, 3}})});
  ASSERT_THAT(batch.status(), IsOk());
  EXPECT_EQ(batch->revision, 1);
  auto log = store_->ReadLog(0, 10);
  ASSERT_THAT(log.status(), IsOk());
  ASSERT_THAT(*log, SizeIs(1));
  EXPECT_THAT((*log)[0].events(), SizeIs(3));

  // A school twice in one batch rejects the batch; nothing of it is stored.
  auto bad =
      Commit({School("城北", "d", {{1, 1}}), School("城北", "a", {{9, 9}}),
              School("城北", "a", {{8, 8}}, "other")});
  ASSERT_THAT(bad.status(), IsOk());
  ASSERT_THAT(bad->rejected, SizeIs(1));
  EXPECT_EQ(bad->rejected[0].index, 2);
  EXPECT_THAT(bad->rejected[0].reason, HasSubstr("rows 1 and 2"));
  EXPECT_EQ(store_->revision(), 1);
  EXPECT_EQ(
      store_->GetSchool({"2015-autumn", "利辛县", "城北", "d"}).status().code(),
      absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, DryRunStoresNothing) {
  auto dry = Commit({School("城北", "a", {{1, 1}})}, /*dry_run=*/true);
  ASSERT_THAT(dry.status(), IsOk());
  EXPECT_EQ(dry->rows[0].outcome, v1::CREATED);
  EXPECT_EQ(dry->revision, 0);
  EXPECT_EQ(store_->revision(), 0);
  // Nor does it burn the submission id.
  auto real = Commit({School("城北", "a", {{1, 1}})});
  ASSERT_THAT(real.status(), IsOk());
  EXPECT_EQ(real->revision, 1);
}

// Reads take the newest revision from a counter written with it; a store
// written before that counter existed answers from its log as before.
TEST_F(StoreTest, TheNewestRevisionWithoutItsCounterComesFromTheLog) {
  ASSERT_THAT(Commit({School("城北", "甲", {{5, 5}})}).status(), IsOk());
  ASSERT_THAT(Commit({School("城北", "乙", {{6, 6}})}).status(), IsOk());
  v1::ListSchoolsRequest list;
  auto listed = store_->ListSchools(list);
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_EQ(listed->revision(), 2);
  store_.reset();
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_.Sub("db"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), "Mnewest", &value).ok());
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), "Mnewest").ok());
  }
  Reopen();
  listed = store_->ListSchools(list);
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_EQ(listed->revision(), 2);
  EXPECT_THAT(listed->schools(), SizeIs(2));
  // The next commit writes the counter again.
  ASSERT_THAT(Commit({School("城北", "丙", {{7, 7}})}).status(), IsOk());
  listed = store_->ListSchools(list);
  ASSERT_THAT(listed.status(), IsOk());
  EXPECT_EQ(listed->revision(), 3);
}

TEST_F(StoreTest, ReopenKeepsDataAndRevisionsContinue) {
  ASSERT_THAT(Commit({School("城北", "a", {{1, 1}})}).status(), IsOk());
  ASSERT_THAT(Commit({School("城北", "b", {{1, 1}})}).status(), IsOk());
  Reopen();
  EXPECT_EQ(store_->revision(), 2);
  auto next = Commit({School("城北", "a", {{1, 2}})});
  ASSERT_THAT(next.status(), IsOk());
  EXPECT_EQ(next->revision, 3);
  auto log = store_->ReadLog(0, 100);
  ASSERT_THAT(log.status(), IsOk());
  ASSERT_THAT(*log, SizeIs(3));
  EXPECT_EQ((*log)[2].events(0).prev_school().grades(0).registry_count(), 1);
}

TEST_F(StoreTest, CompactionAnswersOutOfRange) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(
        Commit({School("城北", absl::StrCat("s", i), {{1, 1}})}).status(),
        IsOk());
  }
  auto oldest = store_->Compact(4);
  ASSERT_THAT(oldest.status(), IsOk());
  EXPECT_EQ(*oldest, 4);
  auto gone = store_->ReadLog(2, 10);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(gone.status().message()),
              HasSubstr("oldest revision kept is 4"));
  auto kept = store_->ReadLog(3, 10);
  ASSERT_THAT(kept.status(), IsOk());
  ASSERT_THAT(*kept, SizeIs(2));
  EXPECT_EQ((*kept)[0].revision(), 4);
  EXPECT_EQ(store_->Compact(6).status().code(),
            absl::StatusCode::kInvalidArgument);
  Reopen();
  EXPECT_EQ(store_->ReadLog(0, 10).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(store_->revision(), 5);
}

TEST_F(StoreTest, ListsByFilterInPages) {
  std::vector<v1::SubmitRequest> rows;
  for (int i = 0; i < 7; ++i) {
    rows.push_back(School("城北", absl::StrCat("北", i), {{1, 1}}));
  }
  rows.push_back(School("城北二", "x", {{1, 1}}));
  ASSERT_THAT(Commit(rows).status(), IsOk());

  v1::ListSchoolsRequest request;
  request.set_term("2015-autumn");
  request.set_county("利辛县");
  request.set_district("城北");
  request.set_page_size(3);
  std::vector<std::string> seen;
  for (int page = 0; page < 10; ++page) {
    auto response = store_->ListSchools(request);
    ASSERT_THAT(response.status(), IsOk());
    EXPECT_EQ(response->revision(), 1);
    for (const auto& s : response->schools()) seen.push_back(s.school());
    if (response->next_page_token().empty()) break;
    request.set_page_token(response->next_page_token());
  }
  EXPECT_THAT(seen,
              ElementsAre("北0", "北1", "北2", "北3", "北4", "北5", "北6"));

  request.set_district("城北二");
  EXPECT_EQ(store_->ListSchools(request).status().code(),
            absl::StatusCode::kInvalidArgument);
  v1::ListSchoolsRequest all;
  auto everything = store_->ListSchools(all);
  ASSERT_THAT(everything.status(), IsOk());
  EXPECT_THAT(everything->schools(), SizeIs(8));
}

v1::RetractRequest RetractOf(const std::string& district,
                             const std::string& school, std::vector<int> grades,
                             const std::string& id) {
  v1::RetractRequest request;
  request.set_submission_id(id);
  request.set_term("2015-autumn");
  request.set_county("利辛县");
  request.set_district(district);
  request.set_school(school);
  for (int grade : grades) request.add_grades(grade);
  return request;
}

// A retracted school is gone from reads at once, and a listing that began
// before the retraction still shows it on its later pages, as it stood.
TEST_F(StoreTest, ARetractedSchoolIsGoneButListingsBeforeItKeepIt) {
  std::vector<v1::SubmitRequest> rows;
  for (int i = 0; i < 4; ++i) {
    rows.push_back(School("城北", absl::StrCat("北", i), {{1, 1}, {2, 2}}));
  }
  ASSERT_THAT(Commit(rows).status(), IsOk());  // revision 1
  v1::ListSchoolsRequest request;
  request.set_page_size(2);
  auto first = store_->ListSchools(request);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_THAT(first->schools(), SizeIs(2));

  std::vector<storage::Change> removal(1);
  *removal[0].mutable_retract() = RetractOf("城北", "北3", {}, "r3");
  absl::StatusOr<CommitResult> removed =
      headcount::testing::CommitNow(*store_, removal);
  ASSERT_THAT(removed.status(), IsOk());
  EXPECT_EQ(removed->revision, 2);
  EXPECT_TRUE(removed->rows.at(0).school_removed);
  EXPECT_EQ(store_->GetSchool({"2015-autumn", "利辛县", "城北", "北3"})
                .status()
                .code(),
            absl::StatusCode::kNotFound);

  // The listing of revision 1 goes on: 北3 as it was.
  request.set_page_token(first->next_page_token());
  auto second = store_->ListSchools(request);
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(second->revision(), 1);
  ASSERT_THAT(second->schools(), SizeIs(2));
  EXPECT_EQ(second->schools(1).school(), "北3");
  EXPECT_THAT(second->schools(1).grades(), SizeIs(2));
  // A new listing does not show it.
  auto now = store_->ListSchools(v1::ListSchoolsRequest());
  ASSERT_THAT(now.status(), IsOk());
  EXPECT_EQ(now->revision(), 2);
  EXPECT_THAT(now->schools(), SizeIs(3));

  // The log holds the DELETE with the record before it.
  auto log = store_->ReadLog(1, 10);
  ASSERT_THAT(log.status(), IsOk());
  ASSERT_THAT(*log, SizeIs(1));
  const v1::Event& event = (*log)[0].events(0);
  EXPECT_EQ(event.type(), v1::Event::DELETE);
  EXPECT_EQ(event.school().school(), "北3");
  EXPECT_THAT(event.prev_school().grades(), SizeIs(2));

  // Submitted again after the listing began: a later page of an old
  // listing still shows the school as it was at the listing's revision.
  ASSERT_THAT(Commit({School("城北", "北3", {{9, 9}})}).status(), IsOk());
  auto again = store_->ListSchools(request);
  ASSERT_THAT(again.status(), IsOk());
  ASSERT_THAT(again->schools(), SizeIs(2));
  EXPECT_EQ(again->schools(1).grades(0).onsite_count(), 1);
  EXPECT_EQ(store_->GetSchool({"2015-autumn", "利辛县", "城北", "北3"})
                ->version(),
            1);
}

absl::Status Retract(SubmissionStore& store, const std::string& school,
                     const std::string& id) {
  std::vector<storage::Change> removal(1);
  *removal[0].mutable_retract() = RetractOf("城北", school, {}, id);
  return headcount::testing::CommitNow(store, removal).status();
}

// The events of `log` about `school`, oldest first.
std::vector<v1::Event> EventsOf(const std::vector<storage::RevisionEntry>& log,
                                const std::string& school) {
  std::vector<v1::Event> events;
  for (const storage::RevisionEntry& entry : log) {
    for (const v1::Event& event : entry.events()) {
      if (event.school().school() == school) events.push_back(event);
    }
  }
  return events;
}

// Compact(R) forgets the tombstones of schools retracted below R: a school
// submitted again then starts over with no record before it. A tombstone
// of revision R or above stays, and a listing of revision R - 1 (the oldest
// that Compact(R) leaves servable) still shows that school as it stood.
TEST_F(StoreTest, CompactForgetsTombstonesRetractedBelowIt) {
  ASSERT_THAT(Commit({School("城北", "北0", {{1, 1}}),
                      School("城北", "北1", {{1, 1}}),
                      School("城北", "北2", {{2, 2}})})
                  .status(),
              IsOk());                                    // revision 1
  ASSERT_THAT(Retract(*store_, "北0", "r0"), IsOk());     // revision 2
  v1::ListSchoolsRequest request;
  request.set_page_size(1);
  auto first = store_->ListSchools(request);  // of revision 2
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_THAT(first->schools(), SizeIs(1));
  EXPECT_EQ(first->schools(0).school(), "北1");
  ASSERT_THAT(Retract(*store_, "北2", "r2"), IsOk());     // revision 3
  ASSERT_THAT(Commit({School("城北", "北9", {{9, 9}})}).status(),
              IsOk());                                    // revision 4

  auto oldest = store_->Compact(3);
  ASSERT_THAT(oldest.status(), IsOk());
  EXPECT_EQ(*oldest, 3);
  // The listing of revision 2 goes on: 北2 as it stood then (its tombstone,
  // of revision 3, was kept); 北9 came later.
  request.set_page_token(first->next_page_token());
  auto second = store_->ListSchools(request);
  ASSERT_THAT(second.status(), IsOk());
  ASSERT_THAT(second->schools(), SizeIs(1));
  EXPECT_EQ(second->schools(0).school(), "北2");
  EXPECT_EQ(second->schools(0).grades(0).onsite_count(), 2);

  Reopen();  // what Compact deleted stays deleted
  ASSERT_THAT(Commit({School("城北", "北0", {{5, 5}}, "again0"),
                      School("城北", "北2", {{5, 5}}, "again2")})
                  .status(),
              IsOk());  // revision 5
  auto log = store_->ReadLog(4, 10);
  ASSERT_THAT(log.status(), IsOk());
  std::vector<v1::Event> zero = EventsOf(*log, "北0");
  ASSERT_THAT(zero, SizeIs(1));
  EXPECT_FALSE(zero[0].has_prev_school()) << "北0's tombstone (revision 2) "
                                             "outlived Compact(3)";
  EXPECT_EQ(zero[0].school().version(), 1);
  std::vector<v1::Event> two = EventsOf(*log, "北2");
  ASSERT_THAT(two, SizeIs(1));
  ASSERT_TRUE(two[0].has_prev_school()) << "北2's tombstone (revision 3) was "
                                           "deleted by Compact(3)";
  EXPECT_TRUE(IsRemoved(two[0].prev_school()));
  EXPECT_EQ(two[0].school().version(), 1);
}

// A school submitted again while Compact looks for tombstones keeps its new
// record, and one submitted and retracted again keeps its new tombstone
// (of a revision Compact does not reach).
TEST_F(StoreTest, CompactLeavesTombstonesReplacedWhileItScans) {
  ASSERT_THAT(Commit({School("城北", "北0", {{1, 1}}),
                      School("城北", "北1", {{1, 1}})})
                  .status(),
              IsOk());                                    // revision 1
  ASSERT_THAT(Retract(*store_, "北0", "r0"), IsOk());     // revision 2
  ASSERT_THAT(Retract(*store_, "北1", "r1"), IsOk());     // revision 3
  int ran = 0;
  Reopen([&] {
    ++ran;
    EXPECT_THAT(Commit({School("城北", "北0", {{7, 7}}, "back0"),
                        School("城北", "北1", {{7, 7}}, "back1")})
                    .status(),
                IsOk());                                  // revision 4
    EXPECT_THAT(Retract(*store_, "北1", "r1-again"), IsOk());  // revision 5
  });
  auto oldest = store_->Compact(3);
  ASSERT_THAT(oldest.status(), IsOk());
  EXPECT_EQ(ran, 1);
  auto zero = store_->GetSchool({"2015-autumn", "利辛县", "城北", "北0"});
  ASSERT_THAT(zero.status(), IsOk()) << "Compact deleted a school submitted "
                                        "again during its scan";
  EXPECT_EQ(zero->grades(0).onsite_count(), 7);

  ASSERT_THAT(Commit({School("城北", "北1", {{8, 8}}, "back1-again")}).status(),
              IsOk());  // revision 6
  auto log = store_->ReadLog(5, 10);
  ASSERT_THAT(log.status(), IsOk());
  std::vector<v1::Event> one = EventsOf(*log, "北1");
  ASSERT_THAT(one, SizeIs(1));
  ASSERT_TRUE(one[0].has_prev_school())
      << "Compact(3) deleted 北1's tombstone of revision 5";
  EXPECT_EQ(one[0].prev_school().mod_revision(), 5);
}

TEST_F(StoreTest, ConcurrentCommitsGetDistinctContiguousRevisions) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 20;
  std::vector<std::thread> threads;
  absl::Mutex mu;
  std::set<int64_t> revisions;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto result = headcount::testing::CommitNow(
            *store_, {School("城北", absl::StrCat("t", t, "-", i), {{1, 1}})});
        ASSERT_THAT(result.status(), IsOk());
        MutexLock lock(&mu);
        EXPECT_TRUE(revisions.insert(result->revision).second);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(revisions.size(), kThreads * kPerThread);
  EXPECT_EQ(*revisions.begin(), 1);
  EXPECT_EQ(*revisions.rbegin(), kThreads * kPerThread);
}

// The copy names and reports its own revision, not the store's: a commit
// that lands after the checkpoint is in the store and not in the copy.
TEST(StoreBackupTest, TheCopyIsAtItsOwnRevision) {
  headcount::testing::TempDir dir;
  RocksDbSubmissionStore* live = nullptr;
  RocksDbSubmissionStore::Options options;
  options.data_dir = dir.Sub("db");
  options.backup_dir = dir.Sub("backups");
  options.after_checkpoint = [&live] {
    ASSERT_THAT(headcount::testing::CommitNow(
                    *live, {School("城北", "late", {{1, 1}})})
                    .status(),
                IsOk());
  };
  auto store = RocksDbSubmissionStore::Open(options);
  ASSERT_THAT(store.status(), IsOk());
  live = store->get();
  ASSERT_THAT(headcount::testing::CommitNow(
                  *live, {School("城北", "early", {{1, 1}})})
                  .status(),
              IsOk());
  auto backup = live->Backup();
  ASSERT_THAT(backup.status(), IsOk());
  EXPECT_EQ(live->revision(), 2);
  EXPECT_EQ(backup->revision(), 1);
  EXPECT_THAT(backup->path(), HasSubstr("-rev1-"));
  EXPECT_GT(backup->bytes(), 0);

  RocksDbSubmissionStore::Options copy_options;
  copy_options.data_dir = backup->path();
  auto copy = RocksDbSubmissionStore::Open(copy_options);
  ASSERT_THAT(copy.status(), IsOk());
  EXPECT_EQ((*copy)->revision(), 1);
  EXPECT_EQ((*copy)->history_id(), live->history_id());
  EXPECT_THAT(
      (*copy)->GetSchool({"2015-autumn", "利辛县", "城北", "early"}).status(),
      IsOk());
  EXPECT_EQ(
      (*copy)->GetSchool({"2015-autumn", "利辛县", "城北", "late"}).status().code(),
      absl::StatusCode::kNotFound);
}

TEST(StoreBackupTest, WithoutABackupDirectoryItSaysHowToGetOne) {
  headcount::testing::TempDir dir;
  RocksDbSubmissionStore::Options options;
  options.data_dir = dir.Sub("db");
  auto store = RocksDbSubmissionStore::Open(options);
  ASSERT_THAT(store.status(), IsOk());
  auto backup = (*store)->Backup();
  EXPECT_EQ(backup.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(backup.status().message(), HasSubstr("--backup_dir=DIR"));
}

}  // namespace
}  // namespace headcount::ingest
