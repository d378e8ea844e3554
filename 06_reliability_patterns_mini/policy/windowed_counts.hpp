// Counts over a sliding time window, for the retry budget, the time-based breaker window and the
// adaptive throttle: `buckets` slots of window/buckets each in a ring, plus running totals, so
// reading the window is O(1) and moving it forward clears only the slots it passes (at most all of
// them). Resolution is one slot: a count made at time t stops being counted once the clock enters
// the slot `buckets` slots after t's, i.e. between window - window/buckets and window after t.
//
// Not thread-safe: its owner holds a lock (every user here already needs one for its decision).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/base/clock.hpp"

namespace reliability {

template <std::size_t N>
class WindowedCounts {
 public:
  using Counts = std::array<std::uint64_t, N>;

  // `window` / `buckets` must be at least 1 ns and `buckets` >= 1 (callers validate options).
  WindowedCounts(core::Clock::duration window, int buckets)
      : width_(std::max<std::int64_t>(1, window.count() / std::max(1, buckets))),
        slots_(static_cast<std::size_t>(std::max(1, buckets))) {}

  // Adds `n` to `field` at time `now`.
  void Add(core::Clock::time_point now, std::size_t field, std::uint64_t n = 1) noexcept {
    Slot& slot = Current(now);
    slot.counts[field] += n;
    totals_[field] += n;
  }

  // The totals of the window ending at `now`.
  const Counts& Totals(core::Clock::time_point now) noexcept {
    Current(now);
    return totals_;
  }

  void Clear() noexcept {
    for (Slot& s : slots_) s.counts = {};
    totals_ = {};
  }

 private:
  struct Slot {
    Counts counts{};
  };

  // Moves the window to `now` (clearing the slots it passes) and returns the current slot. Time
  // that goes backwards (a FakeClock set back) counts into the current slot.
  Slot& Current(core::Clock::time_point now) noexcept {
    const std::int64_t number = now.time_since_epoch().count() / width_;
    const auto b = static_cast<std::int64_t>(slots_.size());
    if (!started_) {
      head_ = number;
      started_ = true;
    } else if (number > head_) {
      const std::int64_t steps = std::min(number - head_, b);
      for (std::int64_t i = 1; i <= steps; ++i) {
        Slot& s = slots_[static_cast<std::size_t>((head_ + i) % b)];
        for (std::size_t f = 0; f < N; ++f) totals_[f] -= s.counts[f];
        s.counts = {};
      }
      head_ = number;
    }
    return slots_[static_cast<std::size_t>(head_ % b)];
  }

  std::int64_t width_;  // nanoseconds per slot
  std::vector<Slot> slots_;
  Counts totals_{};
  std::int64_t head_ = 0;  // slot number of the newest slot
  bool started_ = false;
};

}  // namespace reliability
