// Every duration that reaches the cache from outside (HTTP ?ttl=, memcached exptime, touch/gat,
// flush_all's delay, --default-ttl) at and around the values where nanosecond arithmetic overflows.
#include "04_cache_service_mini/cache/expiry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>

#include "04_cache_service_mini/cache/cache.hpp"

namespace cache {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'700'000'000;  // the wall clock in these tests (Nov 2023)
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

TEST(ExpiryTest, SecondsUpToTheCapAreKeptExactly) {
  EXPECT_EQ(Expiry::AfterSeconds(1).ttl(), 1s);
  EXPECT_EQ(Expiry::AfterSeconds(kMaxTtlSeconds).ttl(), kMaxTtl);
  EXPECT_EQ(Expiry::AfterSeconds(0).ttl(), 0s);
  EXPECT_EQ(Expiry::AfterSeconds(-5).ttl(), -5s);  // already expired
}

TEST(ExpiryTest, SecondsPastTheNanosecondRangeAreClampedNotWrapped) {
  // 9,223,372,037 s is the first whole second past int64 nanoseconds; 9,999,999,999 is what
  // HTTP's ten-digit ?ttl= allows. Converting them to nanoseconds wrapped to the past.
  for (std::int64_t seconds : {std::int64_t{9'223'372'036}, std::int64_t{9'223'372'037},
                               std::int64_t{9'999'999'999}, kI64Max}) {
    const Expiry e = Expiry::AfterSeconds(seconds);
    EXPECT_EQ(e.kind(), Expiry::Kind::kAfter) << seconds;
    EXPECT_EQ(e.ttl(), kMaxTtl) << seconds;
  }
  EXPECT_EQ(Expiry::After(core::Clock::duration::max()).ttl(), kMaxTtl);
}

TEST(ExpiryTest, MemcachedExptimeBoundaries) {
  const auto from = [](std::int64_t exptime) { return Expiry::FromMemcached(exptime, kNow); };
  EXPECT_EQ(from(0), Expiry::Never());
  EXPECT_EQ(from(1), Expiry::After(1s));
  EXPECT_EQ(from(kMaxRelativeExptime), Expiry::After(std::chrono::seconds(kMaxRelativeExptime)));
  // Above 30 days: an absolute Unix time; at or before now it is already expired.
  EXPECT_EQ(from(kMaxRelativeExptime + 1), Expiry::After(0s));
  EXPECT_EQ(from(kNow), Expiry::After(0s));
  EXPECT_EQ(from(kNow + 1), Expiry::After(1s));
  // 2^31 - 1 and 2^31: memcached 1.6.18 keeps 32 bits (2^31 wraps to the past); every bit counts.
  EXPECT_EQ(from(2'147'483'647), Expiry::After(std::chrono::seconds(2'147'483'647 - kNow)));
  EXPECT_EQ(from(2'147'483'648), Expiry::After(std::chrono::seconds(2'147'483'648 - kNow)));
  EXPECT_EQ(from(9'999'999'999), Expiry::After(kMaxTtl));  // the year 2286: clamped to 100 years
  EXPECT_EQ(from(kI64Max), Expiry::After(kMaxTtl));
  // Negative: already expired, however negative.
  EXPECT_EQ(from(-1), Expiry::After(0s));
  EXPECT_EQ(from(-2'147'483'649), Expiry::After(0s));
  EXPECT_EQ(from(kI64Min), Expiry::After(0s));
}

TEST(ExpiryTest, AbsoluteExptimeWithAWallClockBefore1970DoesNotOverflow) {
  EXPECT_EQ(Expiry::FromMemcached(kI64Max, -1'000), Expiry::After(kMaxTtl));
  EXPECT_EQ(Expiry::FromMemcached(kMaxRelativeExptime + 1, -1'000),
            Expiry::After(std::chrono::seconds(kMaxRelativeExptime + 1 + 1'000)));
}

TEST(ExpiryTest, DeadlinesSaturateInsteadOfWrapping) {
  const core::Clock::time_point now{core::Clock::duration(std::chrono::hours(1000))};
  const std::int64_t now_ns = ToNs(now);
  const std::int64_t max_ttl_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(kMaxTtl).count();
  EXPECT_EQ(Expiry::AfterSeconds(kI64Max).DeadlineNs(now, {}), now_ns + max_ttl_ns);
  // A default TTL past the range (--default-ttl is a flag) is clamped the same way.
  EXPECT_EQ(Expiry::Default().DeadlineNs(now, core::Clock::duration::max()), now_ns + max_ttl_ns);
  EXPECT_EQ(Expiry::AfterSeconds(-1).DeadlineNs(now, {}), now_ns);  // expired at once
  EXPECT_EQ(Expiry::Never().DeadlineNs(now, core::Clock::duration::max()), 0);
}

class ExpiryCacheTest : public ::testing::Test {
 protected:
  core::FakeClock clock_;
  Cache cache_{CacheOptions{}, clock_};
};

TEST_F(ExpiryCacheTest, ItemsWithTtlsPastTheNanosecondRangeAreKept) {
  const std::int64_t ttls[] = {9'223'372'036, 9'223'372'037, 9'999'999'999, kI64Max};
  for (std::int64_t ttl : ttls) {
    ASSERT_EQ(cache_.Store(StoreMode::kSet, std::to_string(ttl), "v", 0, Expiry::AfterSeconds(ttl)),
              StoreStatus::kStored);
  }
  clock_.Advance(std::chrono::hours(24 * 365 * 50));
  for (std::int64_t ttl : ttls) EXPECT_TRUE(cache_.Get(std::to_string(ttl))) << ttl;
}

TEST_F(ExpiryCacheTest, TouchAndGatWithHugeTtlsKeepTheItem) {
  cache_.Store(StoreMode::kSet, "t", "v", 0, Expiry::After(1s));
  cache_.Store(StoreMode::kSet, "g", "v", 0, Expiry::After(1s));
  EXPECT_TRUE(cache_.Touch("t", Expiry::FromMemcached(kI64Max, kNow)));
  EXPECT_TRUE(cache_.GetAndTouch("g", Expiry::AfterSeconds(kI64Max)));
  clock_.Advance(std::chrono::hours(24 * 365));
  EXPECT_TRUE(cache_.Get("t"));
  EXPECT_TRUE(cache_.Get("g"));
}

TEST_F(ExpiryCacheTest, FlushAllWithTheLongestDelayDoesNotFlushNow) {
  cache_.Store(StoreMode::kSet, "k", "v", 0, Expiry::Never());
  // now + delay used to overflow into the past, which applied the flush at once.
  cache_.FlushAll(core::Clock::duration::max());
  EXPECT_TRUE(cache_.Get("k"));
  clock_.Advance(std::chrono::hours(24 * 365));
  EXPECT_TRUE(cache_.Get("k"));
}

}  // namespace
}  // namespace cache
