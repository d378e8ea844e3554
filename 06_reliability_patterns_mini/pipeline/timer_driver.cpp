#include "06_reliability_patterns_mini/pipeline/timer_driver.hpp"

#include <vector>

namespace reliability {

SteadyTimerDriver& SteadyTimerDriver::Instance() noexcept {
  static SteadyTimerDriver driver;
  return driver;
}

void FakeTimerDriver::Arm(net::steady_timer& timer, core::Clock::time_point when) {
  if (when <= clock_.Now()) {
    armed_.erase(&timer);
    timer.expires_at(net::steady_timer::time_point::min());  // due: a wait ends at once
    return;
  }
  timer.expires_at(net::steady_timer::time_point::max());  // only FireDue ends the wait
  armed_[&timer] = when;
}

void FakeTimerDriver::FireDue() {
  const auto now = clock_.Now();
  std::vector<net::steady_timer*> due;
  for (const auto& [timer, when] : armed_) {
    if (when <= now) due.push_back(timer);
  }
  for (net::steady_timer* timer : due) {
    armed_.erase(timer);
    timer->cancel();  // the waiter wakes, sees the clock, and knows its time has come
  }
}

std::optional<core::Clock::time_point> FakeTimerDriver::Next() const {
  if (armed_.empty()) return std::nullopt;
  auto earliest = core::Clock::time_point::max();
  for (const auto& [timer, when] : armed_) earliest = std::min(earliest, when);
  return earliest;
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
