// The W3C trace identity of the request being served, as plain data (no HTTP types): the
// observability middleware (05) fills it, handlers log it, the HTTP client propagates it.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace core {

// Trace identity of the server span handling one request (all zero = none).
struct TraceIds {
  std::array<std::uint8_t, 16> trace_id{};
  std::array<std::uint8_t, 8> span_id{};  // this server span
  std::array<std::uint8_t, 8>
      parent_span_id{};    // the caller's span, zero when we started the trace
  std::uint8_t flags = 0;  // bit 0: sampled
  std::string tracestate;  // passed on as received (already validated)
  bool valid() const noexcept {
    for (auto b : trace_id) {
      if (b != 0) return true;
    }
    return false;
  }
};

}  // namespace core
