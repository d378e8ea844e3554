#include "04_cache_service_mini/cache/expiry.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

namespace cache {

std::int64_t SystemWallClock::UnixSeconds() const noexcept {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SystemWallClock& SystemWallClock::Instance() noexcept {
  static SystemWallClock clock;
  return clock;
}

Expiry Expiry::FromMemcached(std::int64_t exptime, std::int64_t unix_now_seconds) noexcept {
  if (exptime == 0) return Never();
  if (exptime < 0) return After(core::Clock::duration::zero());
  std::int64_t seconds = exptime;
  if (exptime > kMaxRelativeExptime) {
    if (exptime <= unix_now_seconds) return After(core::Clock::duration::zero());
    // Only a wall clock before 1970 can make this overflow; it then means "very far".
    if (__builtin_sub_overflow(exptime, unix_now_seconds, &seconds)) seconds = kMaxTtlSeconds;
  }
  return AfterSeconds(seconds);
}

std::int64_t Expiry::DeadlineNs(core::Clock::time_point now,
                                core::Clock::duration default_ttl) const {
  core::Clock::duration ttl{};
  switch (kind_) {
    case Kind::kNever:
      return 0;
    case Kind::kDefault:
      if (default_ttl <= core::Clock::duration::zero()) return 0;
      ttl = std::min(default_ttl, kMaxTtl);
      break;
    case Kind::kAfter:
      ttl = ttl_;
      break;
  }
  // 1 rather than 0 for a clock at its epoch: 0 means "never".
  const std::int64_t now_ns = std::max<std::int64_t>(ToNs(now), 1);
  if (ttl <= core::Clock::duration::zero()) return now_ns;
  const std::int64_t ttl_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
  if (ttl_ns > std::numeric_limits<std::int64_t>::max() - now_ns) {
    return std::numeric_limits<std::int64_t>::max();
  }
  return now_ns + ttl_ns;
}

}  // namespace cache
