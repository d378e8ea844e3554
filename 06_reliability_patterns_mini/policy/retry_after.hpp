// Parsing the Retry-After response header (RFC 9110 §10.2.3), which a 429 or 503 may carry to say
// when to come back: either delay-seconds ("120") or an HTTP-date in any of the three formats a
// recipient must accept (§5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", the obsolete
// RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
//
// The value comes from an upstream, i.e. from the network: the parser is strict, bounded (no
// allocation, no locale, no libc time functions) and fuzzed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace reliability {

// The wait the header asks for, measured from `now` (wall-clock time: HTTP-dates are absolute).
// A date in the past means zero. Values beyond `kMaxRetryAfter` are clamped to it (a caller then
// compares against its deadline anyway). nullopt for anything malformed: the caller falls back to
// its own backoff, as if the header were absent.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now);

inline constexpr std::chrono::seconds kMaxRetryAfter{365LL * 24 * 3600};

// Seconds since the Unix epoch for a proleptic Gregorian UTC date and time (Howard Hinnant's
// days_from_civil). Exposed for tests.
std::int64_t UnixSeconds(int year, int month, int day, int hour, int minute, int second) noexcept;

}  // namespace reliability
