#include "06_reliability_patterns_mini/policy/circuit_breaker.hpp"

#include <algorithm>

namespace reliability {
namespace {

constexpr std::size_t kRecent = 16;  // transitions kept for GET /v1/breakers
constexpr std::uint8_t kFailureBit = 1, kSlowBit = 2;

}  // namespace

std::string_view NameOf(BreakerState state) noexcept {
  switch (state) {
    case BreakerState::kClosed:
      return "closed";
    case BreakerState::kOpen:
      return "open";
    case BreakerState::kHalfOpen:
      return "half_open";
    case BreakerState::kForcedOpen:
      return "forced_open";
    case BreakerState::kDisabled:
      return "disabled";
  }
  return "closed";
}

std::string_view NameOf(WindowType type) noexcept {
  return type == WindowType::kCount ? "count" : "time";
}

CircuitBreaker::CircuitBreaker(const BreakerOptions& options, core::Clock& clock, Listener listener)
    : options_(options),
      clock_(clock),
      listener_(std::move(listener)),
      ring_(options.window == WindowType::kCount
                ? static_cast<std::size_t>(std::max(1, options.window_size))
                : 0),
      // Time window: one slot per second of the window (resilience4j's partial aggregations).
      time_window_(std::chrono::seconds(std::max(1, options.window_size)),
                   std::max(1, options.window_size)) {}

// A count window cannot hold more calls than its size, so its minimum is capped there
// (resilience4j does the same).
std::uint64_t CircuitBreaker::MinimumCalls() const noexcept {
  auto minimum = static_cast<std::uint64_t>(std::max(1, options_.minimum_calls));
  if (options_.window == WindowType::kCount)
    minimum = std::min<std::uint64_t>(minimum, ring_.size());
  return minimum;
}

void CircuitBreaker::Notify(const Pending& pending) {
  if (pending.fired && listener_) listener_(pending.transition);
}

void CircuitBreaker::TransitionLocked(BreakerState to, std::string_view reason,
                                      core::Clock::time_point now, Pending& pending) {
  const BreakerTransition t{.from = state_, .to = to, .at = now, .reason = reason};
  state_ = to;
  ++epoch_;  // results of permits issued before this moment no longer count
  probes_in_flight_ = 0;
  probe_successes_ = 0;
  if (to == BreakerState::kOpen) opened_at_ = now;
  if (to == BreakerState::kClosed) ClearWindowLocked();
  ++stats_.transitions[static_cast<std::size_t>(to)];
  if (recent_.size() < kRecent) {
    recent_.push_back(t);
  } else {
    recent_[recent_next_] = t;
  }
  recent_next_ = (recent_next_ + 1) % kRecent;
  pending = {.fired = true, .transition = t};
}

void CircuitBreaker::MaybeHalfOpenLocked(core::Clock::time_point now, Pending& pending) {
  if (state_ == BreakerState::kOpen && now - opened_at_ >= options_.open_wait) {
    TransitionLocked(BreakerState::kHalfOpen, "open_wait_elapsed", now, pending);
  }
}

void CircuitBreaker::ClearWindowLocked() {
  std::fill(ring_.begin(), ring_.end(), std::uint8_t{0});
  ring_next_ = ring_filled_ = 0;
  ring_failures_ = ring_slow_ = 0;
  time_window_.Clear();
}

void CircuitBreaker::RecordInWindowLocked(bool failure, bool slow, core::Clock::time_point now) {
  if (options_.window == WindowType::kCount) {
    std::uint8_t& slot = ring_[ring_next_];
    if (ring_filled_ == ring_.size()) {  // the oldest outcome leaves the window
      ring_failures_ -= (slot & kFailureBit) ? 1 : 0;
      ring_slow_ -= (slot & kSlowBit) ? 1 : 0;
    } else {
      ++ring_filled_;
    }
    slot = static_cast<std::uint8_t>((failure ? kFailureBit : 0) | (slow ? kSlowBit : 0));
    ring_failures_ += failure ? 1 : 0;
    ring_slow_ += slow ? 1 : 0;
    ring_next_ = (ring_next_ + 1) % ring_.size();
  } else {
    time_window_.Add(now, 0);
    if (failure) time_window_.Add(now, 1);
    if (slow) time_window_.Add(now, 2);
  }
}

void CircuitBreaker::WindowTotalsLocked(core::Clock::time_point now, std::uint64_t& calls,
                                        std::uint64_t& failures, std::uint64_t& slow) {
  if (options_.window == WindowType::kCount) {
    calls = ring_filled_;
    failures = ring_failures_;
    slow = ring_slow_;
  } else {
    const auto& t = time_window_.Totals(now);
    calls = t[0];
    failures = t[1];
    slow = t[2];
  }
}

BreakerPermit CircuitBreaker::TryAcquire() {
  Pending pending;
  BreakerPermit permit;
  {
    core::MutexLock lock(mu_);
    if (state_ == BreakerState::kOpen) MaybeHalfOpenLocked(clock_.Now(), pending);
    switch (state_) {
      case BreakerState::kClosed:
      case BreakerState::kDisabled:
        permit = {.granted = true, .probe = false, .epoch = epoch_, .state = state_};
        break;
      case BreakerState::kHalfOpen:
        if (probes_in_flight_ + probe_successes_ < options_.half_open_probes) {
          ++probes_in_flight_;
          permit = {.granted = true, .probe = true, .epoch = epoch_, .state = state_};
        }
        break;
      case BreakerState::kOpen:
      case BreakerState::kForcedOpen:
        break;
    }
    if (!permit.granted) {
      permit.state = state_;
      ++stats_.rejected;
    }
  }
  Notify(pending);
  return permit;
}

void CircuitBreaker::Record(const BreakerPermit& permit, Health health,
                            core::Clock::duration elapsed) {
  if (!permit.granted) return;
  Pending pending;
  {
    core::MutexLock lock(mu_);
    const bool slow = elapsed >= options_.slow_call;
    switch (health) {
      case Health::kSuccess:
        ++stats_.successes;
        break;
      case Health::kFailure:
        ++stats_.failures;
        break;
      case Health::kIgnored:
        ++stats_.ignored;
        break;
    }
    if (slow && health != Health::kIgnored) ++stats_.slow;
    if (permit.epoch != epoch_ || state_ == BreakerState::kDisabled) {
      // A result from before the last transition (or while disabled) changes nothing.
    } else if (state_ == BreakerState::kHalfOpen) {
      --probes_in_flight_;
      if (health == Health::kFailure) {
        TransitionLocked(BreakerState::kOpen, "probe_failed", clock_.Now(), pending);
      } else if (health == Health::kSuccess && slow) {
        TransitionLocked(BreakerState::kOpen, "probe_slow", clock_.Now(), pending);
      } else if (health == Health::kSuccess && ++probe_successes_ >= options_.half_open_probes) {
        TransitionLocked(BreakerState::kClosed, "probes_succeeded", clock_.Now(), pending);
      }
      // kIgnored: the permit is back (probes_in_flight_ went down), another call may probe.
    } else if (state_ == BreakerState::kClosed && health != Health::kIgnored) {
      // Only the time window needs the time on every call (one clock read less per call).
      const auto now =
          options_.window == WindowType::kTime ? clock_.Now() : core::Clock::time_point{};
      RecordInWindowLocked(health == Health::kFailure, slow, now);
      std::uint64_t calls, failures, slow_calls;
      WindowTotalsLocked(now, calls, failures, slow_calls);
      if (calls >= MinimumCalls()) {
        const auto n = static_cast<double>(calls);
        if (static_cast<double>(failures) / n >= options_.failure_rate) {
          TransitionLocked(BreakerState::kOpen, "failure_rate", clock_.Now(), pending);
        } else if (static_cast<double>(slow_calls) / n >= options_.slow_call_rate) {
          TransitionLocked(BreakerState::kOpen, "slow_call_rate", clock_.Now(), pending);
        }
      }
    }
  }
  Notify(pending);
}

void CircuitBreaker::OperatorTransition(BreakerState to, std::string_view reason, bool clear_log) {
  Pending pending;
  {
    core::MutexLock lock(mu_);
    if (clear_log) {
      recent_.clear();
      recent_next_ = 0;
    }
    TransitionLocked(to, reason, clock_.Now(), pending);
  }
  Notify(pending);
}

void CircuitBreaker::ForceOpen() { OperatorTransition(BreakerState::kForcedOpen, "forced_open"); }
void CircuitBreaker::Close() { OperatorTransition(BreakerState::kClosed, "closed_by_operator"); }
void CircuitBreaker::Reset() { OperatorTransition(BreakerState::kClosed, "reset", true); }
void CircuitBreaker::Disable() { OperatorTransition(BreakerState::kDisabled, "disabled"); }

BreakerState CircuitBreaker::state() {
  Pending pending;
  BreakerState s;
  {
    core::MutexLock lock(mu_);
    MaybeHalfOpenLocked(clock_.Now(), pending);
    s = state_;
  }
  Notify(pending);
  return s;
}

BreakerSnapshot CircuitBreaker::Snapshot() {
  Pending pending;
  BreakerSnapshot snap;
  {
    core::MutexLock lock(mu_);
    const auto now = clock_.Now();
    MaybeHalfOpenLocked(now, pending);
    snap.state = state_;
    WindowTotalsLocked(now, snap.calls, snap.failures, snap.slow);
    if (snap.calls >= MinimumCalls()) {
      snap.failure_rate = static_cast<double>(snap.failures) / static_cast<double>(snap.calls);
      snap.slow_call_rate = static_cast<double>(snap.slow) / static_cast<double>(snap.calls);
    }
    snap.probes_in_flight = probes_in_flight_;
    snap.probe_successes = probe_successes_;
    if (state_ == BreakerState::kOpen) {
      const auto until = opened_at_ + options_.open_wait;
      snap.open_remaining = until > now ? until - now : core::Clock::duration::zero();
    }
    // Oldest first: once the ring has wrapped, the oldest entry is the next to be overwritten.
    if (recent_.size() < kRecent) {
      snap.recent = recent_;
    } else {
      snap.recent.reserve(kRecent);
      for (std::size_t i = 0; i < kRecent; ++i) {
        snap.recent.push_back(recent_[(recent_next_ + i) % kRecent]);
      }
    }
    snap.stats = stats_;
  }
  Notify(pending);
  return snap;
}

}  // namespace reliability
