#include "04_cache_service_mini/cache/cache_stats.hpp"

namespace cache {

void CacheStats::Add(const Counters& c) noexcept {
#define SD_CACHE_ADD(name, meaning) name += c.name.load(std::memory_order_relaxed);
  SD_CACHE_COUNTERS(SD_CACHE_ADD)
#undef SD_CACHE_ADD
}

void CacheStats::SubtractCounters(const CacheStats& base) noexcept {
  const auto minus = [](std::uint64_t& value, std::uint64_t gone) {
    value = value > gone ? value - gone : 0;
  };
#define SD_CACHE_SUBTRACT(name, meaning) minus(name, base.name);
  SD_CACHE_COUNTERS(SD_CACHE_SUBTRACT)
#undef SD_CACHE_SUBTRACT
  for (auto& [name, value] : policy_counters) {
    for (const auto& [base_name, base_value] : base.policy_counters) {
      if (base_name == name) minus(value, base_value);
    }
  }
}

}  // namespace cache
