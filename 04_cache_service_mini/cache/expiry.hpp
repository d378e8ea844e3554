// When an item stops being served: never, after the cache's default TTL, or after a given TTL.
//
// Deadlines are kept on the monotonic core::Clock, so a wall-clock jump (NTP, a VM resume) neither
// expires everything nor keeps items forever. Only memcached's absolute exptime form needs the wall
// clock, and it is converted to a relative TTL once, when the command arrives (memcached does the
// same: its realtime() turns every exptime into seconds since process start).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/base/clock.hpp"

namespace cache {

// Seconds since the Unix epoch, behind an interface so tests control it. Thread-safe.
class WallClock {
 public:
  virtual ~WallClock() = default;
  virtual std::int64_t UnixSeconds() const noexcept = 0;
};

class SystemWallClock final : public WallClock {
 public:
  std::int64_t UnixSeconds() const noexcept override;
  static SystemWallClock& Instance() noexcept;
};

class FakeWallClock final : public WallClock {
 public:
  explicit FakeWallClock(std::int64_t unix_seconds = 1'700'000'000) : now_(unix_seconds) {}
  std::int64_t UnixSeconds() const noexcept override {
    return now_.load(std::memory_order_acquire);
  }
  void Set(std::int64_t unix_seconds) noexcept {
    now_.store(unix_seconds, std::memory_order_release);
  }
  void Advance(std::int64_t seconds) noexcept {
    now_.fetch_add(seconds, std::memory_order_acq_rel);
  }

 private:
  std::atomic<std::int64_t> now_;
};

// memcached: exptimes above 30 days are absolute Unix times.
inline constexpr std::int64_t kMaxRelativeExptime = std::int64_t{60} * 60 * 24 * 30;

// The longest TTL kept as given; longer ones are clamped to it. Deadlines are int64 nanoseconds on
// the steady clock, which ends ~292 years after boot: a TTL of 9,999,999,999 s (317 years) would
// overflow, and did (the item was stored already expired). 100 years is "never" in practice and
// leaves room for any uptime.
inline constexpr std::int64_t kMaxTtlSeconds = std::int64_t{100} * 365 * 24 * 3600;
inline constexpr core::Clock::duration kMaxTtl = std::chrono::seconds(kMaxTtlSeconds);

class Expiry {
 public:
  enum class Kind : std::uint8_t { kNever, kDefault, kAfter };

  // Kept until evicted, deleted or flushed.
  static constexpr Expiry Never() noexcept { return Expiry(Kind::kNever, {}); }
  // The cache's CacheOptions::default_ttl (which may itself be "never").
  static constexpr Expiry Default() noexcept { return Expiry(Kind::kDefault, {}); }
  // Expires `ttl` after it is stored; ttl <= 0 means already expired (stored, never served).
  // Clamped to kMaxTtl.
  static constexpr Expiry After(core::Clock::duration ttl) noexcept {
    return Expiry(Kind::kAfter, ttl < kMaxTtl ? ttl : kMaxTtl);
  }
  // The same for a count of seconds, any int64 (HTTP's ?ttl=, memcached's exptime): converting
  // first and clamping after would overflow; this clamps first.
  static constexpr Expiry AfterSeconds(std::int64_t seconds) noexcept {
    return After(std::chrono::seconds(seconds < kMaxTtlSeconds ? seconds : kMaxTtlSeconds));
  }
  // memcached's exptime rules: 0 = never; 1..2592000 = seconds from now; larger = absolute Unix
  // time (in the past or now = already expired); negative = already expired. Every int64 has that
  // meaning (memcached 1.6.18 keeps only the low 32 bits, so 2^31 and up wrap to the past or
  // negative; see the README), and TTLs are clamped to kMaxTtl.
  static Expiry FromMemcached(std::int64_t exptime, std::int64_t unix_now_seconds) noexcept;

  Kind kind() const noexcept { return kind_; }
  core::Clock::duration ttl() const noexcept { return ttl_; }

  // The steady-clock deadline, in ns since the clock's epoch, for an item stored at `now`; 0 means
  // never. A past-due expiry yields `now` itself, which Item::ExpiredAt treats as expired.
  std::int64_t DeadlineNs(core::Clock::time_point now, core::Clock::duration default_ttl) const;

  friend bool operator==(const Expiry&, const Expiry&) = default;

 private:
  constexpr Expiry(Kind kind, core::Clock::duration ttl) noexcept : kind_(kind), ttl_(ttl) {}

  Kind kind_;
  core::Clock::duration ttl_;
};

inline std::int64_t ToNs(core::Clock::time_point t) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace cache
