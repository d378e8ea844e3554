#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"

#include <gtest/gtest.h>

#include <string>

namespace ratelimit {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr core::SipKey kFixedKey = {0x1234, 0x5678};

MemoryStoreOptions Options(std::size_t max_keys, std::size_t shards) {
  MemoryStoreOptions o;
  o.max_keys = max_keys;
  o.shards = shards;
  o.hash_key = kFixedKey;
  return o;
}

class ShardedMemoryStoreTest : public ::testing::Test {
 protected:
  Decision Take(ShardedMemoryStore& store, std::string_view key, std::int64_t cost = 1) {
    return store.Decide(rule_, key, cost, clock_.Now()).value();
  }
  // Remaining units for a key, without recording anything.
  std::int64_t Remaining(ShardedMemoryStore& store, std::string_view key) {
    return Take(store, key, 0).remaining;
  }

  core::FakeClock clock_;
  Rule rule_ = DefaultRule();  // token bucket 2/s burst 5
};

TEST_F(ShardedMemoryStoreTest, RequestsForOneKeyShareABucket) {
  ShardedMemoryStore store(Options(100, 4));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Take(store, "a").allowed);
  EXPECT_FALSE(Take(store, "a").allowed);
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(ShardedMemoryStoreTest, DistinctKeysHaveDistinctBuckets) {
  ShardedMemoryStore store(Options(100, 4));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Take(store, "a").allowed);
  EXPECT_TRUE(Take(store, "b").allowed);
}

TEST_F(ShardedMemoryStoreTest, RulesNeverShareAKeysState) {
  ShardedMemoryStore store(Options(100, 4));
  const Rule other = ParseRuleFlag("name=other,rate=2/s,burst=5").value();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Take(store, "a").allowed);
  EXPECT_TRUE(store.Decide(other, "a", 1, clock_.Now()).value().allowed);
  EXPECT_EQ(store.size(), 2u);
}

TEST_F(ShardedMemoryStoreTest, NameAndKeyBoundaryIsUnambiguous) {
  // ("ab", "c") and ("a", "bc") must be different keys.
  ShardedMemoryStore store(Options(100, 4));
  const Rule ab = ParseRuleFlag("name=ab,rate=2/s,burst=5").value();
  const Rule a = ParseRuleFlag("name=a,rate=2/s,burst=5").value();
  ASSERT_TRUE(store.Decide(ab, "c", 5, clock_.Now()).value().allowed);
  EXPECT_TRUE(store.Decide(a, "bc", 5, clock_.Now()).value().allowed);
}

TEST_F(ShardedMemoryStoreTest, PeekAndRefusalsInsertNothing) {
  ShardedMemoryStore store(Options(100, 4));
  EXPECT_EQ(Remaining(store, "a"), 5);
  EXPECT_TRUE(Take(store, "b", 6).RetryNever());
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(ShardedMemoryStoreTest, FloodOfDistinctKeysStaysWithinTheCap) {
  ShardedMemoryStore store(Options(1000, 8));
  const std::size_t cap = store.capacity();
  ASSERT_EQ(cap, 1000u);
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_TRUE(Take(store, "client-" + std::to_string(i)).allowed);
    ASSERT_LE(store.size(), cap);
  }
  const StoreStats stats = store.Stats();
  EXPECT_EQ(stats.tracked_keys, store.size());
  EXPECT_EQ(store.size(), cap) << "every shard should have filled up";
  EXPECT_EQ(stats.evictions, 10'000 - cap);
  EXPECT_EQ(stats.expired, 0u) << "the clock never moved, so nothing was idle";
}

TEST_F(ShardedMemoryStoreTest, EvictsTheLeastRecentlyUsedKey) {
  ShardedMemoryStore store(Options(2, 1));
  ASSERT_TRUE(Take(store, "a").allowed);
  ASSERT_TRUE(Take(store, "b").allowed);
  ASSERT_TRUE(Take(store, "a").allowed);  // a is now the most recently used
  ASSERT_TRUE(Take(store, "c").allowed);  // full: b goes
  EXPECT_EQ(store.Stats().evictions, 1u);
  EXPECT_EQ(Remaining(store, "a"), 3) << "a kept its state";
  EXPECT_EQ(Remaining(store, "b"), 5) << "b was forgotten";
}

TEST_F(ShardedMemoryStoreTest, RefusedRequestsKeepAKeyRecentlyUsed) {
  // A client being limited must not be evicted (it would come back with a full bucket).
  ShardedMemoryStore store(Options(2, 1));
  ASSERT_TRUE(Take(store, "limited", 5).allowed);
  ASSERT_TRUE(Take(store, "b").allowed);
  ASSERT_FALSE(Take(store, "limited").allowed);
  ASSERT_TRUE(Take(store, "c").allowed);  // b goes, not "limited"
  EXPECT_FALSE(Take(store, "limited").allowed);
}

TEST_F(ShardedMemoryStoreTest, IdleKeysAreReclaimedBeforeAnyEviction) {
  ShardedMemoryStore store(Options(2, 1));
  ASSERT_TRUE(Take(store, "a").allowed);
  ASSERT_TRUE(Take(store, "b").allowed);
  clock_.Advance(milliseconds(500));  // both buckets are full again
  ASSERT_TRUE(Take(store, "c").allowed);
  EXPECT_EQ(store.Stats().expired, 2u);
  EXPECT_EQ(store.Stats().evictions, 0u);
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(ShardedMemoryStoreTest, AKeyIsIdleExactlyWhenFullyRecovered) {
  ShardedMemoryStore store(Options(10, 1));
  ASSERT_TRUE(Take(store, "a", 2).allowed);  // recovers in 1 s
  EXPECT_EQ(store.Sweep(clock_.Now() + milliseconds(999)), 0u);
  EXPECT_EQ(store.Sweep(clock_.Now() + seconds(1)), 1u);
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(ShardedMemoryStoreTest, SweepDropsOnlyRecoveredKeys) {
  ShardedMemoryStore store(Options(100, 4));
  ASSERT_TRUE(Take(store, "old").allowed);  // recovers at +0.5 s
  clock_.Advance(seconds(1));
  ASSERT_TRUE(Take(store, "new", 3).allowed);  // recovers at +2.5 s
  EXPECT_EQ(store.Sweep(clock_.Now()), 1u);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.Stats().expired, 1u);
  EXPECT_EQ(Remaining(store, "new"), 2);
}

TEST_F(ShardedMemoryStoreTest, RefusedRequestDoesNotExtendExpiry) {
  ShardedMemoryStore store(Options(10, 1));
  ASSERT_TRUE(Take(store, "a", 5).allowed);  // recovers at +2.5 s
  clock_.Advance(seconds(1));
  ASSERT_FALSE(Take(store, "a", 5).allowed);
  EXPECT_EQ(store.Sweep(clock_.Now() + milliseconds(1500)), 1u);
}

TEST_F(ShardedMemoryStoreTest, ReloadedRuleWithAnotherAlgorithmStartsFresh) {
  ShardedMemoryStore store(Options(10, 1));
  ASSERT_TRUE(Take(store, "a", 5).allowed);
  Rule gcra = DefaultRule();
  gcra.algorithm = Algorithm::kGcra;
  EXPECT_TRUE(store.Decide(gcra, "a", 5, clock_.Now()).value().allowed);
}

TEST_F(ShardedMemoryStoreTest, LongKeysWork) {
  ShardedMemoryStore store(Options(10, 1));
  const std::string long_key(500, 'k');
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Take(store, long_key).allowed);
  EXPECT_FALSE(Take(store, long_key).allowed);
  EXPECT_TRUE(Take(store, std::string(500, 'j')).allowed);
}

TEST_F(ShardedMemoryStoreTest, ShardCountIsClampedToTheCap) {
  ShardedMemoryStore store(Options(10, 64));
  EXPECT_EQ(store.shard_count(), 10u);
  EXPECT_EQ(store.capacity(), 10u);
}

TEST_F(ShardedMemoryStoreTest, CapacityNeverExceedsMaxKeys) {
  ShardedMemoryStore store(Options(1000, 64));
  EXPECT_EQ(store.capacity(), 960u);  // 15 per shard
}

TEST_F(ShardedMemoryStoreTest, OneShardIsTheSeedsSingleLock) {
  ShardedMemoryStore store(Options(100, 1));
  EXPECT_EQ(store.shard_count(), 1u);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Take(store, std::to_string(i)).allowed);
  EXPECT_EQ(store.size(), 100u);
}

}  // namespace
}  // namespace ratelimit
