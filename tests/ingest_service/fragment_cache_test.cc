// The Watch fragments: cut by events and bytes, serialized once and shared
// between watchers, header_revision added per message, evicted by bytes.
#include "ingest_service/fragment_cache.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/support/proto_buffer_reader.h"
#include "gtest/gtest.h"
#include "ingest_service/rocksdb_submission_store.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::ingest {
namespace {

using ::headcount::testing::IsOk;
using ::headcount::testing::School;

v1::WatchResponse Parse(grpc::ByteBuffer buffer) {
  grpc::ProtoBufferReader reader(&buffer);
  v1::WatchResponse message;
  EXPECT_TRUE(message.ParseFromZeroCopyStream(&reader));
  return message;
}

class FragmentCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RocksDbSubmissionStore::Options options;
    options.data_dir = dir_.Sub("db");
    auto store = RocksDbSubmissionStore::Open(options);
    ASSERT_THAT(store.status(), IsOk());
    store_ = *std::move(store);
  }

  // Commits one revision of `schools` schools, each with a name of
  // `name_bytes` bytes.
  void CommitSchools(int schools, size_t name_bytes, int round = 0) {
    std::vector<v1::SubmitRequest> rows;
    for (int i = 0; i < schools; ++i) {
      std::string name = absl::StrCat("s", i, "-");
      name.resize(std::max(name.size(), name_bytes), 'x');
      rows.push_back(School("城北", name, {{1, 1 + round}}));
    }
    ASSERT_THAT(headcount::testing::CommitNow(*store_, rows).status(), IsOk());
  }

  headcount::testing::TempDir dir_;
  std::unique_ptr<RocksDbSubmissionStore> store_;
};

TEST_F(FragmentCacheTest, CutsByEventsAndByBytesAndKeepsEveryEvent) {
  CommitSchools(kMaxEventsPerMessage * 2 + 3, 8);   // revision 1: by count
  CommitSchools(40, 4000);                          // revision 2: by bytes
  FragmentCache cache;
  for (int64_t revision : {1, 2}) {
    auto serialized = cache.Get(*store_, revision);
    ASSERT_THAT(serialized.status(), IsOk());
    const auto& fragments = (*serialized)->fragments;
    ASSERT_GE(fragments.size(), 3u);
    int events = 0;
    for (size_t i = 0; i < fragments.size(); ++i) {
      v1::WatchResponse message =
          Parse(FragmentCache::Message(**serialized, i, 7));
      EXPECT_EQ(message.revision(), revision);
      EXPECT_EQ(message.header_revision(), 7);
      EXPECT_EQ(message.history_id(), store_->history_id());
      EXPECT_EQ(message.fragment(), i + 1 < fragments.size());
      EXPECT_LE(message.events_size(), kMaxEventsPerMessage);
      // Within the byte budget but for its last event.
      size_t before_last = 0;
      for (int e = 0; e + 1 < message.events_size(); ++e) {
        before_last += message.events(e).ByteSizeLong();
      }
      EXPECT_LT(before_last, kFragmentBytes);
      events += message.events_size();
    }
    EXPECT_EQ(events, revision == 1 ? kMaxEventsPerMessage * 2 + 3 : 40);
  }
}

TEST_F(FragmentCacheTest, WatchersShareOneSerialization) {
  CommitSchools(10, 8);
  FragmentCache cache;
  auto first = cache.Get(*store_, 1);
  auto second = cache.Get(*store_, 1);
  ASSERT_THAT(first.status(), IsOk());
  ASSERT_THAT(second.status(), IsOk());
  EXPECT_EQ(first->get(), second->get());
  // Two watchers' messages point at the same bytes, not copies.
  std::vector<grpc::Slice> a, b;
  ASSERT_TRUE(FragmentCache::Message(**first, 0, 1).Dump(&a).ok());
  ASSERT_TRUE(FragmentCache::Message(**second, 0, 2).Dump(&b).ok());
  EXPECT_EQ(a[0].begin(), b[0].begin());
  EXPECT_NE(Parse(FragmentCache::Message(**first, 0, 1)).header_revision(),
            Parse(FragmentCache::Message(**first, 0, 2)).header_revision());
}

TEST_F(FragmentCacheTest, EvictsTheLeastRecentlyUsedBeyondItsBudget) {
  for (int round = 0; round < 4; ++round) CommitSchools(100, 100, round);
  FragmentCache one_revision(1);  // never below the revision just made
  for (int64_t revision = 1; revision <= 4; ++revision) {
    auto serialized = one_revision.Get(*store_, revision);
    ASSERT_THAT(serialized.status(), IsOk());
    EXPECT_EQ(one_revision.bytes(), (*serialized)->bytes);
  }
  FragmentCache roomy;
  size_t total = 0;
  for (int64_t revision = 1; revision <= 4; ++revision) {
    total += (*roomy.Get(*store_, revision))->bytes;
  }
  EXPECT_EQ(roomy.bytes(), total);
  // Compacted away: the store's OUT_OF_RANGE.
  ASSERT_THAT(store_->Compact(3).status(), IsOk());
  FragmentCache cold;
  EXPECT_EQ(cold.Get(*store_, 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace headcount::ingest
