#include "06_reliability_patterns_mini/policy/circuit_breaker.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace reliability {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class CircuitBreakerTest : public ::testing::Test {
 protected:
  // A small count window: 10 calls, verdict from 10, 50 %, 3 probes, 5 s open.
  static BreakerOptions Small() {
    BreakerOptions o;
    o.window = WindowType::kCount;
    o.window_size = 10;
    o.minimum_calls = 10;
    o.failure_rate = 0.5;
    o.slow_call_rate = 1.0;
    o.slow_call = seconds(2);
    o.open_wait = seconds(5);
    o.half_open_probes = 3;
    return o;
  }

  void Make(const BreakerOptions& o) {
    breaker_ = std::make_unique<CircuitBreaker>(o, clock_, [this](const BreakerTransition& t) {
      events_.push_back(std::string(NameOf(t.from)) + ">" + std::string(NameOf(t.to)) + ":" +
                        std::string(t.reason));
    });
  }

  // One call with the given outcome; returns whether it was permitted.
  bool Call(Health health, core::Clock::duration elapsed = milliseconds(10)) {
    const BreakerPermit p = breaker_->TryAcquire();
    if (!p.granted) return false;
    breaker_->Record(p, health, elapsed);
    return true;
  }
  void Calls(int n, Health health) {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(Call(health));
  }
  void Trip() {
    Calls(10, Health::kFailure);
    ASSERT_EQ(breaker_->state(), BreakerState::kOpen);
  }
  void TripAndWait() {
    Trip();
    clock_.Advance(seconds(5));
    ASSERT_EQ(breaker_->state(), BreakerState::kHalfOpen);
  }

  core::FakeClock clock_;
  std::unique_ptr<CircuitBreaker> breaker_;
  std::vector<std::string> events_;
};

TEST_F(CircuitBreakerTest, StaysClosedBelowTheMinimumNumberOfCalls) {
  Make(Small());
  Calls(9, Health::kFailure);  // 100 % failures, but only 9 calls
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  EXPECT_EQ(breaker_->Snapshot().failure_rate, -1);
}

TEST_F(CircuitBreakerTest, OpensWhenTheFailureRateReachesTheThreshold) {
  Make(Small());
  Calls(5, Health::kSuccess);
  Calls(4, Health::kFailure);
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  Calls(1, Health::kFailure);  // 5 of 10 = 50 %: the threshold itself trips
  EXPECT_EQ(breaker_->state(), BreakerState::kOpen);
  EXPECT_EQ(events_, std::vector<std::string>{"closed>open:failure_rate"});
}

TEST_F(CircuitBreakerTest, JustUnderTheThresholdStaysClosed) {
  Make(Small());
  Calls(6, Health::kSuccess);
  Calls(4, Health::kFailure);  // 40 %
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  EXPECT_DOUBLE_EQ(breaker_->Snapshot().failure_rate, 0.4);
}

TEST_F(CircuitBreakerTest, TheCountWindowForgetsTheOldestCall) {
  Make(Small());
  Calls(4, Health::kFailure);
  Calls(6, Health::kSuccess);  // 40 %
  Calls(4, Health::kSuccess);  // the four failures slide out
  const auto s = breaker_->Snapshot();
  EXPECT_EQ(s.calls, 10u);
  EXPECT_EQ(s.failures, 0u);
  Calls(4, Health::kFailure);  // 40 % again, not 80 %
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, MinimumCallsIsCappedAtTheCountWindow) {
  auto o = Small();
  o.minimum_calls = 100;  // more than the window can ever hold
  Make(o);
  Calls(10, Health::kFailure);
  EXPECT_EQ(breaker_->state(), BreakerState::kOpen);
}

TEST_F(CircuitBreakerTest, TheTimeWindowForgetsOldCalls) {
  auto o = Small();
  o.window = WindowType::kTime;
  o.window_size = 10;  // seconds
  o.minimum_calls = 4;
  Make(o);
  Calls(3, Health::kFailure);
  clock_.Advance(seconds(10));  // those three are gone
  Calls(1, Health::kFailure);
  Calls(3, Health::kSuccess);  // 1 of 4
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  EXPECT_EQ(breaker_->Snapshot().calls, 4u);
  ASSERT_TRUE(Call(Health::kFailure));  // 2 of 5
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  ASSERT_TRUE(Call(Health::kFailure));  // 3 of 6
  EXPECT_EQ(breaker_->state(), BreakerState::kOpen);
}

TEST_F(CircuitBreakerTest, OpensOnTheSlowCallRate) {
  auto o = Small();
  o.slow_call_rate = 0.5;
  Make(o);
  Calls(5, Health::kSuccess);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Call(Health::kSuccess, seconds(2)));  // slow, exactly
  ASSERT_TRUE(Call(Health::kSuccess, seconds(2) - milliseconds(1)));            // not slow: 4 of 10
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  EXPECT_DOUBLE_EQ(breaker_->Snapshot().slow_call_rate, 0.4);
  ASSERT_TRUE(Call(Health::kSuccess, seconds(3)));  // a fast one slides out: 5 of 10
  EXPECT_EQ(breaker_->state(), BreakerState::kOpen);
  EXPECT_EQ(events_.back(), "closed>open:slow_call_rate");
}

TEST_F(CircuitBreakerTest, IgnoredOutcomesAreNotCounted) {
  Make(Small());
  Calls(20, Health::kIgnored);
  EXPECT_EQ(breaker_->Snapshot().calls, 0u);
  EXPECT_EQ(breaker_->Snapshot().stats.ignored, 20u);
}

TEST_F(CircuitBreakerTest, OpenRejectsUntilTheWaitHasElapsedToTheNanosecond) {
  Make(Small());
  Trip();
  EXPECT_FALSE(Call(Health::kSuccess));
  EXPECT_EQ(breaker_->Snapshot().open_remaining, seconds(5));
  clock_.Advance(seconds(5) - std::chrono::nanoseconds(1));
  EXPECT_FALSE(Call(Health::kSuccess));
  EXPECT_EQ(breaker_->Snapshot().stats.rejected, 2u);
  clock_.Advance(std::chrono::nanoseconds(1));
  EXPECT_EQ(breaker_->state(), BreakerState::kHalfOpen);
  EXPECT_EQ(events_.back(), "open>half_open:open_wait_elapsed");
}

TEST_F(CircuitBreakerTest, HalfOpenAdmitsExactlyTheConfiguredProbes) {
  Make(Small());
  TripAndWait();
  std::vector<BreakerPermit> probes;
  for (int i = 0; i < 3; ++i) {
    probes.push_back(breaker_->TryAcquire());
    ASSERT_TRUE(probes.back().granted);
    EXPECT_TRUE(probes.back().probe);
  }
  EXPECT_FALSE(breaker_->TryAcquire().granted);  // the fourth waits for the verdict
  EXPECT_EQ(breaker_->Snapshot().probes_in_flight, 3);
  breaker_->Record(probes[0], Health::kSuccess, milliseconds(1));
  EXPECT_FALSE(breaker_->TryAcquire().granted);  // a success does not free a probe slot
  breaker_->Record(probes[1], Health::kSuccess, milliseconds(1));
  EXPECT_EQ(breaker_->state(), BreakerState::kHalfOpen);
  breaker_->Record(probes[2], Health::kSuccess, milliseconds(1));
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  EXPECT_EQ(events_.back(), "half_open>closed:probes_succeeded");
  EXPECT_EQ(breaker_->Snapshot().calls, 0u);  // a fresh window
}

TEST_F(CircuitBreakerTest, OneFailedProbeReopensAndRestartsTheWait) {
  Make(Small());
  TripAndWait();
  ASSERT_TRUE(Call(Health::kSuccess));
  ASSERT_TRUE(Call(Health::kSuccess));
  ASSERT_TRUE(Call(Health::kFailure));
  EXPECT_EQ(breaker_->state(), BreakerState::kOpen);
  EXPECT_EQ(events_.back(), "half_open>open:probe_failed");
  clock_.Advance(seconds(4));
  EXPECT_EQ(breaker_->state(), BreakerState::kOpen);
  clock_.Advance(seconds(1));
  EXPECT_EQ(breaker_->state(), BreakerState::kHalfOpen);
}

TEST_F(CircuitBreakerTest, ASlowProbeReopens) {
  Make(Small());
  TripAndWait();
  ASSERT_TRUE(Call(Health::kSuccess, seconds(2)));
  EXPECT_EQ(breaker_->state(), BreakerState::kOpen);
  EXPECT_EQ(events_.back(), "half_open>open:probe_slow");
}

// resilience4j #544: a probe whose outcome is ignored must give its permit back.
TEST_F(CircuitBreakerTest, AnIgnoredOrCancelledProbeReleasesItsPermit) {
  auto o = Small();
  o.half_open_probes = 1;
  Make(o);
  TripAndWait();
  const BreakerPermit probe = breaker_->TryAcquire();
  ASSERT_TRUE(probe.granted);
  EXPECT_FALSE(breaker_->TryAcquire().granted);
  breaker_->Record(probe, Health::kIgnored, milliseconds(1));  // cancelled: no verdict
  EXPECT_EQ(breaker_->state(), BreakerState::kHalfOpen);
  const BreakerPermit next = breaker_->TryAcquire();
  ASSERT_TRUE(next.granted);
  breaker_->Record(next, Health::kSuccess, milliseconds(1));
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, ResultsFromBeforeATransitionAreDropped) {
  Make(Small());
  const BreakerPermit old = breaker_->TryAcquire();  // issued while closed
  TripAndWait();
  const BreakerPermit probe = breaker_->TryAcquire();
  breaker_->Record(old, Health::kFailure, milliseconds(1));  // late: must not reopen
  EXPECT_EQ(breaker_->state(), BreakerState::kHalfOpen);
  breaker_->Record(old, Health::kSuccess, milliseconds(1));  // nor count as a probe
  EXPECT_EQ(breaker_->Snapshot().probe_successes, 0);
  breaker_->Record(probe, Health::kSuccess, milliseconds(1));
  EXPECT_EQ(breaker_->Snapshot().probe_successes, 1);
}

TEST_F(CircuitBreakerTest, ARefusedPermitRecordsNothing) {
  Make(Small());
  Trip();
  const BreakerPermit refused = breaker_->TryAcquire();
  ASSERT_FALSE(refused.granted);
  breaker_->Record(refused, Health::kSuccess, milliseconds(1));
  EXPECT_EQ(breaker_->Snapshot().stats.successes, 0u);
}

TEST_F(CircuitBreakerTest, ForcedOpenIgnoresTheWaitUntilClosed) {
  Make(Small());
  breaker_->ForceOpen();
  clock_.Advance(std::chrono::hours(1));
  EXPECT_FALSE(Call(Health::kSuccess));
  EXPECT_EQ(breaker_->state(), BreakerState::kForcedOpen);
  breaker_->Close();
  EXPECT_TRUE(Call(Health::kSuccess));
  EXPECT_EQ(events_, (std::vector<std::string>{"closed>forced_open:forced_open",
                                               "forced_open>closed:closed_by_operator"}));
}

TEST_F(CircuitBreakerTest, DisabledAdmitsEverythingAndNeverTrips) {
  Make(Small());
  breaker_->Disable();
  Calls(50, Health::kFailure);
  EXPECT_EQ(breaker_->state(), BreakerState::kDisabled);
  breaker_->Reset();
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
}

TEST_F(CircuitBreakerTest, ResetClosesWithAnEmptyWindowAndLog) {
  Make(Small());
  Trip();
  breaker_->Reset();
  const auto s = breaker_->Snapshot();
  EXPECT_EQ(s.state, BreakerState::kClosed);
  EXPECT_EQ(s.calls, 0u);
  ASSERT_EQ(s.recent.size(), 1u);
  EXPECT_EQ(s.recent[0].reason, "reset");
  EXPECT_EQ(s.stats.transitions[static_cast<int>(BreakerState::kOpen)], 1u);  // counters stay
}

TEST_F(CircuitBreakerTest, RecentTransitionsKeepTheLastSixteenOldestFirst) {
  Make(Small());
  for (int i = 0; i < 10; ++i) {
    breaker_->ForceOpen();
    breaker_->Close();
  }
  const auto s = breaker_->Snapshot();
  ASSERT_EQ(s.recent.size(), 16u);
  EXPECT_EQ(s.recent.front().to, BreakerState::kForcedOpen);
  EXPECT_EQ(s.recent.back().to, BreakerState::kClosed);
  for (std::size_t i = 1; i < s.recent.size(); ++i) EXPECT_NE(s.recent[i].to, s.recent[i - 1].to);
  EXPECT_EQ(s.stats.transitions[static_cast<int>(BreakerState::kClosed)], 10u);
}

TEST_F(CircuitBreakerTest, TheWholeStoryOfAnOutage) {
  Make(Small());
  Calls(10, Health::kSuccess);
  Calls(5, Health::kFailure);  // the outage begins: 5 of the last 10 failed
  EXPECT_FALSE(Call(Health::kSuccess));
  clock_.Advance(seconds(5));
  ASSERT_TRUE(Call(Health::kFailure));  // still down
  clock_.Advance(seconds(5));
  Calls(3, Health::kSuccess);  // recovered
  EXPECT_EQ(breaker_->state(), BreakerState::kClosed);
  EXPECT_EQ(events_, (std::vector<std::string>{
                         "closed>open:failure_rate", "open>half_open:open_wait_elapsed",
                         "half_open>open:probe_failed", "open>half_open:open_wait_elapsed",
                         "half_open>closed:probes_succeeded"}));
}

}  // namespace
}  // namespace reliability
