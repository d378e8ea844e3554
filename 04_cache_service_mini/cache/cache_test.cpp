// Core behaviour of Cache: values, flags, CAS, TTLs, the byte budget, handles, stats.
#include "04_cache_service_mini/cache/cache.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

#include "core/base/clock.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;

CacheOptions OneShard(std::size_t max_bytes, PolicyKind kind = PolicyKind::kLru) {
  CacheOptions options;
  options.max_bytes = max_bytes;
  options.shards = 1;
  options.policy.kind = kind;
  return options;
}

std::string Get(Cache& cache, std::string_view key) {
  ItemHandle h = cache.Get(key);
  return h ? std::string(h.value()) : std::string("<miss>");
}

TEST(CacheTest, ReturnsStoredValueAndFlags) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  ASSERT_EQ(cache.Store(StoreMode::kSet, "k", "hello", 42, Expiry::Never()), StoreStatus::kStored);
  ItemHandle h = cache.Get("k");
  ASSERT_TRUE(h);
  EXPECT_EQ(h.key(), "k");
  EXPECT_EQ(h.value(), "hello");
  EXPECT_EQ(h.flags(), 42u);
  EXPECT_GT(h.cas(), 0u);
}

TEST(CacheTest, MissesUnknownKeyAndCountsIt) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  EXPECT_FALSE(cache.Get("nope"));
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.get_misses, 1u);
  EXPECT_EQ(stats.get_hits, 0u);
  EXPECT_EQ(stats.cmd_get(), 1u);
}

TEST(CacheTest, StoresEmptyValue) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  ASSERT_EQ(cache.Store(StoreMode::kSet, "k", "", 0, Expiry::Never()), StoreStatus::kStored);
  EXPECT_EQ(Get(cache, "k"), "");
}

TEST(CacheTest, OverwriteAssignsNewCasUnique) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  cache.Store(StoreMode::kSet, "k", "a", 0, Expiry::Never());
  const std::uint64_t first = cache.Get("k").cas();
  cache.Store(StoreMode::kSet, "k", "b", 0, Expiry::Never());
  ItemHandle h = cache.Get("k");
  EXPECT_EQ(h.value(), "b");
  EXPECT_GT(h.cas(), first);
  EXPECT_EQ(cache.Stats().curr_items, 1u);
}

TEST(CacheTest, ItemExpiresWhenItsTtlPasses) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  cache.Store(StoreMode::kSet, "k", "v", 0, Expiry::After(10s));
  clock.Advance(9s);
  EXPECT_EQ(Get(cache, "k"), "v");
  clock.Advance(1s);
  EXPECT_EQ(Get(cache, "k"), "<miss>");
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.get_expired, 1u);
  EXPECT_EQ(stats.curr_items, 0u) << "lazy expiry removes the item it finds dead";
}

TEST(CacheTest, DefaultExpiryUsesTheConfiguredDefaultTtl) {
  core::FakeClock clock;
  CacheOptions options;
  options.default_ttl = 5s;
  Cache cache(options, clock);
  cache.Store(StoreMode::kSet, "default", "v", 0, Expiry::Default());
  cache.Store(StoreMode::kSet, "never", "v", 0, Expiry::Never());
  clock.Advance(5s);
  EXPECT_EQ(Get(cache, "default"), "<miss>");
  EXPECT_EQ(Get(cache, "never"), "v");
}

TEST(CacheTest, DefaultExpiryWithoutDefaultTtlNeverExpires) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  cache.Store(StoreMode::kSet, "k", "v", 0, Expiry::Default());
  clock.Advance(24h * 365);
  EXPECT_EQ(Get(cache, "k"), "v");
}

TEST(CacheTest, AlreadyExpiredItemIsStoredButNeverServed) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  cache.Store(StoreMode::kSet, "k", "old", 0, Expiry::Never());
  EXPECT_EQ(cache.Store(StoreMode::kSet, "k", "new", 0, Expiry::After(-1s)), StoreStatus::kStored);
  EXPECT_EQ(Get(cache, "k"), "<miss>");
}

TEST(CacheTest, EvictsToStayWithinTheByteBudget) {
  core::FakeClock clock;
  const std::size_t charge = ItemCharge(2, 10);
  Cache cache(OneShard(charge * 3), clock);
  for (std::string key : {"k1", "k2", "k3", "k4"}) {
    cache.Store(StoreMode::kSet, key, std::string(10, 'x'), 0, Expiry::Never());
  }
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.curr_items, 3u);
  EXPECT_EQ(stats.bytes, charge * 3);
  EXPECT_EQ(stats.evictions, 1u);
  EXPECT_EQ(stats.evicted_unfetched, 1u);
  EXPECT_EQ(Get(cache, "k1"), "<miss>") << "LRU evicts the oldest";
}

TEST(CacheTest, BigItemEvictsAsManySmallItemsAsItNeeds) {
  core::FakeClock clock;
  const std::size_t small = ItemCharge(2, 10);
  Cache cache(OneShard(small * 4), clock);
  for (std::string key : {"k1", "k2", "k3", "k4"}) {
    cache.Store(StoreMode::kSet, key, std::string(10, 'x'), 0, Expiry::Never());
  }
  // Needs the room of ~2.5 small items.
  const std::size_t big_value = small * 2 + small / 2 - kItemOverheadBytes - 2;
  ASSERT_EQ(cache.Store(StoreMode::kSet, "bg", std::string(big_value, 'y'), 0, Expiry::Never()),
            StoreStatus::kStored);
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.evictions, 3u);
  EXPECT_EQ(stats.curr_items, 2u);
  EXPECT_LE(stats.bytes, small * 4);
  EXPECT_EQ(Get(cache, "k4"), std::string(10, 'x'));
}

TEST(CacheTest, ValueOverTheItemLimitIsTooLargeAndDropsTheOldValueOnSet) {
  core::FakeClock clock;
  CacheOptions options;
  options.max_value_bytes = 100;
  Cache cache(options, clock);
  cache.Store(StoreMode::kSet, "k", "old", 0, Expiry::Never());
  EXPECT_EQ(cache.Store(StoreMode::kSet, "k", std::string(101, 'x'), 0, Expiry::Never()),
            StoreStatus::kTooLarge);
  EXPECT_EQ(Get(cache, "k"), "<miss>")
      << "memcached never leaves the stale value after a failed set";
  EXPECT_EQ(cache.Stats().store_too_large, 1u);
}

TEST(CacheTest, FailedAddKeepsTheOldValue) {
  core::FakeClock clock;
  CacheOptions options;
  options.max_value_bytes = 100;
  Cache cache(options, clock);
  cache.Store(StoreMode::kSet, "k", "old", 0, Expiry::Never());
  EXPECT_EQ(cache.Store(StoreMode::kReplace, "k", std::string(101, 'x'), 0, Expiry::Never()),
            StoreStatus::kTooLarge);
  EXPECT_EQ(Get(cache, "k"), "old");
}

TEST(CacheTest, ItemBiggerThanAShardIsOutOfMemory) {
  core::FakeClock clock;
  Cache cache(OneShard(1000), clock);
  EXPECT_EQ(cache.Store(StoreMode::kSet, "k", std::string(1000, 'x'), 0, Expiry::Never()),
            StoreStatus::kNoMemory);
  EXPECT_EQ(cache.Stats().store_no_memory, 1u);
}

TEST(CacheTest, InvalidKeysAreNeverStored) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  EXPECT_EQ(cache.Store(StoreMode::kSet, "", "v", 0, Expiry::Never()), StoreStatus::kNotStored);
  EXPECT_EQ(cache.Store(StoreMode::kSet, "a b", "v", 0, Expiry::Never()), StoreStatus::kNotStored);
  EXPECT_EQ(cache.Store(StoreMode::kSet, std::string(251, 'k'), "v", 0, Expiry::Never()),
            StoreStatus::kNotStored);
  EXPECT_EQ(cache.Store(StoreMode::kSet, std::string(250, 'k'), "v", 0, Expiry::Never()),
            StoreStatus::kStored);
}

TEST(CacheTest, HandleKeepsValueReadableAfterDelete) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  cache.Store(StoreMode::kSet, "k", "still here", 0, Expiry::Never());
  ItemHandle h = cache.Get("k");
  ASSERT_TRUE(cache.Delete("k"));
  EXPECT_EQ(h.value(), "still here");
}

TEST(CacheTest, HandleMayOutliveTheCache) {
  core::FakeClock clock;
  ItemHandle h;
  {
    Cache cache(CacheOptions{}, clock);
    cache.Store(StoreMode::kSet, "k", "survivor", 0, Expiry::Never());
    h = cache.Get("k");
  }
  EXPECT_EQ(h.value(), "survivor");
}

TEST(CacheTest, TwoStepStoreWritesIntoTheAllocatedItem) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  Allocation a = cache.Allocate(StoreMode::kSet, "k", 7, 3);
  ASSERT_EQ(a.status, StoreStatus::kStored);
  std::memcpy(a.item.mutable_value(), "abc", 3);
  EXPECT_EQ(cache.Store(StoreMode::kSet, std::move(a.item), Expiry::Never()), StoreStatus::kStored);
  EXPECT_EQ(Get(cache, "k"), "abc");
  EXPECT_EQ(cache.Stats().bytes, 0u + ItemCharge(1, 3));
}

TEST(CacheTest, DroppedAllocationChargesNothing) {
  core::FakeClock clock;
  Cache cache(CacheOptions{}, clock);
  { Allocation a = cache.Allocate(StoreMode::kSet, "k", 0, 1000); }
  EXPECT_EQ(cache.Stats().bytes, 0u);
  EXPECT_EQ(Get(cache, "k"), "<miss>");
}

TEST(CacheTest, StatsReportBudgetPolicyAndTotals) {
  core::FakeClock clock;
  CacheOptions options;
  options.max_bytes = 1 << 20;
  options.shards = 4;
  options.policy.kind = PolicyKind::kSieve;
  Cache cache(options, clock);
  cache.Store(StoreMode::kSet, "a", "1", 0, Expiry::Never());
  cache.Store(StoreMode::kSet, "b", "22", 0, Expiry::Never());
  cache.Get("a");
  const CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.limit_maxbytes, 1u << 20);
  EXPECT_EQ(stats.policy, "sieve");
  EXPECT_EQ(stats.total_items, 2u);
  EXPECT_EQ(stats.curr_items, 2u);
  EXPECT_EQ(stats.bytes, ItemCharge(1, 1) + ItemCharge(1, 2));
  EXPECT_EQ(stats.get_hits, 1u);
  EXPECT_EQ(stats.cmd_set, 2u);
}

TEST(CacheTest, RejectsZeroShards) {
  core::FakeClock clock;
  CacheOptions options;
  options.shards = 0;
  EXPECT_THROW(Cache(options, clock), std::invalid_argument);
}

}  // namespace
}  // namespace cache
