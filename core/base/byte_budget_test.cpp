#include "core/base/byte_budget.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace core {
namespace {

TEST(ByteBudgetTest, RefusesWhatDoesNotFitAndCountsIt) {
  ByteBudget budget(100);
  EXPECT_TRUE(budget.TryAcquire(60));
  EXPECT_FALSE(budget.TryAcquire(41));
  EXPECT_TRUE(budget.TryAcquire(40));
  EXPECT_EQ(budget.used(), 100u);
  EXPECT_EQ(budget.refusals(), 1u);
  budget.Release(100);
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_FALSE(budget.TryAcquire(101));
  EXPECT_FALSE(budget.TryAcquire(SIZE_MAX));  // no wrap-around
}

TEST(ByteBudgetTest, ZeroMeansUnlimited) {
  ByteBudget budget(0);
  EXPECT_TRUE(budget.TryAcquire(std::size_t{1} << 40));
}

TEST(ByteBudgetTest, LeasesGrowInGranulesAndGiveBackOnDestruction) {
  ByteBudget budget(64 * 1024);
  {
    ByteBudget::Lease lease(&budget);
    EXPECT_TRUE(lease.Cover(1));
    EXPECT_EQ(budget.used(), 16u * 1024);
    EXPECT_TRUE(lease.Cover(16 * 1024));  // within the granule: no new acquisition
    EXPECT_EQ(budget.used(), 16u * 1024);
    EXPECT_TRUE(lease.Cover(40 * 1024));
    EXPECT_EQ(budget.used(), 48u * 1024);
    EXPECT_FALSE(lease.Cover(70 * 1024));
    EXPECT_EQ(lease.held(), 48u * 1024);  // what it had, it keeps
    ByteBudget::Lease moved = std::move(lease);
    EXPECT_EQ(moved.held(), 48u * 1024);
    EXPECT_EQ(budget.used(), 48u * 1024);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(ByteBudgetTest, NeverExceedsItsLimitUnderContention) {
  ByteBudget budget(10 * 1000);
  std::vector<std::thread> threads;
  std::atomic<bool> over{false};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        if (budget.TryAcquire(1000)) {
          if (budget.used() > budget.limit()) over = true;
          budget.Release(1000);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(over.load());
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace core
