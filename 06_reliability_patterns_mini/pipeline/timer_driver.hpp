// How the pipeline's timers follow its clock. With the real clock an Asio steady_timer simply
// expires at the deadline. With a FakeClock, FakeTimerDriver holds the timers and fires those
// whose deadline the test has moved the clock past — so a test can run a call through backoff
// sleeps, attempt timeouts and hedge delays in virtual time, deterministically, without sleeping.
//
// Waiters never trust the wait's error code: they wake, look at the clock and at their state, and
// decide. That lets a fake "fire" be a plain cancel, and a wake-up by a finished child, a fired
// timer and a caller's cancellation all go through one path.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <optional>
#include <unordered_map>

#include "core/base/clock.hpp"

namespace reliability {

namespace net = boost::asio;

class TimerDriver {
 public:
  virtual ~TimerDriver() = default;
  // Arms `timer` so that a wait on it ends at `when` (the driver's clock) at the latest.
  // Re-arming replaces the earlier deadline. Call on the timer's executor.
  virtual void Arm(net::steady_timer& timer, core::Clock::time_point when) = 0;
  // `timer` is going away; the driver must not touch it again.
  virtual void Forget(net::steady_timer& timer) noexcept = 0;
};

// For core::SystemClock (the same steady_clock Asio's timers use). Stateless, thread-safe.
class SteadyTimerDriver final : public TimerDriver {
 public:
  void Arm(net::steady_timer& timer, core::Clock::time_point when) override {
    timer.expires_at(when);
  }
  void Forget(net::steady_timer&) noexcept override {}
  static SteadyTimerDriver& Instance() noexcept;
};

// For tests on a FakeClock. Single-threaded: use it from the thread that runs the io_context.
class FakeTimerDriver final : public TimerDriver {
 public:
  explicit FakeTimerDriver(core::FakeClock& clock) : clock_(clock) {}

  void Arm(net::steady_timer& timer, core::Clock::time_point when) override;
  void Forget(net::steady_timer& timer) noexcept override;

  // Moves the clock to the earliest armed deadline (if later than now) and fires every timer due
  // by then. false when nothing is armed.
  bool AdvanceToNext();
  // Moves the clock by `d` and fires every timer due by then.
  void Advance(core::Clock::duration d);
  // The earliest armed deadline, if any.
  std::optional<core::Clock::time_point> Next() const;
  std::size_t armed() const noexcept { return armed_.size(); }
  core::FakeClock& clock() noexcept { return clock_; }

 private:
  void FireDue();

  using ByTime = std::multimap<core::Clock::time_point, net::steady_timer*>;
  core::FakeClock& clock_;
  ByTime by_time_;  // earliest first: AdvanceToNext is O(log n) with thousands armed
  std::unordered_map<net::steady_timer*, ByTime::iterator> armed_;
};

}  // namespace reliability
