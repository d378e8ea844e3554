// memcached's operations on Cache: add/replace/append/prepend/cas, incr/decr, touch/gat, delete,
// flush_all (immediate and delayed), and the counters each one moves.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;

class CacheOpsTest : public ::testing::Test {
 protected:
  StoreStatus Set(std::string_view key, std::string_view value, Expiry e = Expiry::Never()) {
    return cache_.Store(StoreMode::kSet, key, value, 0, e);
  }
  std::string Get(std::string_view key) {
    ItemHandle h = cache_.Get(key);
    return h ? std::string(h.value()) : std::string("<miss>");
  }

  core::FakeClock clock_;
  Cache cache_{CacheOptions{}, clock_};
};

TEST_F(CacheOpsTest, AddStoresOnlyWhenTheKeyIsAbsent) {
  EXPECT_EQ(cache_.Store(StoreMode::kAdd, "k", "1", 0, Expiry::Never()), StoreStatus::kStored);
  EXPECT_EQ(cache_.Store(StoreMode::kAdd, "k", "2", 0, Expiry::Never()), StoreStatus::kNotStored);
  EXPECT_EQ(Get("k"), "1");
}

TEST_F(CacheOpsTest, AddSucceedsOverAnExpiredItem) {
  Set("k", "old", Expiry::After(1s));
  clock_.Advance(1s);
  EXPECT_EQ(cache_.Store(StoreMode::kAdd, "k", "new", 0, Expiry::Never()), StoreStatus::kStored);
  EXPECT_EQ(Get("k"), "new");
  EXPECT_EQ(cache_.Stats().reclaimed, 1u);
}

TEST_F(CacheOpsTest, ReplaceStoresOnlyWhenTheKeyIsPresent) {
  EXPECT_EQ(cache_.Store(StoreMode::kReplace, "k", "1", 0, Expiry::Never()),
            StoreStatus::kNotStored);
  Set("k", "0");
  EXPECT_EQ(cache_.Store(StoreMode::kReplace, "k", "1", 0, Expiry::Never()), StoreStatus::kStored);
  EXPECT_EQ(Get("k"), "1");
}

TEST_F(CacheOpsTest, AppendAndPrependKeepFlagsAndExpiry) {
  cache_.Store(StoreMode::kSet, "k", "mid", 7, Expiry::After(10s));
  EXPECT_EQ(cache_.Store(StoreMode::kAppend, "k", "-end", 99, Expiry::Never()),
            StoreStatus::kStored);
  EXPECT_EQ(cache_.Store(StoreMode::kPrepend, "k", "start-", 99, Expiry::Never()),
            StoreStatus::kStored);
  ItemHandle h = cache_.Get("k");
  EXPECT_EQ(h.value(), "start-mid-end");
  EXPECT_EQ(h.flags(), 7u);
  clock_.Advance(10s);
  EXPECT_EQ(Get("k"), "<miss>") << "append must not change the expiry";
}

TEST_F(CacheOpsTest, AppendToMissingKeyIsNotStored) {
  EXPECT_EQ(cache_.Store(StoreMode::kAppend, "k", "x", 0, Expiry::Never()),
            StoreStatus::kNotStored);
  EXPECT_EQ(cache_.Store(StoreMode::kPrepend, "k", "x", 0, Expiry::Never()),
            StoreStatus::kNotStored);
}

TEST_F(CacheOpsTest, AppendPastTheItemLimitIsOutOfMemory) {
  CacheOptions options;
  options.max_value_bytes = 10;
  Cache small(options, clock_);
  small.Store(StoreMode::kSet, "k", "123456", 0, Expiry::Never());
  EXPECT_EQ(small.Store(StoreMode::kAppend, "k", "78901", 0, Expiry::Never()),
            StoreStatus::kNoMemory);
  EXPECT_EQ(small.Get("k").value(), "123456");
}

TEST_F(CacheOpsTest, CasStoresOnlyWithTheCurrentUnique) {
  Set("k", "1");
  const std::uint64_t unique = cache_.Get("k").cas();
  EXPECT_EQ(cache_.Store(StoreMode::kCas, "k", "2", 0, Expiry::Never(), unique + 1),
            StoreStatus::kExists);
  EXPECT_EQ(cache_.Store(StoreMode::kCas, "k", "2", 0, Expiry::Never(), unique),
            StoreStatus::kStored);
  EXPECT_EQ(cache_.Store(StoreMode::kCas, "k", "3", 0, Expiry::Never(), unique),
            StoreStatus::kExists)
      << "the successful cas changed the unique";
  EXPECT_EQ(cache_.Store(StoreMode::kCas, "gone", "x", 0, Expiry::Never(), unique),
            StoreStatus::kNotFound);
  EXPECT_EQ(Get("k"), "2");
  const CacheStats stats = cache_.Stats();
  EXPECT_EQ(stats.cas_hits, 1u);
  EXPECT_EQ(stats.cas_badval, 2u);
  EXPECT_EQ(stats.cas_misses, 1u);
}

TEST_F(CacheOpsTest, IncrAndDecrWorkOnDecimalValues) {
  Set("n", "10");
  EXPECT_EQ(cache_.Incr("n", 5).value, 15u);
  EXPECT_EQ(cache_.Decr("n", 3).value, 12u);
  EXPECT_EQ(Get("n"), "12");
  const CacheStats stats = cache_.Stats();
  EXPECT_EQ(stats.incr_hits, 1u);
  EXPECT_EQ(stats.decr_hits, 1u);
}

TEST_F(CacheOpsTest, IncrWrapsAround2To64) {
  Set("n", "18446744073709551615");
  const ArithResult r = cache_.Incr("n", 2);
  EXPECT_EQ(r.status, ArithStatus::kOk);
  EXPECT_EQ(r.value, 1u);
  EXPECT_EQ(Get("n"), "1");
}

TEST_F(CacheOpsTest, DecrStopsAtZero) {
  Set("n", "5");
  EXPECT_EQ(cache_.Decr("n", 100).value, 0u);
  EXPECT_EQ(Get("n"), "0");
}

TEST_F(CacheOpsTest, IncrRejectsNonNumericValues) {
  for (std::string bad : {"abc", "", "-1", "12abc", "18446744073709551616"}) {
    Set("n", bad);
    EXPECT_EQ(cache_.Incr("n", 1).status, ArithStatus::kNonNumeric) << "value '" << bad << "'";
    EXPECT_EQ(Get("n"), bad) << "a failed incr leaves the value alone";
  }
}

TEST_F(CacheOpsTest, IncrAcceptsMemcachedsPaddedNumbers) {
  for (std::string ok : {" 12", "12 ", "+12", "012"}) {
    Set("n", ok);
    EXPECT_EQ(cache_.Incr("n", 1).value, 13u) << "value '" << ok << "'";
  }
}

TEST_F(CacheOpsTest, IncrOfMissingKeyIsNotFoundAndCounted) {
  EXPECT_EQ(cache_.Incr("none", 1).status, ArithStatus::kNotFound);
  EXPECT_EQ(cache_.Decr("none", 1).status, ArithStatus::kNotFound);
  const CacheStats stats = cache_.Stats();
  EXPECT_EQ(stats.incr_misses, 1u);
  EXPECT_EQ(stats.decr_misses, 1u);
}

TEST_F(CacheOpsTest, IncrKeepsFlagsAndExpiryButChangesCas) {
  cache_.Store(StoreMode::kSet, "n", "1", 9, Expiry::After(10s));
  const std::uint64_t before = cache_.Get("n").cas();
  cache_.Incr("n", 1);
  ItemHandle h = cache_.Get("n");
  EXPECT_EQ(h.flags(), 9u);
  EXPECT_GT(h.cas(), before);
  clock_.Advance(10s);
  EXPECT_EQ(Get("n"), "<miss>");
}

TEST_F(CacheOpsTest, TouchReplacesTheExpiry) {
  Set("k", "v", Expiry::After(10s));
  EXPECT_TRUE(cache_.Touch("k", Expiry::After(20s)));
  clock_.Advance(15s);
  EXPECT_EQ(Get("k"), "v");
  EXPECT_TRUE(cache_.Touch("k", Expiry::Never()));
  clock_.Advance(24h);
  EXPECT_EQ(Get("k"), "v");
  EXPECT_FALSE(cache_.Touch("missing", Expiry::Never()));
  const CacheStats stats = cache_.Stats();
  EXPECT_EQ(stats.touch_hits, 2u);
  EXPECT_EQ(stats.touch_misses, 1u);
  EXPECT_EQ(stats.cmd_touch(), 3u);
}

TEST_F(CacheOpsTest, TouchWithPastExpiryExpiresTheItem) {
  Set("k", "v");
  EXPECT_TRUE(cache_.Touch("k", Expiry::After(-1s)));
  EXPECT_EQ(Get("k"), "<miss>");
}

TEST_F(CacheOpsTest, GetAndTouchReturnsTheValueAndSetsTheExpiry) {
  Set("k", "v");
  ItemHandle h = cache_.GetAndTouch("k", Expiry::After(5s));
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value(), "v");
  EXPECT_FALSE(cache_.GetAndTouch("missing", Expiry::After(5s)));
  clock_.Advance(5s);
  EXPECT_EQ(Get("k"), "<miss>");
  const CacheStats stats = cache_.Stats();
  EXPECT_EQ(stats.touch_hits, 1u);
  EXPECT_EQ(stats.touch_misses, 1u);
}

TEST_F(CacheOpsTest, DeleteRemovesAndCounts) {
  Set("k", "v");
  EXPECT_TRUE(cache_.Delete("k"));
  EXPECT_FALSE(cache_.Delete("k"));
  EXPECT_EQ(Get("k"), "<miss>");
  const CacheStats stats = cache_.Stats();
  EXPECT_EQ(stats.delete_hits, 1u);
  EXPECT_EQ(stats.delete_misses, 1u);
  EXPECT_EQ(stats.curr_items, 0u);
}

TEST_F(CacheOpsTest, FlushAllHidesEverythingStoredBefore) {
  Set("a", "1");
  Set("b", "2");
  cache_.FlushAll();
  Set("c", "3");
  EXPECT_EQ(Get("a"), "<miss>");
  EXPECT_EQ(Get("b"), "<miss>");
  EXPECT_EQ(Get("c"), "3");
  const CacheStats stats = cache_.Stats();
  EXPECT_EQ(stats.get_flushed, 2u);
  EXPECT_EQ(stats.cmd_flush, 1u);
}

TEST_F(CacheOpsTest, DelayedFlushTakesEffectAtItsDeadline) {
  Set("a", "1");
  cache_.FlushAll(10s);
  clock_.Advance(9s);
  EXPECT_EQ(Get("a"), "1");
  Set("b", "2");
  clock_.Advance(1s);
  EXPECT_EQ(Get("a"), "<miss>");
  EXPECT_EQ(Get("b"), "<miss>") << "stored before the deadline";
  Set("c", "3");
  EXPECT_EQ(Get("c"), "3") << "stored after the deadline";
}

TEST_F(CacheOpsTest, LaterFlushReplacesAPendingOne) {
  Set("a", "1");
  cache_.FlushAll(10s);
  cache_.FlushAll(100s);
  clock_.Advance(10s);
  EXPECT_EQ(Get("a"), "1");
  clock_.Advance(90s);
  EXPECT_EQ(Get("a"), "<miss>");
}

TEST_F(CacheOpsTest, FlushedItemCannotBeTouchedOrIncremented) {
  Set("n", "1");
  cache_.FlushAll();
  EXPECT_FALSE(cache_.Touch("n", Expiry::Never()));
  EXPECT_EQ(cache_.Incr("n", 1).status, ArithStatus::kNotFound);
  EXPECT_EQ(cache_.Store(StoreMode::kAdd, "n", "2", 0, Expiry::Never()), StoreStatus::kStored);
}

}  // namespace
}  // namespace cache
