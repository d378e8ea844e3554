// ShardedLruMap as a unit: lookups, LRU order and eviction, the two ways of forgetting entries
// (oldest-while and a full sweep), the shard arithmetic, and keys as arbitrary bytes.
#include "core/base/sharded_lru_map.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace core {
namespace {

constexpr SipKey kFixedKey{0x0123456789abcdefULL, 0xfedcba9876543210ULL};

// One shard, so LRU order is the whole map's order.
ShardedLruMap<int> OneShard(std::size_t capacity) {
  return ShardedLruMap<int>({.capacity = capacity, .shards = 1, .hash_key = kFixedKey});
}

void Put(ShardedLruMap<int>& map, std::string_view key, int value) {
  auto slot = map.Lock(key);
  if (int* known = slot.value()) {
    *known = value;
    slot.Touch();
  } else {
    slot.Insert(value);
  }
}

std::optional<int> Get(ShardedLruMap<int>& map, std::string_view key) {
  auto slot = map.Lock(key);
  if (int* known = slot.value()) return *known;
  return std::nullopt;
}

// "k<i>", appended: g++ 12 raises a false -Wrestrict on `"k" + std::to_string(i)`.
std::string Key(int i) {
  std::string key = "k";
  key += std::to_string(i);
  return key;
}

bool Use(ShardedLruMap<int>& map, std::string_view key) {
  auto slot = map.Lock(key);
  if (slot.value() == nullptr) return false;
  slot.Touch();
  return true;
}

TEST(ShardedLruMapTest, FindsWhatWasInsertedAndNothingElse) {
  ShardedLruMap<int> map({.capacity = 100, .shards = 4, .hash_key = std::nullopt});
  EXPECT_EQ(Get(map, "a"), std::nullopt);
  Put(map, "a", 1);
  Put(map, "b", 2);
  EXPECT_EQ(Get(map, "a"), 1);
  EXPECT_EQ(Get(map, "b"), 2);
  EXPECT_EQ(Get(map, "c"), std::nullopt);
  EXPECT_EQ(map.size(), 2u);
}

TEST(ShardedLruMapTest, InsertReturnsTheStoredValueAndTheHandleSeesIt) {
  auto map = OneShard(4);
  auto slot = map.Lock("k");
  int& stored = slot.Insert(7);
  EXPECT_EQ(stored, 7);
  ASSERT_NE(slot.value(), nullptr);
  EXPECT_EQ(slot.value(), &stored);
}

TEST(ShardedLruMapTest, AFullShardEvictsItsLeastRecentlyUsedEntry) {
  auto map = OneShard(3);
  Put(map, "a", 1);
  Put(map, "b", 2);
  Put(map, "c", 3);
  Put(map, "d", 4);  // a is the oldest
  EXPECT_EQ(Get(map, "a"), std::nullopt);
  EXPECT_EQ(Get(map, "b"), 2);
  EXPECT_EQ(map.size(), 3u);
  EXPECT_EQ(map.evictions(), 1u);
}

TEST(ShardedLruMapTest, TouchProtectsAnEntryFromEviction) {
  auto map = OneShard(3);
  Put(map, "a", 1);
  Put(map, "b", 2);
  Put(map, "c", 3);
  ASSERT_TRUE(Use(map, "a"));  // now b is the oldest
  Put(map, "d", 4);
  EXPECT_EQ(Get(map, "a"), 1);
  EXPECT_EQ(Get(map, "b"), std::nullopt);
}

TEST(ShardedLruMapTest, LookingWithoutTouchIsNotAUse) {
  auto map = OneShard(2);
  Put(map, "a", 1);
  Put(map, "b", 2);
  EXPECT_EQ(Get(map, "a"), 1);  // a stays the oldest
  Put(map, "c", 3);
  EXPECT_EQ(Get(map, "a"), std::nullopt);
  EXPECT_EQ(Get(map, "b"), 2);
}

TEST(ShardedLruMapTest, ReplacingAValueKeepsOneEntry) {
  auto map = OneShard(4);
  Put(map, "k", 1);
  Put(map, "k", 2);
  EXPECT_EQ(Get(map, "k"), 2);
  EXPECT_EQ(map.size(), 1u);
}

TEST(ShardedLruMapTest, EraseRemovesTheKey) {
  auto map = OneShard(4);
  Put(map, "a", 1);
  Put(map, "b", 2);
  {
    auto slot = map.Lock("a");
    ASSERT_NE(slot.value(), nullptr);
    slot.Erase();
    EXPECT_EQ(slot.value(), nullptr);
  }
  EXPECT_EQ(Get(map, "a"), std::nullopt);
  EXPECT_EQ(Get(map, "b"), 2);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(map.evictions(), 0u);
}

TEST(ShardedLruMapTest, EraseOldestWhileStopsAtTheFirstEntryToKeep) {
  auto map = OneShard(10);
  Put(map, "old-1", -1);
  Put(map, "old-2", -2);
  Put(map, "live", 5);
  Put(map, "old-3", -3);  // behind a live entry: not reached
  auto slot = map.Lock("new");
  EXPECT_EQ(slot.EraseOldestWhile([](int v) { return v < 0; }, 10), 2u);
  slot.Insert(6);
  EXPECT_EQ(map.size(), 3u);
  EXPECT_EQ(map.evictions(), 0u);
}

TEST(ShardedLruMapTest, EraseOldestWhileRespectsItsLimit) {
  auto map = OneShard(10);
  for (int i = 0; i < 5; ++i) Put(map, Key(100 + i), -1);
  auto slot = map.Lock("new");
  EXPECT_EQ(slot.EraseOldestWhile([](int v) { return v < 0; }, 2), 2u);
  EXPECT_EQ(map.size(), 3u);
}

TEST(ShardedLruMapTest, EraseOldestWhileMayRemoveTheKeyItself) {
  auto map = OneShard(10);
  Put(map, "k", -1);
  auto slot = map.Lock("k");
  ASSERT_NE(slot.value(), nullptr);
  EXPECT_EQ(slot.EraseOldestWhile([](int v) { return v < 0; }, 1), 1u);
  EXPECT_EQ(slot.value(), nullptr);  // so Insert is allowed again
  slot.Insert(1);
  EXPECT_EQ(map.size(), 1u);
}

TEST(ShardedLruMapTest, EraseIfSweepsEveryShard) {
  ShardedLruMap<int> map({.capacity = 1000, .shards = 8, .hash_key = kFixedKey});
  for (int i = 0; i < 200; ++i) Put(map, Key(i), i);
  EXPECT_EQ(map.EraseIf([](int v) { return v % 2 == 0; }), 100u);
  EXPECT_EQ(map.size(), 100u);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(Get(map, Key(i)).has_value(), i % 2 == 1) << i;
  }
}

TEST(ShardedLruMapTest, ShardCountIsClampedToTheCapacity) {
  ShardedLruMap<int> map({.capacity = 10, .shards = 64, .hash_key = std::nullopt});
  EXPECT_EQ(map.shard_count(), 10u);
  EXPECT_EQ(map.capacity(), 10u);
  ShardedLruMap<int> zero({.capacity = 0, .shards = 0, .hash_key = std::nullopt});
  EXPECT_EQ(zero.shard_count(), 1u);
  EXPECT_EQ(zero.capacity(), 1u);
}

TEST(ShardedLruMapTest, CapacityNeverExceedsWhatWasAskedFor) {
  ShardedLruMap<int> map({.capacity = 1000, .shards = 64, .hash_key = kFixedKey});
  EXPECT_EQ(map.capacity(), 960u);  // 15 per shard
  for (int i = 0; i < 10'000; ++i) {
    Put(map, Key(i), i);
    ASSERT_LE(map.size(), map.capacity());
  }
  EXPECT_EQ(map.size(), map.capacity()) << "every shard should have filled up";
  EXPECT_EQ(map.evictions(), 10'000u - map.capacity());
}

TEST(ShardedLruMapTest, KeysAreBytes) {
  auto map = OneShard(10);
  const std::string with_nul("a\0b", 3);
  Put(map, with_nul, 1);
  Put(map, "a", 2);
  Put(map, std::string(70'000, 'x'), 3);
  EXPECT_EQ(Get(map, with_nul), 1);
  EXPECT_EQ(Get(map, "a"), 2);
  EXPECT_EQ(Get(map, std::string("a\0c", 3)), std::nullopt);
  EXPECT_EQ(Get(map, std::string(70'000, 'x')), 3);
  EXPECT_EQ(Get(map, std::string(69'999, 'x')), std::nullopt);
}

TEST(ShardedLruMapTest, ValuesMayBeMoveOnlyAndAreDestroyed) {
  // Under ASan a leaked or double-freed value fails the run.
  ShardedLruMap<std::unique_ptr<std::string>> map(
      {.capacity = 2, .shards = 1, .hash_key = std::nullopt});
  for (const char* k : {"a", "b", "c"}) {
    auto slot = map.Lock(k);
    slot.Insert(std::make_unique<std::string>(k));
  }
  {
    auto slot = map.Lock("c");
    ASSERT_NE(slot.value(), nullptr);
    EXPECT_EQ(**slot.value(), "c");
    slot.Erase();
  }
  EXPECT_EQ(map.EraseIf([](const std::unique_ptr<std::string>& s) { return *s == "b"; }), 1u);
  EXPECT_EQ(map.size(), 0u);
}

}  // namespace
}  // namespace core
