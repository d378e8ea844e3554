#include "04_cache_service_mini/cache/read_through_cache.hpp"

namespace cache {

namespace {

CacheOptions NegativeCacheOptions(const Cache& main, std::size_t max_bytes) {
  CacheOptions options;
  options.max_bytes = max_bytes;
  options.shards = 4;
  options.policy = main.options().policy;
  options.max_value_bytes = 0;  // entries are empty: presence is the whole message
  return options;
}

Lookup FromHandle(const ItemHandle& item) {
  return {LoadResult::Found(std::string(item.value()), item.flags()), LoadSource::kCache};
}

}  // namespace

ReadThroughCache::ReadThroughCache(Cache& cache, const core::Clock& clock,
                                   ReadThroughOptions options)
    : cache_(cache),
      options_(options),
      negative_(NegativeCacheOptions(cache, options.negative_max_bytes), clock) {}

Lookup ReadThroughCache::Get(std::string_view key, const Loader& loader) {
  if (ItemHandle item = cache_.Get(key)) return FromHandle(item);
  if (negative_.Get(key)) {
    negative_hits_.fetch_add(1, std::memory_order_relaxed);
    return {LoadResult::NotFound(), LoadSource::kNegativeCache};
  }
  SingleFlight<Lookup>::Result flight = flight_.Do(key, [&]() -> Lookup {
    // A load for this key may have finished between our miss and now; do not repeat it.
    if (ItemHandle item = cache_.Get(key)) return FromHandle(item);
    if (negative_.Get(key)) return {LoadResult::NotFound(), LoadSource::kNegativeCache};
    loads_.fetch_add(1, std::memory_order_relaxed);
    LoadResult result = loader(key);
    switch (result.status) {
      case LoadStatus::kFound:
        cache_.Store(StoreMode::kSet, key, result.value, result.flags, options_.positive_ttl);
        break;
      case LoadStatus::kNotFound:
        negative_.Store(StoreMode::kSet, key, {}, 0, Expiry::After(options_.negative_ttl));
        break;
      case LoadStatus::kError:
        load_errors_.fetch_add(1, std::memory_order_relaxed);
        break;
    }
    return {std::move(result), LoadSource::kLoader};
  });
  if (flight.shared) {
    coalesced_.fetch_add(1, std::memory_order_relaxed);
    flight.value.source = LoadSource::kCoalesced;
  }
  return std::move(flight.value);
}

ReadThroughStats ReadThroughCache::Stats() const {
  return {loads_.load(std::memory_order_relaxed), load_errors_.load(std::memory_order_relaxed),
          coalesced_.load(std::memory_order_relaxed),
          negative_hits_.load(std::memory_order_relaxed)};
}

}  // namespace cache
