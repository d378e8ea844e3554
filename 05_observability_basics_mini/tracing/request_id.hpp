// Request ids: the one string that ties a client's report, our log lines and our response together.
//
// An id arrives in `X-Request-ID` or we mint one. Incoming ids are echoed into response headers and
// JSON log lines, so they are accepted only if short and drawn from a character set that cannot
// break either ([A-Za-z0-9._:-], 1..128 bytes: UUIDs, ULIDs, hex and most vendor ids fit); anything
// else is replaced, never escaped or truncated (a half-kept id correlates nothing). Minted ids are
// 128 random bits as 32 lowercase hex characters: no clock dependency, fixed length, and a
// collision chance of ~n²/2^129 — we chose random over a ULID-like time-ordered id because log
// lines already carry a timestamp, so ordering by id buys nothing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace obs {

inline constexpr std::size_t kMaxRequestIdLength = 128;
inline constexpr std::size_t kRequestIdLength = 32;  // what NewRequestId() returns

// True when `id` is 1..kMaxRequestIdLength bytes of [A-Za-z0-9._:-]. Pure; thread-safe.
bool IsValidRequestId(std::string_view id) noexcept;

// A fresh id: 32 lowercase hex characters from the calling thread's generator (thread_random.hpp).
// Thread-safe, lock-free; ~30 ns (ids_benchmark.cpp).
std::string NewRequestId();

// `incoming` when it is a valid id (empty counts as absent), else a fresh one. The middleware's
// one-liner for the `X-Request-ID` header.
std::string AcceptOrNewRequestId(std::string_view incoming);

}  // namespace obs
