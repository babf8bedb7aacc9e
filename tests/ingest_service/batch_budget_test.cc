// The shared budget of batches in progress: newer batches are refused past
// it, the oldest always goes on, and what a batch took comes back.
#include "ingest_service/batch_budget.h"

#include "gtest/gtest.h"

namespace headcount::ingest {
namespace {

TEST(BatchBudgetTest, TheOldestBatchAlwaysGoesOnAndNewerOnesWait) {
  BatchBudget budget(100);
  const uint64_t first = budget.Begin();
  const uint64_t second = budget.Begin();
  const uint64_t third = budget.Begin();
  EXPECT_TRUE(budget.TryTake(second, 60));
  EXPECT_TRUE(budget.TryTake(third, 40));
  EXPECT_FALSE(budget.TryTake(third, 1));   // full, and not the oldest
  EXPECT_TRUE(budget.TryTake(first, 500));  // the oldest: never refused
  EXPECT_EQ(budget.used(), 600u);
  budget.End(first, 500);
  // `second` is the oldest now.
  EXPECT_TRUE(budget.TryTake(second, 10));
  EXPECT_FALSE(budget.TryTake(third, 1));
  budget.End(second, 70);
  EXPECT_EQ(budget.used(), 40u);
  EXPECT_TRUE(budget.TryTake(third, 60));
  budget.End(third, 100);
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace headcount::ingest
