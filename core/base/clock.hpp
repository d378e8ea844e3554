// Time behind an interface (LevelDB's Env idea): domain code asks a Clock, tests pass a FakeClock
// and move time by hand, so nothing in a test sleeps to make time pass.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace core {

// Monotonic time for deadlines, rates and TTLs. Implementations are thread-safe.
class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;

  virtual ~Clock() = default;
  virtual time_point Now() const noexcept = 0;
};

// The real monotonic clock.
class SystemClock final : public Clock {
 public:
  time_point Now() const noexcept override { return std::chrono::steady_clock::now(); }
  // A process-wide instance for production wiring.
  static SystemClock& Instance() noexcept {
    static SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to. Starts at an arbitrary non-zero point so that code which
// treats time_point{} as "never" is exercised honestly.
class FakeClock final : public Clock {
 public:
  FakeClock() = default;
  explicit FakeClock(time_point start) : ns_(start.time_since_epoch().count()) {}

  time_point Now() const noexcept override {
    return time_point(duration(ns_.load(std::memory_order_acquire)));
  }
  void Advance(duration d) noexcept { ns_.fetch_add(d.count(), std::memory_order_acq_rel); }
  void Set(time_point t) noexcept {
    ns_.store(t.time_since_epoch().count(), std::memory_order_release);
  }

 private:
  std::atomic<std::int64_t> ns_{
      std::chrono::duration_cast<duration>(std::chrono::hours(1000)).count()};
};

}  // namespace core
