#include "01_rate_limiter_service_mini/algorithms/token_bucket.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace ratelimit {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Quota MakeQuota(std::int64_t count, nanoseconds period, std::int64_t burst) {
  return Quota::Make(Rate{count, period}, burst).value();
}

// The seed's policy: 2 tokens/s, burst 5.
class TokenBucketTest : public ::testing::Test {
 protected:
  Decision Take(std::int64_t cost = 1) {
    return TokenBucket::Decide(quota_, state_, cost, clock_.Now());
  }
  void Drain() {
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(Take().allowed);
  }

  core::FakeClock clock_;
  Quota quota_ = MakeQuota(2, seconds(1), 5);
  TokenBucket::State state_ = TokenBucket::Fresh(quota_, clock_.Now());
};

TEST_F(TokenBucketTest, NewClientStartsWithAFullBucket) {
  const Decision d = Take(0);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.limit, 5);
  EXPECT_EQ(d.remaining, 5);
  EXPECT_EQ(d.reset_after, nanoseconds(0));
}

TEST_F(TokenBucketTest, AdmitsExactlyTheBurstAtOneInstant) {
  for (int i = 0; i < 5; ++i) {
    const Decision d = Take();
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 4 - i);
    EXPECT_EQ(d.retry_after, nanoseconds(0));
  }
  EXPECT_FALSE(Take().allowed);
}

TEST_F(TokenBucketTest, RefusalSaysWhenToRetry) {
  Drain();
  const Decision d = Take();
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_EQ(d.retry_after, milliseconds(500));
  EXPECT_EQ(d.reset_after, milliseconds(2500));
}

TEST_F(TokenBucketTest, RetryAfterScalesWithCost) {
  Drain();
  EXPECT_EQ(Take(3).retry_after, milliseconds(1500));
}

TEST_F(TokenBucketTest, RefillsWithElapsedTime) {
  Drain();
  clock_.Advance(milliseconds(500));
  EXPECT_TRUE(Take().allowed);
  EXPECT_FALSE(Take().allowed);
}

TEST_F(TokenBucketTest, RetryingExactlyAtRetryAfterSucceeds) {
  Drain();
  const Decision refused = Take(2);
  clock_.Advance(refused.retry_after - nanoseconds(1));
  EXPECT_FALSE(Take(2).allowed);
  clock_.Advance(nanoseconds(1));
  EXPECT_TRUE(Take(2).allowed);
}

TEST_F(TokenBucketTest, ResetAfterIsTheTimeUntilTheBucketIsFull) {
  EXPECT_EQ(Take().reset_after, milliseconds(500));
  EXPECT_EQ(Take(2).reset_after, milliseconds(1500));
}

TEST_F(TokenBucketTest, ClockThatDoesNotMoveNeverRefills) {
  Drain();
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(Take().allowed);
}

TEST_F(TokenBucketTest, RefusedRequestLeavesStateUnchanged) {
  Drain();
  const TokenBucket::State before = state_;
  clock_.Advance(milliseconds(100));
  EXPECT_FALSE(Take().allowed);
  EXPECT_EQ(state_.units, before.units);
  EXPECT_EQ(state_.updated_ns, before.updated_ns);
}

TEST_F(TokenBucketTest, CostZeroPeeksWithoutConsuming) {
  Drain();
  const Decision d = Take(0);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_FALSE(Take().allowed);
}

TEST_F(TokenBucketTest, CostEqualToBurstSucceedsOnAFullBucket) {
  const Decision d = Take(5);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
}

TEST_F(TokenBucketTest, CostAboveBurstCanNeverSucceed) {
  const Decision d = Take(6);
  EXPECT_FALSE(d.allowed);
  EXPECT_TRUE(d.RetryNever());
  EXPECT_EQ(d.remaining, 5);
  EXPECT_TRUE(Take(5).allowed) << "the refused request must not have consumed anything";
}

TEST_F(TokenBucketTest, HugeCostDoesNotOverflow) {
  const Decision d = Take(std::numeric_limits<std::int64_t>::max());
  EXPECT_TRUE(d.RetryNever());
  EXPECT_EQ(d.remaining, 5);
}

TEST_F(TokenBucketTest, LongIdleRefillsToBurstWithoutOverflow) {
  Drain();
  clock_.Advance(hours(24 * 365 * 100));  // a century: elapsed * rate would overflow int64
  const Decision d = Take(0);
  EXPECT_EQ(d.remaining, 5);
  EXPECT_EQ(d.reset_after, nanoseconds(0));
}

TEST_F(TokenBucketTest, ClockGoingBackwardsRefillsNothing) {
  Drain();
  clock_.Set(clock_.Now() - seconds(10));
  EXPECT_FALSE(Take().allowed);
}

TEST_F(TokenBucketTest, ClockGoingBackwardsDoesNotRefillTheSameIntervalTwice) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Take().allowed);
  const auto t0 = clock_.Now();
  clock_.Set(t0 - seconds(10));
  ASSERT_TRUE(Take().allowed);  // the last token, taken "in the past"
  clock_.Set(t0 + milliseconds(500));
  EXPECT_TRUE(Take().allowed) << "500 ms after t0 refill exactly one token";
  EXPECT_FALSE(Take().allowed);
}

TEST(TokenBucketExactnessTest, FractionalRefillHasNoDrift) {
  // 3/s is 333.33... ms per token. Taking a token every millisecond whenever one is there keeps
  // the bucket below full, so nothing is capped away: over exactly 10 s the bucket must yield
  // its 3 initial tokens plus exactly 30, the 30th completing at the final instant. A bucket
  // that rounds the interval to 333333334 ns (or accumulates floats) finds it 20 ns late.
  const Quota quota = MakeQuota(3, seconds(1), 3);
  core::FakeClock clock;
  auto state = TokenBucket::Fresh(quota, clock.Now());
  int allowed = 0;
  for (int ms = 0; ms <= 10'000; ++ms) {
    if (TokenBucket::Decide(quota, state, 1, clock.Now()).allowed) ++allowed;
    clock.Advance(milliseconds(1));
  }
  EXPECT_EQ(allowed, 33);
}

TEST(TokenBucketExactnessTest, PartialTokenIsNotEnough) {
  const Quota quota = MakeQuota(3, seconds(1), 1);
  core::FakeClock clock;
  auto state = TokenBucket::Fresh(quota, clock.Now());
  ASSERT_TRUE(TokenBucket::Decide(quota, state, 1, clock.Now()).allowed);
  clock.Advance(milliseconds(333));
  const Decision d = TokenBucket::Decide(quota, state, 1, clock.Now());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after, nanoseconds(333'334));  // ceil(1/3 ms)
}

TEST(TokenBucketExactnessTest, LargeBurstOverADayStaysExact) {
  const Quota quota = MakeQuota(1'000'000, hours(24), 1'000'000);
  core::FakeClock clock;
  auto state = TokenBucket::Fresh(quota, clock.Now());
  ASSERT_TRUE(TokenBucket::Decide(quota, state, 1'000'000, clock.Now()).allowed);
  clock.Advance(milliseconds(86'400));  // 1/1000 of a day: exactly 1000 tokens
  EXPECT_TRUE(TokenBucket::Decide(quota, state, 1000, clock.Now()).allowed);
  EXPECT_FALSE(TokenBucket::Decide(quota, state, 1, clock.Now()).allowed);
}

}  // namespace
}  // namespace ratelimit
