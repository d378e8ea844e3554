// Values still being received are charged against the byte budget (issue 10, item 8): a client
// that announces a 1 MB value and stops before its last byte used to hold 1 MB outside the budget,
// so 500 of them held 500 MB of an 8 MiB cache.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"

namespace cache {
namespace {

constexpr std::size_t kBudget = std::size_t{8} << 20;
constexpr std::size_t kValue = 1'000'000;

CacheOptions Budget(std::size_t max_bytes, std::size_t shards = 1) {
  CacheOptions options;
  options.max_bytes = max_bytes;
  options.shards = shards;
  return options;
}

std::string Key(int i) { return "key:" + std::to_string(i); }

TEST(InFlightTest, FiveHundredPendingMegabyteValuesStayWithinAnEightMebibyteBudget) {
  core::FakeClock clock;
  Cache cache(Budget(kBudget), clock);
  std::vector<PendingItem> pending;
  int refused = 0;
  for (int i = 0; i < 500; ++i) {
    Allocation a = cache.Allocate(StoreMode::kSet, Key(i), 0, kValue);
    if (a.status == StoreStatus::kStored) {
      pending.push_back(std::move(a.item));
    } else {
      EXPECT_EQ(a.status, StoreStatus::kNoMemory);  // memcached: SERVER_ERROR out of memory...
      ++refused;
    }
    const CacheStats stats = cache.Stats();
    ASSERT_LE(stats.bytes + stats.bytes_in_flight, stats.limit_maxbytes) << i;
  }
  const std::size_t charge = ItemCharge(Key(0).size(), kValue);
  EXPECT_EQ(pending.size(), kBudget / charge);  // 8: as many as the budget holds, no more
  EXPECT_EQ(refused, 500 - static_cast<int>(pending.size()));
  EXPECT_EQ(cache.Stats().store_no_memory, static_cast<std::uint64_t>(refused));
  EXPECT_GE(cache.Stats().bytes_in_flight, pending.size() * ItemCharge(4, kValue));
  pending.clear();  // the clients go away mid-value
  EXPECT_EQ(cache.Stats().bytes_in_flight, 0u);
  EXPECT_EQ(cache.Stats().bytes, 0u);
}

TEST(InFlightTest, ReservingEvictsStoredItemsToMakeRoom) {
  core::FakeClock clock;
  Cache cache(Budget(kBudget), clock);
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(cache.Store(StoreMode::kSet, Key(i), std::string(100'000, 'v'), 0, Expiry::Never()),
              StoreStatus::kStored);
  }
  const std::uint64_t evictions_before = cache.Stats().evictions;
  Allocation a = cache.Allocate(StoreMode::kSet, "big", 0, kValue);
  ASSERT_EQ(a.status, StoreStatus::kStored);
  const CacheStats stats = cache.Stats();
  EXPECT_GT(stats.evictions, evictions_before);  // room was made when the header arrived
  EXPECT_LE(stats.bytes + stats.bytes_in_flight, stats.limit_maxbytes);
  EXPECT_EQ(stats.bytes_in_flight, ItemCharge(3, kValue));
}

TEST(InFlightTest, StoringMovesTheChargeFromInFlightToStored) {
  core::FakeClock clock;
  Cache cache(Budget(kBudget), clock);
  Allocation a = cache.Allocate(StoreMode::kSet, "k", 0, 3);
  ASSERT_EQ(a.status, StoreStatus::kStored);
  EXPECT_EQ(cache.Stats().bytes_in_flight, ItemCharge(1, 3));
  EXPECT_EQ(cache.Stats().bytes, 0u);
  std::memcpy(a.item.mutable_value(), "abc", 3);
  ASSERT_EQ(cache.Store(StoreMode::kSet, std::move(a.item), Expiry::Never()), StoreStatus::kStored);
  EXPECT_EQ(cache.Stats().bytes_in_flight, 0u);
  EXPECT_EQ(cache.Stats().bytes, ItemCharge(1, 3));
}

TEST(InFlightTest, AFailedConditionalStoreStillReturnsItsReservation) {
  core::FakeClock clock;
  Cache cache(Budget(kBudget), clock);
  for (StoreMode mode : {StoreMode::kReplace, StoreMode::kAppend, StoreMode::kCas}) {
    Allocation a = cache.Allocate(mode, "missing", 0, 10);
    ASSERT_EQ(a.status, StoreStatus::kStored);
    EXPECT_NE(cache.Store(mode, std::move(a.item), Expiry::Never(), 1), StoreStatus::kStored);
    EXPECT_EQ(cache.Stats().bytes_in_flight, 0u);
  }
}

TEST(InFlightTest, AppendReservesTheAddedBytesAndStoresTheWhole) {
  core::FakeClock clock;
  Cache cache(Budget(kBudget), clock);
  cache.Store(StoreMode::kSet, "k", "abc", 0, Expiry::Never());
  Allocation a = cache.Allocate(StoreMode::kAppend, "k", 0, 2);
  ASSERT_EQ(a.status, StoreStatus::kStored);
  EXPECT_EQ(cache.Stats().bytes_in_flight, ItemCharge(1, 2));
  std::memcpy(a.item.mutable_value(), "de", 2);
  ASSERT_EQ(cache.Store(StoreMode::kAppend, std::move(a.item), Expiry::Never()),
            StoreStatus::kStored);
  EXPECT_EQ(cache.Stats().bytes_in_flight, 0u);
  EXPECT_EQ(cache.Stats().bytes, ItemCharge(1, 5));
}

TEST(InFlightTest, AStoreThatCannotFitBesideValuesInFlightFailsAndDropsTheOldValue) {
  core::FakeClock clock;
  Cache cache(Budget(1 << 20), clock);
  ASSERT_EQ(cache.Store(StoreMode::kSet, "old", "v", 0, Expiry::Never()), StoreStatus::kStored);
  // A value in flight takes all but 1,000 bytes of the budget (evicting "old" to make room).
  const std::size_t almost_all = (std::size_t{1} << 20) - 1000 - ItemCharge(4, 0);
  Allocation a = cache.Allocate(StoreMode::kSet, "hold", 0, almost_all);
  ASSERT_EQ(a.status, StoreStatus::kStored);
  ASSERT_EQ(cache.Store(StoreMode::kSet, "old", "v", 0, Expiry::Never()), StoreStatus::kStored);
  // 2,000 bytes do not fit beside it: refused, nothing evicted for nothing, and the failed set
  // does not leave the old value readable (memcached's rule).
  const std::uint64_t evictions = cache.Stats().evictions;
  EXPECT_EQ(cache.Store(StoreMode::kSet, "old", std::string(2000, 'x'), 0, Expiry::Never()),
            StoreStatus::kNoMemory);
  EXPECT_FALSE(cache.Get("old"));
  EXPECT_EQ(cache.Stats().evictions, evictions);
  // A second big value cannot be reserved at all while the first is in flight.
  EXPECT_EQ(cache.Allocate(StoreMode::kSet, "other", 0, 10'000).status, StoreStatus::kNoMemory);
  a.item = PendingItem();  // the first client gives up
  EXPECT_EQ(cache.Allocate(StoreMode::kSet, "other", 0, 10'000).status, StoreStatus::kStored);
}

TEST(InFlightTest, ReservationsAreChargedToTheKeysShard) {
  core::FakeClock clock;
  Cache cache(Budget(kBudget, 16), clock);  // 512 KiB per shard
  std::vector<PendingItem> pending;
  for (int i = 0; i < 200; ++i) {
    Allocation a = cache.Allocate(StoreMode::kSet, Key(i), 0, 200'000);
    if (a.status == StoreStatus::kStored) pending.push_back(std::move(a.item));
  }
  // Two 200 KB values fit in a 512 KiB shard, a third does not: at most 32 in flight.
  EXPECT_LE(pending.size(), 32u);
  EXPECT_GE(pending.size(), 16u);
  const CacheStats stats = cache.Stats();
  EXPECT_LE(stats.bytes + stats.bytes_in_flight, stats.limit_maxbytes);
}

}  // namespace
}  // namespace cache
