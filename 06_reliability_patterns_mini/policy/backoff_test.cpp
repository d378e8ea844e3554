#include "06_reliability_patterns_mini/policy/backoff.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace reliability {
namespace {

using std::chrono::milliseconds;

BackoffOptions Options(Jitter jitter, BackoffKind kind = BackoffKind::kExponential) {
  BackoffOptions o;
  o.kind = kind;
  o.base = milliseconds(25);
  o.max = milliseconds(250);
  o.jitter = jitter;
  return o;
}

std::vector<Duration> Draw(const BackoffOptions& o, std::uint64_t seed, int n) {
  SeededRandom random(seed);
  Backoff backoff(o);
  std::vector<Duration> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(backoff.Next(random));
  return out;
}

TEST(BackoffTest, ExponentialCeilingDoublesUpToTheCap) {
  const auto o = Options(Jitter::kNone);
  const std::vector<Duration> expected = {milliseconds(25),  milliseconds(50),  milliseconds(100),
                                          milliseconds(200), milliseconds(250), milliseconds(250)};
  EXPECT_EQ(Draw(o, 1, 6), expected);
}

TEST(BackoffTest, CeilingSaturatesInsteadOfOverflowing) {
  auto o = Options(Jitter::kNone);
  o.max = std::chrono::hours(1);
  for (int n : {40, 61, 62, 63, 64, 1000}) {
    EXPECT_EQ(Backoff::Ceiling(o, n), std::chrono::hours(1)) << n;
  }
}

TEST(BackoffTest, ConstantWaitsTheBaseEveryTime) {
  const auto o = Options(Jitter::kNone, BackoffKind::kConstant);
  for (Duration d : Draw(o, 1, 5)) EXPECT_EQ(d, milliseconds(25));
}

TEST(BackoffTest, SameSeedSameWaits) {
  for (Jitter j : {Jitter::kFull, Jitter::kEqual, Jitter::kDecorrelated}) {
    EXPECT_EQ(Draw(Options(j), 42, 8), Draw(Options(j), 42, 8)) << NameOf(j);
    EXPECT_NE(Draw(Options(j), 42, 8), Draw(Options(j), 43, 8)) << NameOf(j);
  }
}

// Over many seeds: every wait inside the article's bounds, and the bounds actually reached (a
// formula that only ever returned the midpoint would pass a bounds-only test).
TEST(BackoffTest, FullJitterSpansZeroToTheCeiling) {
  const auto o = Options(Jitter::kFull);
  for (int n = 0; n < 6; ++n) {
    const Duration ceiling = Backoff::Ceiling(o, n);
    Duration lo = Duration::max(), hi = Duration::zero();
    double sum = 0;
    for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
      const Duration d = Draw(o, seed, n + 1).back();
      ASSERT_GE(d, Duration::zero());
      ASSERT_LE(d, ceiling);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
      sum += static_cast<double>(d.count());
    }
    EXPECT_LT(lo, ceiling / 50) << n;
    EXPECT_GT(hi, ceiling * 49 / 50) << n;
    EXPECT_NEAR(sum / 2000 / static_cast<double>(ceiling.count()), 0.5, 0.05) << n;
  }
}

TEST(BackoffTest, EqualJitterKeepsHalfTheCeiling) {
  const auto o = Options(Jitter::kEqual);
  for (int n = 0; n < 6; ++n) {
    const Duration ceiling = Backoff::Ceiling(o, n);
    Duration lo = Duration::max(), hi = Duration::zero();
    for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
      const Duration d = Draw(o, seed, n + 1).back();
      ASSERT_GE(d, ceiling - ceiling / 2);
      ASSERT_LE(d, ceiling);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    EXPECT_LT(lo, ceiling / 2 + ceiling / 50) << n;
    EXPECT_GT(hi, ceiling * 49 / 50) << n;
  }
}

TEST(BackoffTest, DecorrelatedJitterStaysBetweenBaseAndThreeTimesThePrevious) {
  const auto o = Options(Jitter::kDecorrelated);
  bool reached_cap = false;
  for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
    Duration previous = o.base;
    for (Duration d : Draw(o, seed, 10)) {
      ASSERT_GE(d, o.base);
      ASSERT_LE(d, o.max);
      ASSERT_LE(d, previous * 3);
      reached_cap = reached_cap || d == o.max;
      previous = d;
    }
  }
  // The article's formula clamps draws above the cap onto it, so the cap carries real mass.
  EXPECT_TRUE(reached_cap);
}

TEST(BackoffTest, NamesAreStable) {
  EXPECT_EQ(NameOf(Jitter::kDecorrelated), "decorrelated");
  EXPECT_EQ(NameOf(BackoffKind::kConstant), "constant");
}

}  // namespace
}  // namespace reliability
