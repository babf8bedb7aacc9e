#include "common/server/attached_store.h"

#include <atomic>
#include <thread>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount {
namespace {

struct FakeStore {
  int revision = 7;
};

TEST(AttachedStoreTest, BorrowSeesWhatIsAttached) {
  AttachedStore<FakeStore> attached;
  EXPECT_FALSE(attached.Borrow());
  FakeStore store;
  attached.Attach(&store);
  {
    auto borrowed = attached.Borrow();
    ASSERT_TRUE(borrowed);
    EXPECT_EQ(borrowed->revision, 7);
  }
  attached.Attach(nullptr);
  EXPECT_FALSE(attached.Borrow());
}

TEST(AttachedStoreTest, DetachWaitsForTheLastBorrower) {
  AttachedStore<FakeStore> attached;
  FakeStore store;
  attached.Attach(&store);
  testing::Latch borrowed, release;
  std::atomic<bool> detached{false};
  std::thread handler([&] {
    auto lease = attached.Borrow();
    borrowed.Notify();
    release.Wait();
    // Still attached while this borrow lasts.
    EXPECT_FALSE(detached.load());
    EXPECT_EQ(lease->revision, 7);
  });
  borrowed.Wait();
  std::thread shutdown([&] {
    attached.Attach(nullptr);
    detached = true;
  });
  // Give the detach time to (wrongly) go through while the borrow lasts.
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_FALSE(detached.load());
  release.Notify();
  handler.join();
  shutdown.join();
  EXPECT_TRUE(detached.load());
  EXPECT_FALSE(attached.Borrow());
}

}  // namespace
}  // namespace headcount
