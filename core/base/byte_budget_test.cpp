#include "core/base/byte_budget.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace core {
namespace {

constexpr std::size_t kKiB = 1024;

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
  ByteBudget budget(64 * kKiB);
  {
    ByteBudget::Lease lease(&budget);
    EXPECT_TRUE(lease.Cover(1));
    EXPECT_EQ(budget.used(), 16 * kKiB);
    EXPECT_TRUE(lease.Cover(16 * kKiB));  // within the granule: no new acquisition
    EXPECT_EQ(budget.used(), 16 * kKiB);
    EXPECT_TRUE(lease.Cover(40 * kKiB));
    EXPECT_EQ(budget.used(), 48 * kKiB);
    EXPECT_FALSE(lease.Cover(70 * kKiB));
    EXPECT_EQ(lease.held(), 48 * kKiB);  // what it had, it keeps
    ByteBudget::Lease moved = std::move(lease);
    EXPECT_EQ(moved.held(), 48 * kKiB);
    EXPECT_EQ(budget.used(), 48 * kKiB);
  }
  EXPECT_EQ(budget.used(), 0u);
}

TEST(ByteBudgetTest, NeverExceedsItsLimitUnderContention) {
  ByteBudget budget(10'000);
  std::vector<std::thread> threads;
  threads.reserve(4);
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
