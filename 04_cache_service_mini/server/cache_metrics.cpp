#include "04_cache_service_mini/server/cache_metrics.hpp"

namespace cache {
namespace {

class CacheCollector final : public obs::Collector {
 public:
  CacheCollector(const Cache& cache, const MemcachedService* memcached)
      : cache_(cache), memcached_(memcached) {}

  std::vector<std::string> Describe() const override {
    return {"cache_hits_total",
            "cache_misses_total",
            "cache_expirations_total",
            "cache_evictions_total",
            "cache_items",
            "cache_bytes",
            "cache_limit_bytes",
            "cache_memcached_connections"};
  }

  void Collect(std::vector<obs::FamilySnapshot>& out) const override {
    const CacheStats s = cache_.Stats();
    using obs::MetricType;
    Add(out, "cache_hits_total", "Lookups that found a live item.", MetricType::kCounter,
        s.get_hits);
    Add(out, "cache_misses_total", "Lookups that found nothing, or a dead item.",
        MetricType::kCounter, s.get_misses);
    Add(out, "cache_expirations_total",
        "Items removed because their TTL passed (on read or by active expiry).",
        MetricType::kCounter, s.get_expired + s.expired_active);
    out.push_back({.name = "cache_evictions_total",
                   .help = "Live items evicted to stay within the memory budget.",
                   .type = MetricType::kCounter,
                   .label_names = {"policy"},
                   .metrics = {{.label_values = {s.policy}, .value = double(s.evictions)}}});
    Add(out, "cache_items", "Items held.", MetricType::kGauge, s.curr_items);
    Add(out, "cache_bytes", "Bytes charged against the budget (key + value + overhead).",
        MetricType::kGauge, s.bytes);
    Add(out, "cache_limit_bytes", "The memory budget in bytes.", MetricType::kGauge,
        s.limit_maxbytes);
    if (memcached_ != nullptr) {
      Add(out, "cache_memcached_connections", "Open memcached-protocol connections.",
          MetricType::kGauge, memcached_->curr_connections());
    }
  }

 private:
  static void Add(std::vector<obs::FamilySnapshot>& out, std::string name, std::string help,
                  obs::MetricType type, std::uint64_t value) {
    out.push_back({.name = std::move(name),
                   .help = std::move(help),
                   .type = type,
                   .metrics = {{.value = double(value)}}});
  }

  const Cache& cache_;
  const MemcachedService* memcached_;
};

}  // namespace

void RegisterCacheMetrics(obs::Registry& registry, const Cache& cache,
                          const MemcachedService* memcached) {
  registry.AddCollector(std::make_shared<CacheCollector>(cache, memcached));
}

}  // namespace cache
