#include "04_cache_service_mini/cache/cache_stats.hpp"

namespace cache {

void CacheStats::Add(const Counters& c) noexcept {
#define SD_CACHE_ADD(name, meaning) name += c.name.load(std::memory_order_relaxed);
  SD_CACHE_COUNTERS(SD_CACHE_ADD)
#undef SD_CACHE_ADD
}

}  // namespace cache
