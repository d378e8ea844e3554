// SipHash (Aumasson & Bernstein), the keyed hash Redis and Python use for their hash tables.
//
// The limiter's table is keyed by strings an attacker chooses (API keys, X-Forwarded-For
// addresses). With an unkeyed hash (std::hash is MurmurHash with a fixed seed) they can craft
// colliding keys and turn every lookup into a linear scan under the shard lock. A random 128-bit
// key per table makes collisions unpredictable. SipHash-1-3 is the fast variant Rust and Python
// use for hash tables; SipHash-2-4 is the reference one (tested against the paper's vectors).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace core {

using SipKey = std::array<std::uint64_t, 2>;

std::uint64_t SipHash13(const SipKey& key, std::string_view data) noexcept;
std::uint64_t SipHash24(const SipKey& key, std::string_view data) noexcept;

// A fresh key from std::random_device.
SipKey RandomSipKey();

}  // namespace core
