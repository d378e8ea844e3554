// Lets one report through per interval and counts the rest: for events that can repeat thousands
// of times a second under attack (refused connections, accept failures) and must neither flood the
// log nor go unseen.
//
//   ```cpp
//   #include "core/base/log.hpp"
//   void OnRefused() {
//     static core::Throttle throttle(std::chrono::seconds(1));
//     if (auto n = throttle.Allow()) core::log::Warn("connection refused", {{"count", n}});
//   }
//   ```
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace core {

class Throttle {
 public:
  explicit Throttle(std::chrono::nanoseconds interval) : interval_(interval.count()) {}

  // Records one event. Returns how many events to report now (this one and those suppressed since
  // the last report), or 0 to stay quiet. Thread-safe, lock-free; `now` is injectable for tests.
  std::uint64_t Allow(
      std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now()) noexcept {
    pending_.fetch_add(1, std::memory_order_relaxed);
    const std::int64_t t = now.time_since_epoch().count();
    std::int64_t next = next_.load(std::memory_order_relaxed);
    if (t < next || !next_.compare_exchange_strong(next, t + interval_)) return 0;
    return pending_.exchange(0, std::memory_order_relaxed);
  }

 private:
  const std::int64_t interval_;
  std::atomic<std::int64_t> next_{0};
  std::atomic<std::uint64_t> pending_{0};
};

}  // namespace core
