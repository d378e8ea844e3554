#include "05_observability_basics_mini/tracing/access_log_policy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>

namespace obs {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

constexpr std::uint64_t kMaxKey = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kHalf = std::uint64_t{1} << 63;

AccessLogPolicy SampleOnly(double rate) { return AccessLogPolicy({.sample_rate = rate}); }

TEST(AccessLogPolicyTest, LogsEveryRequestByDefault) {
  const AccessLogPolicy policy;
  EXPECT_TRUE(policy.logs_everything());
  EXPECT_TRUE(policy.ShouldLog(200, nanoseconds(0), 0));
  EXPECT_TRUE(policy.ShouldLog(404, nanoseconds(0), kMaxKey));
}

TEST(AccessLogPolicyTest, RateOneSamplesEveryKeyIncludingTheLargest) {
  const AccessLogPolicy policy = SampleOnly(1.0);
  EXPECT_TRUE(policy.Sampled(0));
  EXPECT_TRUE(policy.Sampled(kHalf));
  EXPECT_TRUE(policy.Sampled(kMaxKey));
}

TEST(AccessLogPolicyTest, RateZeroSamplesNoKeyIncludingZero) {
  const AccessLogPolicy policy = SampleOnly(0.0);
  EXPECT_FALSE(policy.logs_everything());
  EXPECT_FALSE(policy.Sampled(0));
  EXPECT_FALSE(policy.Sampled(1));
  EXPECT_FALSE(policy.Sampled(kMaxKey));
}

TEST(AccessLogPolicyTest, HalfSplitsTheKeySpaceAtItsMiddle) {
  const AccessLogPolicy policy = SampleOnly(0.5);
  EXPECT_TRUE(policy.Sampled(0));
  EXPECT_TRUE(policy.Sampled(1));
  EXPECT_TRUE(policy.Sampled(kHalf - 1));
  EXPECT_FALSE(policy.Sampled(kHalf));
  EXPECT_FALSE(policy.Sampled(kMaxKey));
}

TEST(AccessLogPolicyTest, TheSmallestRepresentableRateSamplesOnlyKeyZero) {
  const AccessLogPolicy policy = SampleOnly(std::ldexp(1.0, -64));
  EXPECT_TRUE(policy.Sampled(0));
  EXPECT_FALSE(policy.Sampled(1));
}

TEST(AccessLogPolicyTest, RatesBelowTheKeyResolutionSampleNothing) {
  EXPECT_FALSE(SampleOnly(1e-30).Sampled(0));
  EXPECT_FALSE(SampleOnly(std::numeric_limits<double>::denorm_min()).Sampled(0));
}

TEST(AccessLogPolicyTest, TheLargestRateBelowOneDoesNotOverflow) {
  const AccessLogPolicy policy = SampleOnly(std::nextafter(1.0, 0.0));  // 1 - 2^-53
  EXPECT_FALSE(policy.logs_everything());
  const std::uint64_t threshold = kMaxKey - (std::uint64_t{1} << 11) + 1;  // 2^64 - 2^11
  EXPECT_TRUE(policy.Sampled(threshold - 1));
  EXPECT_FALSE(policy.Sampled(threshold));
  EXPECT_FALSE(policy.Sampled(kMaxKey));
}

TEST(AccessLogPolicyTest, OutOfRangeRatesAreClampedAndNanSamplesNothing) {
  EXPECT_TRUE(SampleOnly(2.0).Sampled(kMaxKey));
  EXPECT_TRUE(SampleOnly(std::numeric_limits<double>::infinity()).logs_everything());
  EXPECT_FALSE(SampleOnly(-0.5).Sampled(0));
  EXPECT_FALSE(SampleOnly(std::numeric_limits<double>::quiet_NaN()).Sampled(0));
  EXPECT_FALSE(SampleOnly(std::numeric_limits<double>::quiet_NaN()).logs_everything());
}

TEST(AccessLogPolicyTest, ServerErrorsAreAlwaysLogged) {
  const AccessLogPolicy policy = SampleOnly(0.0);
  EXPECT_TRUE(policy.ShouldLog(500, nanoseconds(0), kMaxKey));
  EXPECT_TRUE(policy.ShouldLog(503, nanoseconds(0), kMaxKey));
  EXPECT_TRUE(policy.ShouldLog(599, nanoseconds(0), kMaxKey));
}

TEST(AccessLogPolicyTest, ClientErrorsAreSampledLikeSuccesses) {
  const AccessLogPolicy policy = SampleOnly(0.0);
  for (const int status : {200, 204, 302, 400, 404, 408, 413, 429, 431, 499}) {
    EXPECT_FALSE(policy.ShouldLog(status, nanoseconds(0), 0)) << status;
  }
  const AccessLogPolicy half = SampleOnly(0.5);
  EXPECT_TRUE(half.ShouldLog(404, nanoseconds(0), 1));
  EXPECT_FALSE(half.ShouldLog(404, nanoseconds(0), kMaxKey));
}

TEST(AccessLogPolicyTest, RequestsAtLeastTheSlowThresholdAreAlwaysLogged) {
  const AccessLogPolicy policy({.sample_rate = 0.0, .slow = milliseconds(250)});
  EXPECT_FALSE(policy.ShouldLog(200, milliseconds(250) - nanoseconds(1), 0));
  EXPECT_TRUE(policy.ShouldLog(200, milliseconds(250), kMaxKey));
  EXPECT_TRUE(policy.ShouldLog(404, std::chrono::seconds(3), kMaxKey));
}

TEST(AccessLogPolicyTest, ASlowThresholdOfZeroIsNoRuleNotLogEverything) {
  const AccessLogPolicy policy({.sample_rate = 0.0, .slow = nanoseconds(0)});
  EXPECT_FALSE(policy.ShouldLog(200, nanoseconds(0), 0));
  EXPECT_FALSE(policy.ShouldLog(200, std::chrono::hours(1), 0));
  const AccessLogPolicy negative({.sample_rate = 0.0, .slow = nanoseconds(-1)});
  EXPECT_FALSE(negative.ShouldLog(200, nanoseconds(0), 0));
}

TEST(AccessLogPolicyTest, SampleKeyIsTheRightmostEightBytesBigEndian) {
  TraceId id{};
  id.fill(0xab);  // the left half must not matter
  for (std::size_t i = 8; i < 16; ++i) id[i] = 0;
  id[15] = 0x01;
  EXPECT_EQ(SampleKey(id), 1u);
  id[8] = 0x80;
  EXPECT_EQ(SampleKey(id), kHalf + 1);
  id.fill(0xff);
  EXPECT_EQ(SampleKey(id), kMaxKey);
}

TEST(AccessLogPolicyTest, AllOnesTraceIdIsLoggedOnlyAtRateOne) {
  TraceId id{};
  id.fill(0xff);
  EXPECT_TRUE(SampleOnly(1.0).ShouldLog(200, nanoseconds(0), SampleKey(id)));
  EXPECT_FALSE(SampleOnly(std::nextafter(1.0, 0.0)).ShouldLog(200, nanoseconds(0), SampleKey(id)));
  EXPECT_FALSE(SampleOnly(0.5).ShouldLog(200, nanoseconds(0), SampleKey(id)));
}

TEST(AccessLogPolicyTest, SampledFractionMatchesTheRateOverEvenlySpreadKeys) {
  const AccessLogPolicy policy = SampleOnly(0.1);
  constexpr std::uint64_t kKeys = 10000;
  constexpr std::uint64_t kStep = kMaxKey / kKeys;
  int sampled = 0;
  for (std::uint64_t i = 0; i < kKeys; ++i) {
    sampled += policy.Sampled(i * kStep + kStep / 2) ? 1 : 0;  // the middle of each slice
  }
  EXPECT_EQ(sampled, 1000);
}

}  // namespace
}  // namespace obs
