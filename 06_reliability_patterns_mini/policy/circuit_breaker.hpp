// A circuit breaker: stop sending to an upstream that is failing, give it time, then test it with
// a few probes before trusting it again. The state machine (resilience4j's, with the seed's bugs
// fixed):
//
//   CLOSED ──(≥ minimum_calls in the window and failure rate or slow-call rate ≥ threshold)──► OPEN
//   OPEN ──(open_wait elapsed; checked lazily by the next call)──► HALF_OPEN
//   HALF_OPEN: admits exactly `half_open_probes` calls; all succeed ──► CLOSED (fresh window);
//              one fails or is slow ──► OPEN (the wait starts again)
//   FORCED_OPEN (operator): rejects everything until Close()/Reset();  DISABLED: admits everything,
//   records nothing.
//
// Every call takes a permit and hands it back with its outcome. A probe whose outcome is ignored
// (cancelled, lost a hedge race, rate-limited) returns its permit, so another call may probe — the
// breaker can never be stuck in HALF_OPEN waiting for results that will not come (resilience4j
// #544: an ignored exception in HALF_OPEN kept its permit forever; #903 and #935 likewise). Each
// permit carries the epoch it was issued in; a result that arrives after a
// transition is dropped instead of polluting the new state's counts.
//
//   ```cpp
//   core::SystemClock clock;
//   reliability::CircuitBreaker breaker({.window_size = 20, .minimum_calls = 10}, clock);
//   // One call through the breaker: nullopt when it refuses (fail fast, the upstream is spared).
//   std::optional<int> Call(const std::function<int()>& upstream) {
//     const reliability::BreakerPermit permit = breaker.TryAcquire();
//     if (!permit.granted) return std::nullopt;
//     const core::Clock::time_point start = clock.Now();
//     reliability::HttpAttemptFacts facts;
//     facts.status = upstream();
//     const auto outcome = reliability::ClassifyHttp(facts, std::chrono::system_clock::now());
//     breaker.Record(permit, outcome.health, clock.Now() - start);  // once per granted permit
//     return facts.status;
//   }
//   ```
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "06_reliability_patterns_mini/policy/classify.hpp"
#include "06_reliability_patterns_mini/policy/windowed_counts.hpp"
#include "core/base/clock.hpp"
#include "core/base/mutex.hpp"

namespace reliability {

enum class BreakerState { kClosed, kOpen, kHalfOpen, kForcedOpen, kDisabled };
inline constexpr int kBreakerStates = 5;
std::string_view NameOf(BreakerState state) noexcept;  // closed, open, half_open, forced_open...

enum class WindowType { kCount, kTime };
std::string_view NameOf(WindowType type) noexcept;  // "count" | "time"

// Defaults: resilience4j's CircuitBreakerConfig (count window of 100, minimum 100 calls, 50 %
// failures, slow calls at 100 % over 60 s — i.e. off unless configured) except two. open_wait is
// Polly v8's 5 s, not resilience4j's 60 s: an RPC upstream that restarts is back in seconds, and a
// minute of refusals is a self-inflicted outage. half_open_probes is 3, between Polly's single
// probe (one lucky success closes the breaker on a half-dead upstream) and resilience4j's 10
// (requiring ten straight successes from an upstream with a 5 % residual error rate closes it only
// 60 % of the time; three succeed 86 % of the time).
struct BreakerOptions {
  WindowType window = WindowType::kCount;  // count: the last N calls; time: the last N seconds
  int window_size = 100;                   // calls (count) or seconds (time), >= 1
  int minimum_calls = 100;  // no verdict from fewer calls in the window (capped at a count window)
  double failure_rate = 0.5;    // trip when failures / calls >= this, (0, 1]
  double slow_call_rate = 1.0;  // trip when slow / calls >= this, (0, 1]
  core::Clock::duration slow_call = std::chrono::seconds(60);  // a call this long is slow
  core::Clock::duration open_wait = std::chrono::seconds(5);   // OPEN → HALF_OPEN after this
  int half_open_probes = 3;  // calls admitted in HALF_OPEN, all must succeed, >= 1
};

// What TryAcquire hands out; give it back to Record exactly once when granted.
struct BreakerPermit {
  bool granted = false;
  bool probe = false;                          // issued in HALF_OPEN
  std::uint64_t epoch = 0;                     // the state instance it belongs to
  BreakerState state = BreakerState::kClosed;  // the state that decided
};

struct BreakerTransition {
  BreakerState from = BreakerState::kClosed;
  BreakerState to = BreakerState::kClosed;
  core::Clock::time_point at{};
  std::string_view reason;  // static text: failure_rate, slow_call_rate, open_wait_elapsed, ...
};

struct BreakerStats {
  std::uint64_t successes = 0, failures = 0, slow = 0, ignored = 0;
  std::uint64_t rejected = 0;                               // calls not permitted
  std::array<std::uint64_t, kBreakerStates> transitions{};  // by the state entered
};

struct BreakerSnapshot {
  BreakerState state = BreakerState::kClosed;
  std::uint64_t calls = 0, failures = 0, slow = 0;  // in the window
  double failure_rate = -1;                         // -1 below minimum_calls
  double slow_call_rate = -1;
  int probes_in_flight = 0, probe_successes = 0;
  core::Clock::duration open_remaining{};  // until HALF_OPEN (OPEN only)
  std::vector<BreakerTransition> recent;   // the last transitions, oldest first
  BreakerStats stats;
};

// Thread-safe: one mutex, held for a few dozen instructions per call. The listener runs after the
// lock is released, on the thread that caused the transition; it must not block.
class CircuitBreaker {
 public:
  using Listener = std::function<void(const BreakerTransition&)>;

  CircuitBreaker(const BreakerOptions& options, core::Clock& clock, Listener listener = {});

  // A permit for one call, or granted == false (counted in stats.rejected) when OPEN, FORCED_OPEN,
  // or HALF_OPEN with every probe already out.
  BreakerPermit TryAcquire();
  // The outcome of a permitted call that took `elapsed`. kIgnored records nothing and frees a
  // probe slot. Ignores permits that were not granted or belong to an earlier epoch.
  void Record(const BreakerPermit& permit, Health health, core::Clock::duration elapsed);

  void ForceOpen();  // → FORCED_OPEN
  void Close();      // → CLOSED with an empty window (from any state)
  void Reset();      // → CLOSED with an empty window; the recent-transition log is cleared too
  void Disable();    // → DISABLED

  BreakerState state();  // (moves OPEN → HALF_OPEN if the wait has elapsed)
  BreakerSnapshot Snapshot();
  const BreakerOptions& options() const noexcept { return options_; }

 private:
  struct Pending {
    bool fired = false;
    BreakerTransition transition;
  };
  void TransitionLocked(BreakerState to, std::string_view reason, core::Clock::time_point now,
                        Pending& pending) SD_REQUIRES(mu_);
  void MaybeHalfOpenLocked(core::Clock::time_point now, Pending& pending) SD_REQUIRES(mu_);
  void RecordInWindowLocked(bool failure, bool slow, core::Clock::time_point now) SD_REQUIRES(mu_);
  void WindowTotalsLocked(core::Clock::time_point now, std::uint64_t& calls,
                          std::uint64_t& failures, std::uint64_t& slow) SD_REQUIRES(mu_);
  void ClearWindowLocked() SD_REQUIRES(mu_);
  std::uint64_t MinimumCalls() const noexcept SD_REQUIRES(mu_);
  void Notify(const Pending& pending);
  void OperatorTransition(BreakerState to, std::string_view reason, bool clear_log = false);

  const BreakerOptions options_;
  core::Clock& clock_;
  Listener listener_;

  core::Mutex mu_;
  BreakerState state_ SD_GUARDED_BY(mu_) = BreakerState::kClosed;
  std::uint64_t epoch_ SD_GUARDED_BY(mu_) = 1;
  core::Clock::time_point opened_at_ SD_GUARDED_BY(mu_){};
  int probes_in_flight_ SD_GUARDED_BY(mu_) = 0;
  int probe_successes_ SD_GUARDED_BY(mu_) = 0;
  // Count window: a ring of the last window_size outcomes (bit 0 failure, bit 1 slow).
  std::vector<std::uint8_t> ring_ SD_GUARDED_BY(mu_);
  std::size_t ring_next_ SD_GUARDED_BY(mu_) = 0;
  std::size_t ring_filled_ SD_GUARDED_BY(mu_) = 0;
  std::uint64_t ring_failures_ SD_GUARDED_BY(mu_) = 0;
  std::uint64_t ring_slow_ SD_GUARDED_BY(mu_) = 0;
  // Time window: calls, failures, slow per one-second slot.
  WindowedCounts<3> time_window_ SD_GUARDED_BY(mu_);
  std::vector<BreakerTransition> recent_ SD_GUARDED_BY(mu_);  // ring of kRecent
  std::size_t recent_next_ SD_GUARDED_BY(mu_) = 0;
  BreakerStats stats_ SD_GUARDED_BY(mu_);
};

}  // namespace reliability
