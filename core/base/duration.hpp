// Durations as people type them in flags and config: "250ms", "10s", "2m", or a bare number of
// milliseconds. One parser for every flag of every service, so "10s" means the same everywhere and
// no value can overflow the nanosecond arithmetic done with it later.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace core {

// The largest duration accepted: ~292 years in nanoseconds is the limit of steady_clock
// arithmetic; a millennium-scale timeout is a typo, so the cap is a round 10 years.
inline constexpr std::chrono::milliseconds kMaxDuration = std::chrono::hours(24 * 365 * 10);

// Parses "250ms", "10s", "2m" or a bare number of milliseconds. Nullopt for anything else,
// negatives, and values above kMaxDuration.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The shortest exact spelling ParseDuration reads back: "2m", "10s", "250ms", "0".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace core
