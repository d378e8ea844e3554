#include "01_rate_limiter_service_mini/algorithms/gcra.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "01_rate_limiter_service_mini/algorithms/token_bucket.hpp"

namespace ratelimit {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

Quota MakeQuota(std::int64_t count, nanoseconds period, std::int64_t burst) {
  return Quota::Make(Rate{count, period}, burst).value();
}

struct Step {
  milliseconds at;  // since start
  std::int64_t cost;
  bool allowed;
  std::int64_t remaining;
  nanoseconds reset_after;
  nanoseconds retry_after;  // Decision::kNever for "never"
};

// redis-cell's own test sequence (max_burst 4 => limit 5, 1 per second), with our conventions:
// retry_after is 0 when allowed, kNever when the cost exceeds the limit.
TEST(GcraTest, MatchesRedisCellReferenceSequence) {
  const Quota quota = MakeQuota(1, seconds(1), 5);
  core::FakeClock clock;
  const auto start = clock.Now();
  Gcra::State state = Gcra::Fresh(quota, start);
  const Step steps[] = {
      {milliseconds(0), 6, false, 5, seconds(0), Decision::kNever},
      {milliseconds(0), 1, true, 4, seconds(1), seconds(0)},
      {milliseconds(0), 1, true, 3, seconds(2), seconds(0)},
      {milliseconds(0), 1, true, 2, seconds(3), seconds(0)},
      {milliseconds(0), 1, true, 1, seconds(4), seconds(0)},
      {milliseconds(0), 1, true, 0, seconds(5), seconds(0)},
      {milliseconds(0), 1, false, 0, seconds(5), seconds(1)},
      {milliseconds(3000), 1, true, 2, milliseconds(3000), seconds(0)},
      {milliseconds(3100), 1, true, 1, milliseconds(3900), seconds(0)},
      {milliseconds(4000), 1, true, 1, milliseconds(4000), seconds(0)},
      {milliseconds(8000), 1, true, 4, milliseconds(1000), seconds(0)},
      {milliseconds(9500), 1, true, 4, milliseconds(1000), seconds(0)},
      {milliseconds(9500), 0, true, 4, seconds(1), seconds(0)},
      {milliseconds(9500), 2, true, 2, seconds(3), seconds(0)},
      {milliseconds(9500), 5, false, 2, seconds(3), seconds(3)},
  };
  int i = 0;
  for (const Step& s : steps) {
    clock.Set(start + s.at);
    const Decision d = Gcra::Decide(quota, state, s.cost, clock.Now());
    EXPECT_EQ(d.allowed, s.allowed) << "step " << i;
    EXPECT_EQ(d.limit, 5) << "step " << i;
    EXPECT_EQ(d.remaining, s.remaining) << "step " << i;
    EXPECT_EQ(d.reset_after, s.reset_after) << "step " << i;
    EXPECT_EQ(d.retry_after, s.retry_after) << "step " << i;
    ++i;
  }
}

TEST(GcraTest, StateIsOneTimestampSetOnlyWhenAllowed) {
  const Quota quota = MakeQuota(2, seconds(1), 2);
  core::FakeClock clock;
  Gcra::State state = Gcra::Fresh(quota, clock.Now());
  const auto now_ns = clock.Now().time_since_epoch().count();
  ASSERT_TRUE(Gcra::Decide(quota, state, 2, clock.Now()).allowed);
  EXPECT_EQ(state.tat_ns, now_ns + 1'000'000'000);
  EXPECT_FALSE(Gcra::Decide(quota, state, 1, clock.Now()).allowed);
  EXPECT_EQ(state.tat_ns, now_ns + 1'000'000'000);
}

TEST(GcraTest, CostZeroPeeksWithoutBooking) {
  const Quota quota = MakeQuota(2, seconds(1), 5);
  core::FakeClock clock;
  Gcra::State state = Gcra::Fresh(quota, clock.Now());
  const Gcra::State before = state;
  const Decision d = Gcra::Decide(quota, state, 0, clock.Now());
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 5);
  EXPECT_EQ(state.tat_ns, before.tat_ns);
}

TEST(GcraTest, HugeCostIsNeverWithoutOverflow) {
  const Quota quota = MakeQuota(2, seconds(1), 5);
  core::FakeClock clock;
  Gcra::State state = Gcra::Fresh(quota, clock.Now());
  const Decision d =
      Gcra::Decide(quota, state, std::numeric_limits<std::int64_t>::max(), clock.Now());
  EXPECT_TRUE(d.RetryNever());
  EXPECT_EQ(d.remaining, 5);
}

TEST(GcraTest, LongIdleRecoversFully) {
  const Quota quota = MakeQuota(2, seconds(1), 5);
  core::FakeClock clock;
  Gcra::State state = Gcra::Fresh(quota, clock.Now());
  ASSERT_TRUE(Gcra::Decide(quota, state, 5, clock.Now()).allowed);
  clock.Advance(hours(24 * 365 * 100));
  const Decision d = Gcra::Decide(quota, state, 5, clock.Now());
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reset_after, milliseconds(2500));
}

TEST(GcraTest, ClockThatDoesNotMoveAdmitsOnlyTheBurst) {
  const Quota quota = MakeQuota(2, seconds(1), 5);
  core::FakeClock clock;
  Gcra::State state = Gcra::Fresh(quota, clock.Now());
  int allowed = 0;
  for (int i = 0; i < 1000; ++i) allowed += Gcra::Decide(quota, state, 1, clock.Now()).allowed;
  EXPECT_EQ(allowed, 5);
}

TEST(GcraTest, ClockGoingBackwardsAdmitsNothingExtra) {
  const Quota quota = MakeQuota(2, seconds(1), 5);
  core::FakeClock clock;
  Gcra::State state = Gcra::Fresh(quota, clock.Now());
  ASSERT_TRUE(Gcra::Decide(quota, state, 5, clock.Now()).allowed);
  clock.Advance(-seconds(30));
  EXPECT_FALSE(Gcra::Decide(quota, state, 1, clock.Now()).allowed);
}

TEST(GcraTest, RoundsEmissionIntervalUpSoItNeverAdmitsMoreThanTheRate) {
  // 7/s is 142857142.86 ns per request; GCRA books 142857143 ns, i.e. slightly slower.
  const Quota quota = MakeQuota(7, seconds(1), 7);
  ASSERT_EQ(quota.emission_interval_ns(), 142'857'143);
  core::FakeClock clock;
  Gcra::State state = Gcra::Fresh(quota, clock.Now());
  ASSERT_TRUE(Gcra::Decide(quota, state, 7, clock.Now()).allowed);
  clock.Advance(seconds(1));
  EXPECT_FALSE(Gcra::Decide(quota, state, 7, clock.Now()).allowed);
  const Decision d = Gcra::Decide(quota, state, 7, clock.Now());
  EXPECT_EQ(d.retry_after, nanoseconds(1)) << "seven rounded-up intervals overshoot 1 s by 1 ns";
}

// With a whole-nanosecond emission interval GCRA and the token bucket are the same schedule:
// every field of every decision agrees on an arbitrary request sequence.
TEST(GcraTest, AgreesWithTokenBucketWhenTheIntervalIsExact) {
  const Quota quota = MakeQuota(4, seconds(1), 10);
  core::FakeClock clock;
  Gcra::State gcra = Gcra::Fresh(quota, clock.Now());
  TokenBucket::State bucket = TokenBucket::Fresh(quota, clock.Now());
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20'000; ++i) {
    clock.Advance(nanoseconds(rng() % 300'000'000));
    const auto cost = static_cast<std::int64_t>(rng() % 12);  // includes 0 and > burst
    const Decision a = Gcra::Decide(quota, gcra, cost, clock.Now());
    const Decision b = TokenBucket::Decide(quota, bucket, cost, clock.Now());
    ASSERT_EQ(a.allowed, b.allowed) << "request " << i;
    ASSERT_EQ(a.remaining, b.remaining) << "request " << i;
    ASSERT_EQ(a.reset_after, b.reset_after) << "request " << i;
    ASSERT_EQ(a.retry_after, b.retry_after) << "request " << i;
  }
}

}  // namespace
}  // namespace ratelimit
