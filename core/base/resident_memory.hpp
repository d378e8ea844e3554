// How much memory the process holds, as the kernel counts it: the resident set. What the memory
// probes (bytes per cached link, per cache item, per rate-limit key) measure before and after
// filling a structure, so that their numbers mean the same thing.
#pragma once

#include <cstddef>

namespace core {

// The resident set size in bytes (the second field of /proc/self/statm, in pages); 0 where that
// cannot be read. Thread-safe; costs a read of a small /proc file, so not for hot paths.
std::size_t ResidentBytes();

}  // namespace core
