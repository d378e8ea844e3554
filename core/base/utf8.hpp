// Text from clients put into JSON (a request path in a problem's `detail` and `instance`) must be
// valid UTF-8, or the body is not JSON at all: RFC 8259 §8.1. Invalid sequences become U+FFFD,
// as the WHATWG decoder and Python's errors="replace" do.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace core {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool IsValidUtf8(std::string_view text) noexcept;

// Length (1-4) of the well-formed UTF-8 sequence `text` starts with, or 0 when it starts with an
// ill-formed one (Unicode Table 3-7). Precondition: `text` is not empty. For callers with their
// own replacement policy (05 replaces each bad byte, for Prometheus label values).
std::size_t Utf8SequenceLength(std::string_view text) noexcept;

// `text` with every maximal invalid subsequence replaced by U+FFFD (EF BF BD). Valid text comes
// back unchanged.
std::string ToValidUtf8(std::string_view text);

}  // namespace core
