// The open-file limit, which caps connections before any flag does: Debian's default soft limit
// is 1024 descriptors while --max-connections defaults to 10000. Like memcached, raise the soft
// limit toward the hard one at start-up, and say so when the cap still cannot be reached.
#pragma once

#include <cstdint>

namespace core {

// Raises RLIMIT_NOFILE's soft limit to its hard limit (at most 1 << 20) and returns the soft
// limit now in force (unchanged when raising is not allowed). Thread-safe; idempotent.
std::uint64_t RaiseOpenFileLimit() noexcept;

}  // namespace core
