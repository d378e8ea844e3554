// Internal integer helpers for the algorithms: 128-bit intermediates and rounding divisions.
//
// Rate-limit math multiplies counts by nanoseconds (burst 1e6 x window 1 day = 8.6e19 > 2^63), so
// products are formed in 128 bits and only results that are known to fit go back to int64. This is
// how the algorithms stay exact without floating point (no drift, no rounding surprises).
#pragma once

#include <chrono>
#include <cstdint>

namespace ratelimit::internal {

// GCC/Clang extension; __extension__ keeps -Wpedantic quiet about it.
__extension__ using Int128 = __int128;

// ceil(a / b) for a >= 0, b > 0.
constexpr std::int64_t CeilDiv(std::int64_t a, std::int64_t b) noexcept { return (a + b - 1) / b; }
constexpr Int128 CeilDiv(Int128 a, Int128 b) noexcept { return (a + b - 1) / b; }

// Nanoseconds since the clock's epoch (steady_clock's duration is nanoseconds on Linux).
template <class TimePoint>
constexpr std::int64_t Nanos(TimePoint t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace ratelimit::internal
