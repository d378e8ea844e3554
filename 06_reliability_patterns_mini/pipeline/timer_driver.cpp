#include "06_reliability_patterns_mini/pipeline/timer_driver.hpp"

namespace reliability {

SteadyTimerDriver& SteadyTimerDriver::Instance() noexcept {
  static SteadyTimerDriver driver;
  return driver;
}

void FakeTimerDriver::Arm(net::steady_timer& timer, core::Clock::time_point when) {
  Forget(timer);
  if (when <= clock_.Now()) {
    timer.expires_at(net::steady_timer::time_point::min());  // due: a wait ends at once
    return;
  }
  timer.expires_at(net::steady_timer::time_point::max());  // only FireDue ends the wait
  armed_.emplace(&timer, by_time_.emplace(when, &timer));
}

void FakeTimerDriver::Forget(net::steady_timer& timer) noexcept {
  auto it = armed_.find(&timer);
  if (it == armed_.end()) return;
  by_time_.erase(it->second);
  armed_.erase(it);
}

void FakeTimerDriver::FireDue() {
  const auto now = clock_.Now();
  while (!by_time_.empty() && by_time_.begin()->first <= now) {
    net::steady_timer* timer = by_time_.begin()->second;
    by_time_.erase(by_time_.begin());
    armed_.erase(timer);
    timer->cancel();  // the waiter wakes, sees the clock, and knows its time has come
  }
}

std::optional<core::Clock::time_point> FakeTimerDriver::Next() const {
  if (by_time_.empty()) return std::nullopt;
  return by_time_.begin()->first;
}

bool FakeTimerDriver::AdvanceToNext() {
  const auto next = Next();
  if (!next) return false;
  if (*next > clock_.Now()) clock_.Set(*next);
  FireDue();
  return true;
}

void FakeTimerDriver::Advance(core::Clock::duration d) {
  clock_.Advance(d);
  FireDue();
}

}  // namespace reliability
