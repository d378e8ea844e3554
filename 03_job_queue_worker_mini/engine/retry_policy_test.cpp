#include "03_job_queue_worker_mini/engine/retry_policy.hpp"

#include <gtest/gtest.h>

namespace jobs {
namespace {

using namespace std::chrono_literals;

TEST(RetryPolicyTest, BackoffDoublesWithinEqualJitterBounds) {
  RetryPolicy p;
  p.max_attempts = 10;
  p.base = 100ms;
  p.max = 10s;
  for (std::uint32_t attempt = 1; attempt < 8; ++attempt) {
    const auto full = std::chrono::milliseconds(100 << (attempt - 1));
    EXPECT_EQ(DecideRetry(p, attempt, 0).delay, full / 2) << attempt;             // least jitter
    EXPECT_EQ(DecideRetry(p, attempt, full.count() / 2).delay, full) << attempt;  // most
    EXPECT_FALSE(DecideRetry(p, attempt, 12345).bury);
  }
}

TEST(RetryPolicyTest, BackoffIsCapped) {
  RetryPolicy p;
  p.max_attempts = 100;
  p.base = 1s;
  p.max = 30s;
  for (std::uint32_t attempt : {6u, 7u, 40u, 99u}) {
    const RetryDecision d = DecideRetry(p, attempt, ~0ull);
    EXPECT_GE(d.delay, 15s);
    EXPECT_LE(d.delay, 30s);
  }
}

TEST(RetryPolicyTest, BuriesWhenAttemptsAreUsedUp) {
  RetryPolicy p;
  p.max_attempts = 3;
  EXPECT_FALSE(DecideRetry(p, 2, 0).bury);
  EXPECT_TRUE(DecideRetry(p, 3, 0).bury);
  EXPECT_TRUE(DecideRetry(p, 4, 0).bury);
}

TEST(RetryPolicyTest, JitterSpreadsAcrossTheRange) {
  RetryPolicy p;
  p.base = 1000ms;
  std::uint64_t x = 88172645463325252ull;  // xorshift: enough for a spread check
  std::int64_t lo = 1 << 30, hi = 0;
  for (int i = 0; i < 1000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const auto d = DecideRetry(p, 1, x).delay.count();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, 550);
  EXPECT_GT(hi, 950);
}

}  // namespace
}  // namespace jobs
