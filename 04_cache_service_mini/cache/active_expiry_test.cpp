// Cache::ExpireSome: Redis-style sampling of items with a TTL, bounded per call.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;

CacheOptions Options(std::size_t shards) {
  CacheOptions options;
  options.shards = shards;
  options.max_bytes = std::size_t{64} << 20;
  return options;
}

void Fill(Cache& cache, const std::string& prefix, int n, Expiry expiry) {
  for (int i = 0; i < n; ++i) {
    cache.Store(StoreMode::kSet, prefix + std::to_string(i), "v", 0, expiry);
  }
}

TEST(ActiveExpiryTest, RemovesExpiredItemsNobodyReads) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "short", 100, Expiry::After(1s));
  clock.Advance(1s);
  const ExpireReport report = cache.ExpireSome();
  EXPECT_EQ(report.expired, 100u);
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.curr_items, 0u);
  EXPECT_EQ(stats.bytes, 0u);
  EXPECT_EQ(stats.expired_active, 100u);
  EXPECT_EQ(stats.expired_unfetched, 100u);
}

TEST(ActiveExpiryTest, LeavesLiveItemsAndItemsWithoutTtlAlone) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "forever", 50, Expiry::Never());
  Fill(cache, "long", 50, Expiry::After(1h));
  clock.Advance(1s);
  const ExpireReport report = cache.ExpireSome();
  EXPECT_EQ(report.expired, 0u);
  EXPECT_EQ(cache.Stats().curr_items, 100u);
}

TEST(ActiveExpiryTest, SamplesOnlyItemsThatHaveATtl) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "forever", 1000, Expiry::Never());
  Fill(cache, "short", 5, Expiry::After(1s));
  clock.Advance(1s);
  const ExpireReport report = cache.ExpireSome();
  EXPECT_EQ(report.sampled, 5u) << "the 1000 items without TTL cost nothing";
  EXPECT_EQ(report.expired, 5u);
}

TEST(ActiveExpiryTest, StopsAtTheSampleBudget) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "short", 1000, Expiry::After(1s));
  clock.Advance(1s);
  ExpireBudget budget;
  budget.samples_per_round = 20;
  budget.max_samples = 100;
  const ExpireReport report = cache.ExpireSome(budget);
  EXPECT_EQ(report.sampled, 100u);
  EXPECT_EQ(report.rounds, 5u);
  EXPECT_TRUE(report.budget_exhausted);
  EXPECT_EQ(cache.Stats().curr_items, 1000u - report.expired);
}

TEST(ActiveExpiryTest, RepeatsWhileTheExpiredShareIsHigh) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "short", 1000, Expiry::After(1s));
  clock.Advance(1s);
  ExpireBudget budget;
  budget.max_samples = 1'000'000;
  // Everything is expired, so every round is above 10% and the shard is drained in one call.
  const ExpireReport report = cache.ExpireSome(budget);
  EXPECT_EQ(report.expired, 1000u);
  EXPECT_FALSE(report.budget_exhausted);
}

TEST(ActiveExpiryTest, StopsRepeatingWhenFewSampledItemsAreExpired) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "long", 1000, Expiry::After(1h));
  Fill(cache, "short", 10, Expiry::After(1s));
  clock.Advance(1s);
  ExpireBudget budget;
  budget.max_samples = 1'000'000;
  const ExpireReport report = cache.ExpireSome(budget);
  // ~1% of the TTL'd items are expired: a round of 20 rarely finds more than 2 (10%), so the call
  // stops after a few rounds instead of scanning 1010 items.
  EXPECT_LT(report.sampled, 200u);
  EXPECT_FALSE(report.budget_exhausted);
}

TEST(ActiveExpiryTest, VisitsEveryShard) {
  core::FakeClock clock;
  Cache cache(Options(8), clock);
  Fill(cache, "short", 80, Expiry::After(1s));
  clock.Advance(1s);
  ExpireBudget budget;
  budget.max_samples = 1'000'000;
  EXPECT_EQ(cache.ExpireSome(budget).expired, 80u);
  EXPECT_EQ(cache.Stats().curr_items, 0u);
}

TEST(ActiveExpiryTest, ResumesAtTheShardWhereTheBudgetRanOut) {
  core::FakeClock clock;
  Cache cache(Options(4), clock);
  Fill(cache, "short", 400, Expiry::After(1s));
  clock.Advance(1s);
  ExpireBudget budget;
  budget.samples_per_round = 10;
  budget.max_samples = 50;
  std::size_t expired = 0;
  for (int call = 0; call < 100 && cache.Stats().curr_items > 0; ++call) {
    expired += cache.ExpireSome(budget).expired;
  }
  EXPECT_EQ(expired, 400u) << "repeated bounded calls eventually drain every shard";
}

TEST(ActiveExpiryTest, AlsoReclaimsFlushedItemsWithATtl) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "long", 10, Expiry::After(1h));
  cache.FlushAll();
  const ExpireReport report = cache.ExpireSome();
  EXPECT_EQ(report.expired, 10u);
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.curr_items, 0u);
  EXPECT_EQ(stats.reclaimed, 10u);
  EXPECT_EQ(stats.expired_active, 0u);
}

TEST(ActiveExpiryTest, TouchMovesItemsInAndOutOfTheSample) {
  core::FakeClock clock;
  Cache cache(Options(1), clock);
  Fill(cache, "k", 3, Expiry::Never());
  cache.Touch("k0", Expiry::After(1s));
  cache.Store(StoreMode::kSet, "k1", "v", 0, Expiry::After(1s));
  cache.Touch("k1", Expiry::Never());
  clock.Advance(1s);
  const ExpireReport report = cache.ExpireSome();
  EXPECT_EQ(report.sampled, 1u);
  EXPECT_EQ(report.expired, 1u);
  EXPECT_FALSE(cache.Get("k0"));
  EXPECT_TRUE(cache.Get("k1"));
}

}  // namespace
}  // namespace cache
