// W3C `tracestate`: vendor key=value pairs that travel with `traceparent`
// (https://www.w3.org/TR/trace-context-1/#tracestate-header).
//
// We hold no entry of our own, so our only job is to validate what arrives and pass it on. A
// header that breaks the grammar is dropped whole (the spec allows that, and the w3c test suite's
// strict level expects it): passing on half of a list another vendor wrote could mislead it.
// Level 1 key grammar: simple-key = lcalpha 0*255(lcalpha/DIGIT/"_"/"-"/"*"/"/"), or
// tenant@system with tenant = (lcalpha/DIGIT) 0*240(...) and system = lcalpha 0*13(...). Level 2
// relaxes this to (lcalpha/DIGIT) 0*255(... / "@"), so "foo@@bar" is valid there but not here.
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

// Level 1 key grammar (see the banner). Pure.
bool IsValidTracestateKey(std::string_view key) noexcept;

// 1..256 characters of 0x20..0x7E except ',' and '=', not ending in a space. Pure.
bool IsValidTracestateValue(std::string_view value) noexcept;

// Combines every `tracestate` header line of a request (as one comma-joined list, RFC 7230 §3.2.2)
// and validates it. Returns the canonical list "k1=v1,k2=v2" (members in order, optional
// whitespace and empty members removed; "" when there are none), or nullopt when the list is
// invalid: a malformed member, a duplicate key, or more than 32 members (empty ones not counted).
// A valid list over kMaxTracestateLength is truncated by whole entries: those over 128 characters
// first, then from the right. Pure; thread-safe.
std::optional<std::string> NormalizeTracestate(std::span<const std::string_view> header_lines);

}  // namespace obs
