#include "common/storage/rocksdb_reader.h"

#include <string>
#include <vector>

#include "common/domain/school_key.h"
#include "common/storage/durable_db.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "headcount/storage/storage.pb.h"
#include "rocksdb/snapshot.h"
#include "tests/test_util.h"

namespace headcount {
namespace {

using ::headcount::testing::IsOk;
using ::headcount::testing::TempDir;
using ::testing::ElementsAre;

std::string Totals(int64_t onsite, int64_t registry) {
  storage::Totals totals;
  totals.set_onsite_count(onsite);
  totals.set_registry_count(registry);
  return totals.SerializeAsString();
}

TEST(FromRocksDbTest, CodesMapToAbsl) {
  EXPECT_TRUE(FromRocksDb(rocksdb::Status::OK(), "x").ok());
  EXPECT_EQ(
      FromRocksDb(rocksdb::Status::Corruption("bad block"), "read").code(),
      absl::StatusCode::kDataLoss);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::IOError("disk"), "write").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(FromRocksDb(rocksdb::Status::NotFound(), "get").code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(
      std::string(
          FromRocksDb(rocksdb::Status::IOError("disk"), "write").message()),
      ::testing::HasSubstr("write: IO error: disk"));
}

class RocksDbReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenDurableDb(dir_.path(), nullptr);
    ASSERT_THAT(db.status(), IsOk());
    db_ = *std::move(db);
  }
  void Put(const std::string& key, const std::string& value) {
    ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), key, value).ok());
  }

  TempDir dir_;
  std::unique_ptr<rocksdb::DB> db_;
};

TEST_F(RocksDbReaderTest, TypedGetsAndCounters) {
  Put("a", Totals(1, 2));
  Put("n", EncodeCounter(42));
  Put("bad", "\xff\xff");
  RocksDbReader reader(db_.get());
  auto totals = reader.GetProto<storage::Totals>("a");
  ASSERT_THAT(totals.status(), IsOk());
  ASSERT_TRUE(totals->has_value());
  EXPECT_EQ((*totals)->registry_count(), 2);
  EXPECT_FALSE(reader.GetProto<storage::Totals>("missing")->has_value());
  EXPECT_EQ(reader.GetProto<storage::Totals>("bad").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(*reader.GetCounter("n"), 42);
  EXPECT_EQ(*reader.GetCounter("missing"), 0);
  EXPECT_EQ(reader.GetCounter("a").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST_F(RocksDbReaderTest, ReadsThroughABatchsOwnWrites) {
  Put("a", Totals(1, 1));
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
  ASSERT_TRUE(batch.Put("a", Totals(5, 5)).ok());
  ASSERT_TRUE(batch.Put("b", Totals(7, 7)).ok());
  ASSERT_TRUE(batch.Put("a", Totals(6, 6)).ok());  // the newest wins
  RocksDbReader through(db_.get(), rocksdb::ReadOptions(), &batch);
  EXPECT_EQ((*through.GetProto<storage::Totals>("a"))->onsite_count(), 6);
  EXPECT_EQ((*through.GetProto<storage::Totals>("b"))->onsite_count(), 7);
  RocksDbReader plain(db_.get());
  EXPECT_EQ((*plain.GetProto<storage::Totals>("a"))->onsite_count(), 1);
  EXPECT_FALSE(plain.GetProto<storage::Totals>("b")->has_value());
}

TEST_F(RocksDbReaderTest, InKeyOrderWritesEachKeyOnceWithItsNewestValue) {
  Put("c", "stale");
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, true);
  ASSERT_TRUE(batch.Put("m", "1").ok());
  ASSERT_TRUE(batch.Put("b", "2").ok());
  ASSERT_TRUE(batch.Delete("c").ok());
  ASSERT_TRUE(batch.Put("m", "3").ok());  // overwrites the first "m"
  ASSERT_TRUE(batch.Delete("x").ok());
  ASSERT_TRUE(batch.Put("x", "4").ok());  // a put after a delete
  absl::StatusOr<rocksdb::WriteBatch> sorted = InKeyOrder(batch);
  ASSERT_THAT(sorted.status(), IsOk());
  EXPECT_EQ(sorted->Count(), 4u);
  // The plain batch lists b, c, m, x in that order.
  struct Lister : rocksdb::WriteBatch::Handler {
    void Put(const rocksdb::Slice& key, const rocksdb::Slice& value) override {
      seen.push_back(key.ToString() + "=" + value.ToString());
    }
    void Delete(const rocksdb::Slice& key) override {
      seen.push_back(key.ToString() + " deleted");
    }
    std::vector<std::string> seen;
  } lister;
  ASSERT_TRUE(sorted->Iterate(&lister).ok());
  EXPECT_THAT(lister.seen, ::testing::ElementsAre("b=2", "c deleted", "m=3",
                                                  "x=4"));
  ASSERT_TRUE(db_->Write(rocksdb::WriteOptions(), &*sorted).ok());
  RocksDbReader reader(db_.get());
  EXPECT_FALSE(reader.Get("c")->has_value());
  EXPECT_EQ(**reader.Get("m"), "3");
}

TEST_F(RocksDbReaderTest, ScansAPrefixFromAStartAtASnapshot) {
  Put("p1", Totals(1, 0));
  Put("p2", Totals(2, 0));
  Put("p3", Totals(3, 0));
  Put("q1", Totals(9, 0));
  rocksdb::ManagedSnapshot snapshot(db_.get());
  Put("p4", Totals(4, 0));  // after the snapshot: not seen
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.snapshot();
  std::vector<std::string> keys;
  auto collect = [&](absl::string_view key, storage::Totals&) {
    keys.emplace_back(key);
    return true;
  };
  ASSERT_THAT(
      RocksDbReader(db_.get(), read).Scan<storage::Totals>("p", "", collect),
      IsOk());
  EXPECT_THAT(keys, ElementsAre("p1", "p2", "p3"));
  keys.clear();
  ASSERT_THAT(
      RocksDbReader(db_.get()).Scan<storage::Totals>("p", "p2", collect),
      IsOk());
  EXPECT_THAT(keys, ElementsAre("p2", "p3", "p4"));
  keys.clear();
  ASSERT_THAT(RocksDbReader(db_.get()).Scan<storage::Totals>(
                  "p", "",
                  [&](absl::string_view key, storage::Totals&) {
                    keys.emplace_back(key);
                    return keys.size() < 2;  // stop after two
                  }),
              IsOk());
  EXPECT_THAT(keys, ElementsAre("p1", "p2"));
  Put("p5", "\xff\xff");
  EXPECT_EQ(
      RocksDbReader(db_.get()).Scan<storage::Totals>("p", "", collect).code(),
      absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace headcount
