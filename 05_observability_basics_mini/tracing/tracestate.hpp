// W3C `tracestate`: vendor key=value pairs that travel with `traceparent`
// (https://w3c.github.io/trace-context/#tracestate-header, the current text, Level 2).
//
// We hold no entry of our own, so our only job is to validate what arrives and pass it on. A
// header that breaks the grammar is dropped whole (the spec allows that): passing on half of a
// list another vendor wrote could mislead it. A repeated key is not a grammar error: the spec makes
// uniqueness the job of whoever adds an entry and lets a receiver either pass duplicates on or drop
// them, so we keep the first (left-most, i.e. most recent) entry of each key and drop the rest, as
// the W3C test suite's reference implementation does. Key grammar: (lcalpha / DIGIT) then up to 255
// of lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@" -- the Level 1 tenant@system split (241 + 14
// characters, one '@') is gone, so "foo@", "foo@@bar" and "1simple" are keys now.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace obs {

inline constexpr std::size_t kMaxTracestateMembers = 32;
// We propagate at most this many characters, the spec's "at least 512" floor.
inline constexpr std::size_t kMaxTracestateLength = 512;
// Entries longer than this are the first dropped when truncating (spec's rule).
inline constexpr std::size_t kTracestateLongEntry = 128;

// The key grammar (see the banner): 1..256 characters, '@' allowed anywhere but first. Pure.
bool IsValidTracestateKey(std::string_view key) noexcept;

// 1..256 characters of 0x20..0x7E except ',' and '=', not ending in a space. Pure.
bool IsValidTracestateValue(std::string_view value) noexcept;

// Combines every `tracestate` header line of a request (as one comma-joined list, RFC 7230 §3.2.2)
// and validates it. Returns the canonical list "k1=v1,k2=v2" (members in order, optional
// whitespace, empty members and repeated keys removed -- the first entry of a key wins; "" when
// there are none), or nullopt when the list is invalid: a malformed member, or more than 32
// members as received (empty ones not counted, repeated keys counted: the limit is on the wire).
// A valid list over kMaxTracestateLength is truncated by whole entries: those over 128 characters
// first, then from the right. Pure; thread-safe.
std::optional<std::string> NormalizeTracestate(std::span<const std::string_view> header_lines);

}  // namespace obs
