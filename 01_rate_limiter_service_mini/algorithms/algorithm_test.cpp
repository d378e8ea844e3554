#include "01_rate_limiter_service_mini/algorithms/algorithm.hpp"

#include <gtest/gtest.h>

namespace ratelimit {
namespace {

using std::chrono::seconds;

TEST(AlgorithmTest, NamesRoundTrip) {
  for (Algorithm a : {Algorithm::kTokenBucket, Algorithm::kGcra, Algorithm::kSlidingWindow}) {
    EXPECT_EQ(ParseAlgorithm(NameOf(a)), a);
  }
  EXPECT_FALSE(ParseAlgorithm("leaky_bucket"));
  EXPECT_FALSE(ParseAlgorithm("TOKEN_BUCKET"));
}

TEST(AlgorithmTest, FreshStateHoldsTheAlgorithmsAlternative) {
  core::FakeClock clock;
  const Quota q;
  EXPECT_TRUE(std::holds_alternative<TokenBucket::State>(
      FreshState(Algorithm::kTokenBucket, q, clock.Now())));
  EXPECT_TRUE(std::holds_alternative<Gcra::State>(FreshState(Algorithm::kGcra, q, clock.Now())));
  EXPECT_TRUE(std::holds_alternative<SlidingWindow::State>(
      FreshState(Algorithm::kSlidingWindow, q, clock.Now())));
}

TEST(AlgorithmTest, DecideDispatchesToTheNamedAlgorithm) {
  core::FakeClock clock;
  const Quota q = Quota::Make(Rate{2, seconds(1)}, 2).value();
  AlgorithmState state = FreshState(Algorithm::kGcra, q, clock.Now());
  ASSERT_TRUE(Decide(Algorithm::kGcra, q, state, 1, clock.Now()).allowed);
  EXPECT_EQ(std::get<Gcra::State>(state).tat_ns,
            clock.Now().time_since_epoch().count() + 500'000'000);
}

TEST(AlgorithmTest, StateOfAnotherAlgorithmIsReplacedByAFreshOne) {
  core::FakeClock clock;
  const Quota q = Quota::Make(Rate{2, seconds(1)}, 2).value();
  AlgorithmState state = FreshState(Algorithm::kTokenBucket, q, clock.Now());
  ASSERT_TRUE(Decide(Algorithm::kTokenBucket, q, state, 2, clock.Now()).allowed);
  // The rule now says GCRA: the drained bucket is not reinterpreted as a timestamp.
  const Decision d = Decide(Algorithm::kGcra, q, state, 1, clock.Now());
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
  EXPECT_TRUE(std::holds_alternative<Gcra::State>(state));
}

}  // namespace
}  // namespace ratelimit
