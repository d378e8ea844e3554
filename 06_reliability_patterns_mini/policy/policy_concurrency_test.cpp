// The policies shared by every call to an upstream, driven from several threads at once. Run under
// TSan in CI (label `tsan`): data races show up there; the invariants are checked here.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "06_reliability_patterns_mini/policy/adaptive_throttle.hpp"
#include "06_reliability_patterns_mini/policy/bulkhead.hpp"
#include "06_reliability_patterns_mini/policy/circuit_breaker.hpp"
#include "06_reliability_patterns_mini/policy/hedging.hpp"
#include "06_reliability_patterns_mini/policy/retry_budget.hpp"

namespace reliability {
namespace {

using std::chrono::milliseconds;
constexpr int kThreads = 4;

template <class F>
void RunThreads(F f) {
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(f, t);
  for (auto& th : threads) th.join();
}

TEST(PolicyConcurrencyTest, HalfOpenNeverHasMoreProbesOutThanAllowed) {
  core::FakeClock clock;
  BreakerOptions o;
  o.window_size = 10;
  o.minimum_calls = 10;
  o.open_wait = milliseconds(1);
  o.half_open_probes = 2;
  CircuitBreaker breaker(o, clock);
  std::atomic<int> probes_out{0}, max_probes_out{0};
  RunThreads([&](int t) {
    SeededRandom random(static_cast<std::uint64_t>(t) + 1);
    for (int i = 0; i < 20'000; ++i) {
      if (i % 64 == 0) clock.Advance(milliseconds(1));  // every thread moves time along
      const BreakerPermit p = breaker.TryAcquire();
      if (!p.granted) continue;
      if (p.probe) {
        const int now_out = ++probes_out;
        int seen = max_probes_out.load();
        while (now_out > seen && !max_probes_out.compare_exchange_weak(seen, now_out)) {
        }
      }
      const auto r = random.Next() % 10;
      const Health h = r < 4 ? Health::kFailure : r < 5 ? Health::kIgnored : Health::kSuccess;
      if (p.probe) --probes_out;  // before Record: once recorded, the slot may be reissued
      breaker.Record(p, h, milliseconds(1));
    }
  });
  EXPECT_LE(max_probes_out.load(), 2);
  const auto s = breaker.Snapshot();
  EXPECT_GT(s.stats.transitions[static_cast<int>(BreakerState::kOpen)], 0u);
  EXPECT_GT(s.stats.transitions[static_cast<int>(BreakerState::kHalfOpen)], 0u);
  EXPECT_LE(s.probes_in_flight, 2);
  EXPECT_GE(s.probes_in_flight, 0);
}

TEST(PolicyConcurrencyTest, BulkheadNeverExceedsItsLimitAndEndsEmpty) {
  Bulkhead bulkhead({.max_concurrent = 3, .max_queue = 2, .max_wait = milliseconds(10)});
  std::atomic<int> inside{0}, max_inside{0};
  struct SpinWaiter final : Bulkhead::Waiter {
    void Granted() noexcept override { granted.store(true, std::memory_order_release); }
    std::atomic<bool> granted{false};
  };
  RunThreads([&](int t) {
    for (int i = 0; i < 20'000; ++i) {
      SpinWaiter w;
      auto a = bulkhead.TryAcquire(&w);
      if (a == Bulkhead::Admission::kRejected) continue;
      if (a == Bulkhead::Admission::kQueued) {
        // Wait a little, then give up half of the time (the permit may arrive meanwhile).
        for (int spin = 0; spin < 100 && !w.granted.load(std::memory_order_acquire); ++spin) {
          std::this_thread::yield();
        }
        if (!w.granted.load(std::memory_order_acquire) && (i + t) % 2 == 0 && bulkhead.Cancel(&w)) {
          continue;
        }
        while (!w.granted.load(std::memory_order_acquire)) std::this_thread::yield();
      }
      const int now_inside = ++inside;
      int seen = max_inside.load();
      while (now_inside > seen && !max_inside.compare_exchange_weak(seen, now_inside)) {
      }
      --inside;
      bulkhead.Release();
    }
  });
  EXPECT_LE(max_inside.load(), 3);
  const auto s = bulkhead.Stats();
  EXPECT_EQ(s.in_use, 0);
  EXPECT_EQ(s.queued, 0);
  EXPECT_EQ(s.acquired + s.rejected + s.timed_out, static_cast<std::uint64_t>(kThreads) * 20'000);
}

TEST(PolicyConcurrencyTest, RetryBudgetNeverAllowsMoreThanItsShare) {
  core::FakeClock clock;  // time stands still: one window for the whole test
  RetryBudget budget({.ratio = 0.25, .min_per_second = 0, .window = std::chrono::seconds(10)},
                     clock);
  std::atomic<int> allowed{0};
  RunThreads([&](int) {
    for (int i = 0; i < 10'000; ++i) {
      budget.Deposit();
      allowed += budget.TryWithdraw() ? 1 : 0;
      allowed += budget.TryWithdraw() ? 1 : 0;
    }
  });
  EXPECT_LE(allowed.load(), kThreads * 10'000 / 4);
  EXPECT_GE(allowed.load(), kThreads * 10'000 / 4 - kThreads);  // at most the last few deposits
  EXPECT_EQ(budget.Stats().withdrawn, static_cast<std::uint64_t>(allowed.load()));
}

TEST(PolicyConcurrencyTest, ThrottleAndLatencyTrackerAreSafeToShare) {
  core::FakeClock clock;
  AdaptiveThrottle throttle({.k = 2, .window = std::chrono::seconds(60)}, clock);
  HedgeOptions ho;
  ho.min_samples = 10;
  ho.window = 100;
  LatencyTracker tracker(ho);
  RunThreads([&](int t) {
    SeededRandom random(static_cast<std::uint64_t>(t) + 11);
    for (int i = 0; i < 10'000; ++i) {
      if (throttle.Admit(random) && i % 3 != 0) throttle.RecordAccepted();
      tracker.Record(milliseconds(1 + i % 50));
      (void)tracker.Delay();
    }
  });
  const auto s = throttle.Stats();
  EXPECT_EQ(s.admitted + s.rejected, static_cast<std::uint64_t>(kThreads) * 10'000);
  EXPECT_EQ(tracker.samples(), static_cast<std::uint64_t>(kThreads) * 10'000);
  EXPECT_LE(tracker.Delay(), milliseconds(50));
}

}  // namespace
}  // namespace reliability
