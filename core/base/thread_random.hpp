// Fast per-thread random bits for identifiers (request ids, trace ids, span ids).
//
// Each thread owns a xoshiro256** generator seeded once from std::random_device (getrandom on
// Linux), so drawing an id is a few arithmetic instructions with no lock and no syscall. The
// output is unpredictable enough for identifiers that must not collide, but this is NOT a CSPRNG:
// never use it for secrets (session tokens, API keys). A process that fork()s without exec would
// share generator state with its child; the services here never do.
#pragma once

#include <cstdint>
#include <span>

namespace core {

// 64 uniformly distributed bits from this thread's generator. Thread-safe (per-thread state).
std::uint64_t ThreadRandom64() noexcept;

// Fills `out` with random bytes from this thread's generator. Thread-safe.
void FillRandom(std::span<std::uint8_t> out) noexcept;

}  // namespace core
