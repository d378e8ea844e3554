#include "06_reliability_patterns_mini/policy/random.hpp"

#include "core/base/thread_random.hpp"

namespace reliability {

std::uint64_t ThreadRandom::Next() noexcept { return core::ThreadRandom64(); }

ThreadRandom& ThreadRandom::Instance() noexcept {
  static ThreadRandom random;
  return random;
}

}  // namespace reliability
