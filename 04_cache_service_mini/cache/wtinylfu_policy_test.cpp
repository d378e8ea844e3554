// W-TinyLFU driven directly (through a minimal stand-in for the shard's evict-then-link loop), then
// through the Cache for deletes, expiry and concurrent use.
#include "04_cache_service_mini/cache/wtinylfu_policy.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;
using Q = WTinyLfuPolicy::Queue;

// "prefix" + std::to_string(i) trips g++ 12's -Wrestrict false positive (GCC bug 105329).
std::string Key(std::string_view prefix, int i) {
  std::string key(prefix);
  key.append(std::to_string(i));
  return key;
}

constexpr std::size_t kValueBytes = 10;
// Every test key is two characters, so every small item costs the same.
constexpr std::size_t kCharge = ItemCharge(2, kValueBytes);

// Plays the shard's part: evicts until the newcomer fits, then links it; owns every item.
class FakeShard {
 public:
  explicit FakeShard(std::size_t items, WTinyLfuOptions options = {})
      : capacity_(items * kCharge), policy_(capacity_, options) {}
  ~FakeShard() {
    for (Item* item : owned_) Unref(item);
  }

  Item* Insert(const std::string& key, std::size_t value_bytes = kValueBytes) {
    Item* item = NewItem(key, value_bytes, 0);
    owned_.push_back(item);
    MakeRoom(ItemCharge(*item), 0);
    policy_.OnInsert(item, HashKey(item->key()));
    bytes_ += ItemCharge(*item);
    return item;
  }
  Item* Replace(Item* old_item, std::size_t value_bytes) {
    Item* item = NewItem(old_item->key(), value_bytes, 0);
    owned_.push_back(item);
    MakeRoom(ItemCharge(*item), ItemCharge(*old_item));
    policy_.OnReplace(old_item, item);
    bytes_ = bytes_ - ItemCharge(*old_item) + ItemCharge(*item);
    return item;
  }
  void Remove(Item* item) {
    policy_.OnRemove(item);
    bytes_ -= ItemCharge(*item);
  }
  void Hit(Item* item, int times = 1) {
    for (int i = 0; i < times; ++i) policy_.OnHit(item);
  }
  // Victims in eviction order since the last call.
  std::vector<std::string> TakeEvicted() { return std::exchange(evicted_, {}); }
  std::uint64_t Counter(std::string_view name) const {
    std::vector<std::pair<std::string, std::uint64_t>> counters;
    policy_.AppendCounters(counters);
    for (const auto& [n, v] : counters) {
      if (n == name) return v;
    }
    ADD_FAILURE() << "no counter " << name;
    return 0;
  }

  WTinyLfuPolicy& policy() { return policy_; }
  std::size_t bytes() const { return bytes_; }
  std::size_t capacity() const { return capacity_; }

 private:
  void MakeRoom(std::size_t charge, std::size_t replaced_charge) {
    while (bytes_ - replaced_charge + charge > capacity_) {
      Item* victim = policy_.Evict();
      ASSERT_NE(victim, nullptr);
      evicted_.emplace_back(victim->key());
      bytes_ -= ItemCharge(*victim);
    }
  }

  const std::size_t capacity_;
  WTinyLfuPolicy policy_;
  std::size_t bytes_ = 0;
  std::vector<Item*> owned_;
  std::vector<std::string> evicted_;
};

std::size_t PolicyBytes(WTinyLfuPolicy& p) {
  return p.window_bytes() + p.probation_bytes() + p.protected_bytes();
}

TEST(WTinyLfuPolicyTest, ParsesNamesAndBuildsIt) {
  EXPECT_EQ(ParsePolicy("wtinylfu"), PolicyKind::kWTinyLfu);
  EXPECT_EQ(NameOf(PolicyKind::kWTinyLfu), "wtinylfu");
  PolicyOptions options;
  options.kind = PolicyKind::kWTinyLfu;
  auto policy = MakePolicy(options, 1000);
  EXPECT_EQ(policy->Name(), "wtinylfu");
  EXPECT_FALSE(policy->ConcurrentHits()) << "SLRU hits relink lists";
}

TEST(WTinyLfuPolicyTest, SizesItsSegmentsFromThePublishedDefaults) {
  WTinyLfuPolicy policy(100'000);
  EXPECT_EQ(policy.window_target(), 1'000u);
  EXPECT_EQ(policy.protected_target(), 79'200u);  // 80% of the 99,000 main bytes
}

TEST(WTinyLfuPolicyTest, NewItemsEnterTheWindowAndOverflowToProbation) {
  FakeShard shard(10);  // a 1% window is smaller than one item: it keeps just the newest
  Item* a = shard.Insert("k0");
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kWindow);
  Item* b = shard.Insert("k1");
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(b), Q::kWindow);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kProbation) << "moved without a duel: there was room";
  EXPECT_EQ(shard.policy().window_count(), 1u);
  EXPECT_TRUE(shard.TakeEvicted().empty());
}

TEST(WTinyLfuPolicyTest, WindowIsAnLruAndItsTailOverflowsFirst) {
  FakeShard shard(10, {.window_ratio = 0.3});  // window of three items
  Item* a = shard.Insert("k0");
  Item* b = shard.Insert("k1");
  Item* c = shard.Insert("k2");
  shard.Hit(a);  // k1 is now the window's LRU item
  shard.Insert("k3");
  EXPECT_EQ(shard.policy().window_count(), 3u);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(b), Q::kProbation);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kWindow);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(c), Q::kWindow);
}

TEST(WTinyLfuPolicyTest, AdmissionRejectsAOneHitScanItemAgainstAFrequentVictim) {
  FakeShard shard(10);
  std::vector<Item*> hot;
  hot.reserve(10);
  for (int i = 0; i < 10; ++i) hot.push_back(shard.Insert(Key("k", i)));
  for (Item* item : hot) shard.Hit(item, 3);
  shard.Insert("s0");  // pushes k9 out of the window; k9 and the victim are equally hot
  shard.TakeEvicted();
  const std::uint64_t rejections = shard.Counter("wtinylfu_rejections");
  shard.Insert("s1");  // s0 (seen once) is the candidate now
  EXPECT_EQ(shard.TakeEvicted(), std::vector<std::string>{"s0"});
  EXPECT_EQ(shard.Counter("wtinylfu_rejections"), rejections + 1);
}

TEST(WTinyLfuPolicyTest, AdmitsACandidateMoreFrequentThanTheVictim) {
  FakeShard shard(10);
  for (int i = 0; i < 10; ++i) shard.Insert(Key("k", i));
  Item* x = shard.Insert("x0");  // x0 now sits in the window
  shard.TakeEvicted();
  shard.Hit(x, 3);
  shard.Insert("y0");
  const std::vector<std::string> evicted = shard.TakeEvicted();
  ASSERT_EQ(evicted.size(), 1u);
  EXPECT_NE(evicted[0], "x0");
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(x), Q::kProbation);
  EXPECT_GE(shard.Counter("wtinylfu_admissions"), 1u);
}

TEST(WTinyLfuPolicyTest, HitInProbationPromotesToProtected) {
  FakeShard shard(10);
  Item* a = shard.Insert("k0");
  shard.Insert("k1");
  ASSERT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kProbation);
  shard.Hit(a);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kProtected);
  EXPECT_EQ(shard.policy().protected_bytes(), kCharge);
  EXPECT_EQ(shard.Counter("wtinylfu_promotions"), 1u);
}

TEST(WTinyLfuPolicyTest, HitInTheWindowKeepsItThere) {
  FakeShard shard(10);
  Item* a = shard.Insert("k0");
  shard.Hit(a, 5);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kWindow);
}

TEST(WTinyLfuPolicyTest, ProtectedOverflowDemotesItsLruItemToProbationHead) {
  FakeShard shard(10);  // protected holds 7 items (80% of 990 of 1,000 bytes)
  std::vector<Item*> items;
  items.reserve(10);
  for (int i = 0; i < 10; ++i) items.push_back(shard.Insert(Key("k", i)));
  // k0..k8 are in probation (k9 in the window). Promote eight of them.
  for (int i = 0; i < 8; ++i) shard.Hit(items[i]);
  EXPECT_EQ(shard.policy().protected_count(), 7u);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(items[0]), Q::kProbation) << "the protected LRU item";
  EXPECT_EQ(shard.Counter("wtinylfu_demotions"), 1u);
  // Demoted to probation's head: k8, never hit, is the next victim, not k0. (k9, hit in the
  // window, wins its duel against k8.)
  shard.Hit(items[9], 3);
  shard.Insert("s0");
  EXPECT_EQ(shard.TakeEvicted(), std::vector<std::string>{"k8"});
}

TEST(WTinyLfuPolicyTest, HitInProtectedMakesItTheLastToBeDemoted) {
  FakeShard shard(10);
  std::vector<Item*> items;
  items.reserve(10);
  for (int i = 0; i < 10; ++i) items.push_back(shard.Insert(Key("k", i)));
  for (int i = 0; i < 7; ++i) shard.Hit(items[i]);
  shard.Hit(items[0]);  // protected's MRU now
  shard.Hit(items[7]);  // overflow: k1 is demoted instead of k0
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(items[0]), Q::kProtected);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(items[1]), Q::kProbation);
}

TEST(WTinyLfuPolicyTest, EvictsUntilABigItemFits) {
  FakeShard shard(10);
  for (int i = 0; i < 10; ++i) shard.Insert(Key("k", i));
  Item* big = shard.Insert("bg", kValueBytes + 2 * kCharge);  // costs three small items
  EXPECT_EQ(shard.TakeEvicted().size(), 3u);
  EXPECT_EQ(shard.bytes(), shard.capacity());
  EXPECT_EQ(PolicyBytes(shard.policy()), shard.bytes());
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(big), Q::kWindow) << "alone over the window's share";
  shard.Insert("s0");
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(big), Q::kProbation);
  EXPECT_EQ(PolicyBytes(shard.policy()), shard.bytes());
}

TEST(WTinyLfuPolicyTest, ReplaceCountsAsAnAccessAndKeepsByteAccounting) {
  FakeShard shard(10);
  Item* a = shard.Insert("k0");
  shard.Insert("k1");
  ASSERT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kProbation);
  Item* a2 = shard.Replace(a, kValueBytes + 50);
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(a2), Q::kProtected) << "a write promotes like a hit";
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(a), Q::kNone);
  EXPECT_EQ(shard.policy().protected_bytes(), kCharge + 50);
  EXPECT_EQ(PolicyBytes(shard.policy()), shard.bytes());
}

TEST(WTinyLfuPolicyTest, RemovedItemsAreNeverVictims) {
  FakeShard shard(10);
  std::vector<Item*> items;
  items.reserve(10);
  for (int i = 0; i < 10; ++i) items.push_back(shard.Insert(Key("k", i)));
  shard.Remove(items[0]);  // the probation tail
  shard.Remove(items[9]);  // the window's only item
  EXPECT_EQ(WTinyLfuPolicy::QueueOf(items[0]), Q::kNone);
  EXPECT_EQ(PolicyBytes(shard.policy()), 8 * kCharge);
  shard.Insert("s0");
  shard.Insert("s1");
  shard.Insert("s2");  // the first insert that needs room
  EXPECT_EQ(shard.TakeEvicted().size(), 1u);
  while (Item* victim = shard.policy().Evict()) {
    EXPECT_NE(victim, items[0]);
    EXPECT_NE(victim, items[9]);
  }
  EXPECT_EQ(PolicyBytes(shard.policy()), 0u);
}

TEST(WTinyLfuPolicyTest, EmptyPolicyHasNoVictim) {
  WTinyLfuPolicy policy(1000);
  EXPECT_EQ(policy.Evict(), nullptr);
}

// --- Through the Cache: the shard's own hooks for deletes, expiry and concurrency. ---

CacheOptions WTinyLfuCache(std::size_t items) {
  CacheOptions options;
  options.shards = 1;
  options.max_bytes = items * ItemCharge(4, 8);
  options.policy.kind = PolicyKind::kWTinyLfu;
  return options;
}

std::uint64_t PolicyBytes(const CacheStats& stats) {
  std::uint64_t sum = 0;
  for (const auto& [name, value] : stats.policy_counters) {
    if (name.ends_with("_bytes")) sum += value;
  }
  return sum;
}

TEST(WTinyLfuCacheTest, DeletesAndExpiryLeaveThePolicyConsistent) {
  core::FakeClock clock;
  Cache cache(WTinyLfuCache(100), clock);
  for (int i = 0; i < 100; ++i) {
    const Expiry expiry = i % 2 == 0 ? Expiry::After(10s) : Expiry::Never();
    cache.Store(StoreMode::kSet, Key("k", 100 + i), "vvvvvvvv", 0, expiry);
  }
  for (int i = 1; i < 100; i += 4) cache.Delete(Key("k", 100 + i));
  clock.Advance(10s);
  cache.ExpireSome({.samples_per_round = 1000});
  EXPECT_FALSE(cache.Get("k100")) << "expired";
  CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.curr_items, 25u);
  EXPECT_EQ(PolicyBytes(stats), stats.bytes);
  // Refill past the budget: every victim is a live item the policy still tracked.
  for (int i = 0; i < 300; ++i)
    cache.Store(StoreMode::kSet, Key("n", 100 + i), "vvvvvvvv", 0, Expiry::Never());
  stats = cache.Stats();
  EXPECT_LE(stats.bytes, stats.limit_maxbytes);
  EXPECT_EQ(PolicyBytes(stats), stats.bytes);
  EXPECT_GT(stats.evictions, 0u);
}

TEST(WTinyLfuCacheTest, HotKeysSurviveAScanThatFlushesLru) {
  auto hot_keys_left = [](PolicyKind kind) {
    core::FakeClock clock;
    CacheOptions options = WTinyLfuCache(100);
    options.policy.kind = kind;
    Cache cache(options, clock);
    auto access = [&](const std::string& key) {
      if (!cache.Get(key)) cache.Store(StoreMode::kSet, key, "vvvvvvvv", 0, Expiry::Never());
    };
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 50; ++i) access(Key("h", 100 + i));
    }
    for (int i = 0; i < 1000; ++i) access(Key("s", 1000 + i));  // read once each
    int left = 0;
    for (int i = 0; i < 50; ++i) left += cache.Get(Key("h", 100 + i)) ? 1 : 0;
    return left;
  };
  EXPECT_EQ(hot_keys_left(PolicyKind::kLru), 0);
  EXPECT_GE(hot_keys_left(PolicyKind::kWTinyLfu), 45);
}

TEST(WTinyLfuCacheTest, ConcurrentReadersAndWritersKeepAccountingExact) {
  core::FakeClock clock;
  CacheOptions options = WTinyLfuCache(200);
  options.shards = 4;
  Cache cache(options, clock);
  auto worker = [&cache](int seed) {
    for (int i = 0; i < 20'000; ++i) {
      const std::string key = Key("k", 100 + (i * 7 + seed * 13) % 600);
      if (i % 5 == 0) {
        cache.Store(StoreMode::kSet, key, "vvvvvvvv", 0, Expiry::Never());
      } else if (i % 97 == 0) {
        cache.Delete(key);
      } else {
        cache.Get(key);
      }
    }
  };
  std::thread a(worker, 1);
  std::thread b(worker, 2);
  a.join();
  b.join();
  const CacheStats stats = cache.Stats();
  EXPECT_LE(stats.bytes, stats.limit_maxbytes);
  EXPECT_EQ(PolicyBytes(stats), stats.bytes);
}

}  // namespace
}  // namespace cache
