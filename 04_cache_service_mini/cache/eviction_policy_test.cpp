// The policies driven directly (no Cache): which item each picks, and why.
#include "04_cache_service_mini/cache/eviction_policy.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "04_cache_service_mini/cache/lru_policy.hpp"
#include "04_cache_service_mini/cache/s3fifo_policy.hpp"
#include "04_cache_service_mini/cache/sieve_policy.hpp"
#include "04_cache_service_mini/cache/wtinylfu_policy.hpp"

namespace cache {
namespace {

// "prefix" + std::to_string(i) trips g++ 12's -Wrestrict false positive (GCC bug 105329).
std::string Key(std::string_view prefix, int i) {
  std::string key(prefix);
  key.append(std::to_string(i));
  return key;
}

// Owns the items a test hands to a policy.
class Items {
 public:
  ~Items() {
    for (Item* item : items_) Unref(item);
  }
  Item* Make(const std::string& key) {
    Item* item = NewItem(key, 10, 0);
    items_.push_back(item);
    return item;
  }
  static std::size_t Charge() { return ItemCharge(2, 10); }

 private:
  std::vector<Item*> items_;
};

std::string KeyOf(const Item* item) {
  return item == nullptr ? "<none>" : std::string(item->key());
}

void Insert(EvictionPolicy& policy, Item* item) { policy.OnInsert(item, HashKey(item->key())); }

TEST(PolicyTest, ParsesAndNamesPolicies) {
  EXPECT_EQ(ParsePolicy("lru"), PolicyKind::kLru);
  EXPECT_EQ(ParsePolicy("s3fifo"), PolicyKind::kS3Fifo);
  EXPECT_EQ(ParsePolicy("sieve"), PolicyKind::kSieve);
  EXPECT_EQ(ParsePolicy("wtinylfu"), PolicyKind::kWTinyLfu);
  EXPECT_EQ(ParsePolicy("arc"), std::nullopt);
  EXPECT_EQ(NameOf(PolicyKind::kS3Fifo), "s3fifo");
  PolicyOptions options;
  options.kind = PolicyKind::kSieve;
  EXPECT_EQ(MakePolicy(options, 1000)->Name(), "sieve");
}

TEST(PolicyTest, OnlyTheRelinkingPoliciesNeedExclusiveHits) {
  EXPECT_FALSE(LruPolicy().ConcurrentHits());
  EXPECT_FALSE(WTinyLfuPolicy(1000).ConcurrentHits());
  EXPECT_TRUE(SievePolicy().ConcurrentHits());
  EXPECT_TRUE(S3FifoPolicy(1000, 0.1, 1).ConcurrentHits());
}

TEST(PolicyTest, EmptyPoliciesHaveNoVictim) {
  EXPECT_EQ(LruPolicy().Evict(), nullptr);
  EXPECT_EQ(SievePolicy().Evict(), nullptr);
  EXPECT_EQ(S3FifoPolicy(1000, 0.1, 1).Evict(), nullptr);
  EXPECT_EQ(WTinyLfuPolicy(1000).Evict(), nullptr);
}

TEST(LruPolicyTest, EvictsTheLeastRecentlyUsed) {
  Items items;
  LruPolicy lru;
  Item* a = items.Make("a");
  Insert(lru, a);
  Insert(lru, items.Make("b"));
  Insert(lru, items.Make("c"));
  lru.OnHit(a);
  EXPECT_EQ(KeyOf(lru.Evict()), "b");
  EXPECT_EQ(KeyOf(lru.Evict()), "c");
  EXPECT_EQ(KeyOf(lru.Evict()), "a");
}

TEST(LruPolicyTest, ReplacementBecomesMostRecent) {
  Items items;
  LruPolicy lru;
  Item* a = items.Make("a");
  Insert(lru, a);
  Insert(lru, items.Make("b"));
  Item* a2 = items.Make("a");
  lru.OnReplace(a, a2);
  EXPECT_EQ(KeyOf(lru.Evict()), "b");
  EXPECT_EQ(lru.Evict(), a2);
}

TEST(SievePolicyTest, HandSparesVisitedItemsAndEvictsTheFirstUnvisited) {
  Items items;
  SievePolicy sieve;
  Item* a = items.Make("a");
  Insert(sieve, a);
  Insert(sieve, items.Make("b"));
  Insert(sieve, items.Make("c"));
  sieve.OnHit(a);  // a is oldest but visited
  EXPECT_EQ(KeyOf(sieve.Evict()), "b");
  EXPECT_EQ(a->AccessBits(), 0) << "the hand cleared a's bit on its way";
  EXPECT_EQ(KeyOf(sieve.Evict()), "c");
  EXPECT_EQ(KeyOf(sieve.Evict()), "a");
}

TEST(SievePolicyTest, SurvivorsKeepTheirPlaceInsteadOfMovingToTheHead) {
  Items items;
  SievePolicy sieve;
  Item* a = items.Make("a");
  Item* b = items.Make("b");
  Insert(sieve, a);
  Insert(sieve, b);
  sieve.OnHit(a);
  sieve.OnHit(b);
  Insert(sieve, items.Make("c"));  // newest, unvisited
  // The hand clears a, then b, then finds c unvisited: c goes although it is the newest.
  EXPECT_EQ(KeyOf(sieve.Evict()), "c");
  // The hand wrapped past the head: it restarts at the tail, where a (now unvisited) sits.
  EXPECT_EQ(KeyOf(sieve.Evict()), "a");
}

TEST(SievePolicyTest, RemovingTheItemUnderTheHandMovesTheHand) {
  Items items;
  SievePolicy sieve;
  Item* a = items.Make("a");
  Item* b = items.Make("b");
  Item* c = items.Make("c");
  Insert(sieve, a);
  Insert(sieve, b);
  Insert(sieve, c);
  EXPECT_EQ(sieve.Evict(), a);
  ASSERT_EQ(sieve.hand(), b);
  sieve.OnRemove(b);
  EXPECT_EQ(sieve.hand(), c);
  EXPECT_EQ(sieve.Evict(), c);
  EXPECT_EQ(sieve.Evict(), nullptr);
}

TEST(SievePolicyTest, HitOnVisitedItemDoesNotWrite) {
  Items items;
  SievePolicy sieve;
  Item* a = items.Make("a");
  Insert(sieve, a);
  sieve.OnHit(a);
  sieve.OnHit(a);
  EXPECT_EQ(a->AccessBits(), 1);
}

// S3-FIFO with room for ten items: the small queue holds one.
class S3FifoPolicyTest : public ::testing::Test {
 protected:
  S3FifoPolicyTest() : policy_(Items::Charge() * 10, 0.10, /*promote_threshold=*/1) {}

  // Ten items: the first fills the small queue, the rest spill into main (warm-up rule), then one
  // eviction ends the warm-up.
  void Warm() {
    for (int i = 0; i < 10; ++i) Insert(policy_, warm_[i] = items_.Make(Key("w", i)));
    ASSERT_EQ(policy_.small_count(), 1u);
    ASSERT_EQ(policy_.main_count(), 9u);
    ASSERT_EQ(KeyOf(policy_.Evict()), "w0") << "unhit small-queue tail goes first";
  }

  Items items_;
  S3FifoPolicy policy_;
  Item* warm_[10] = {};
};

TEST_F(S3FifoPolicyTest, NewKeysEnterTheSmallQueue) {
  Warm();
  Insert(policy_, items_.Make("x"));
  EXPECT_EQ(policy_.small_count(), 1u);
  EXPECT_EQ(policy_.small_bytes(), ItemCharge(1, 10));
}

TEST_F(S3FifoPolicyTest, OneHitWondersLeaveFromTheSmallQueue) {
  Warm();
  Insert(policy_, items_.Make("x"));
  EXPECT_EQ(KeyOf(policy_.Evict()), "x") << "main's items are untouched by the newcomer";
  EXPECT_EQ(policy_.main_count(), 9u);
}

TEST_F(S3FifoPolicyTest, HitInTheSmallQueuePromotesToMain) {
  Warm();
  Item* x = items_.Make("x");
  Insert(policy_, x);
  policy_.OnHit(x);
  // x moves to main, which is now over its share, so main's unhit tail (w1) is evicted.
  EXPECT_EQ(KeyOf(policy_.Evict()), "w1");
  EXPECT_EQ(policy_.small_count(), 0u);
  EXPECT_EQ(policy_.main_count(), 9u);
  EXPECT_EQ(x->AccessBits(), 0) << "promotion clears the frequency";
}

TEST_F(S3FifoPolicyTest, GhostRemembersEarlyEvictionsAndAdmitsToMain) {
  Warm();
  Item* x = items_.Make("x");
  Insert(policy_, x);
  ASSERT_EQ(policy_.Evict(), x);  // into the ghost
  Item* x_again = items_.Make("x");
  Insert(policy_, x_again);
  EXPECT_EQ(policy_.small_count(), 0u);
  EXPECT_EQ(policy_.main_count(), 10u);
  std::vector<std::pair<std::string, std::uint64_t>> counters;
  policy_.AppendCounters(counters);
  EXPECT_EQ(counters[2], (std::pair<std::string, std::uint64_t>("s3fifo_ghost_admissions", 1)));
}

TEST_F(S3FifoPolicyTest, MainReinsertsFrequentItemsWithOneLessCount) {
  Warm();
  policy_.OnHit(warm_[1]);
  policy_.OnHit(warm_[1]);
  Item* y = items_.Make("y");
  Insert(policy_, y);
  policy_.OnHit(y);
  // Promoting y overfills main: its tail w1 has freq 2, so it is reinserted with 1; w2 goes.
  EXPECT_EQ(KeyOf(policy_.Evict()), "w2");
  EXPECT_EQ(warm_[1]->AccessBits(), 1);
}

TEST_F(S3FifoPolicyTest, FrequencySaturatesAtThree) {
  Warm();
  for (int i = 0; i < 10; ++i) policy_.OnHit(warm_[3]);
  EXPECT_EQ(warm_[3]->AccessBits(), 3);
}

TEST_F(S3FifoPolicyTest, ItemTooBigForTheSmallQueueGoesToMain) {
  Warm();
  Item* big = NewItem("big", Items::Charge() * 2, 0);
  Insert(policy_, big);
  EXPECT_EQ(policy_.small_count(), 0u);
  EXPECT_EQ(policy_.main_count(), 10u);
  policy_.OnRemove(big);
  Unref(big);
}

TEST_F(S3FifoPolicyTest, RemoveAndReplaceKeepByteAccounting) {
  Warm();
  const std::size_t main_before = policy_.main_bytes();
  Item* replacement = NewItem("w5", 110, 0);
  policy_.OnReplace(warm_[5], replacement);
  EXPECT_EQ(policy_.main_bytes(), main_before + 100);
  EXPECT_EQ(replacement->AccessBits(), 1) << "a replacement counts as an access";
  policy_.OnRemove(replacement);
  EXPECT_EQ(policy_.main_bytes(), main_before - Items::Charge());
  Unref(replacement);
}

}  // namespace
}  // namespace cache
