// Memory per item: fills the cache with N items and reports how much the process's resident set
// grew per item (from /proc/self/statm), next to what the cache charges per item against its
// budget. Compare with memcached by filling it the same way and reading its RSS.
//
//   cache_memory_per_item [--items 1000000] [--key-bytes 16] [--value-bytes 32]
//                         [--policy s3fifo] [--shards 16] [--overfill 0.2]
// With --overfill the budget holds exactly --items items and 20% more are stored, so the cache is
// measured full and evicting (steady state: S3-FIFO's ghost exists only then).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"
#include "core/base/resident_memory.hpp"

namespace {

std::string KeyFor(std::size_t i, std::size_t width) {
  std::string key = std::to_string(i);
  if (key.size() < width) key.insert(0, width - key.size(), 'k');
  return key;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Reports resident memory growth per cached item."};
  std::size_t items = 1'000'000;
  std::size_t key_bytes = 16;
  std::size_t value_bytes = 32;
  std::string policy_name = "s3fifo";
  std::size_t shards = 16;
  double overfill = 0;
  app.add_option("--items", items);
  app.add_option("--overfill", overfill, "extra share of items stored into a budget for --items")
      ->check(CLI::Range(0.0, 10.0));
  app.add_option("--key-bytes", key_bytes)->check(CLI::Range(8, 250));
  app.add_option("--value-bytes", value_bytes);
  app.add_option("--policy", policy_name);
  app.add_option("--shards", shards)->check(CLI::Range(1, 1024));
  CLI11_PARSE(app, argc, argv);
  const auto policy = cache::ParsePolicy(policy_name);
  if (!policy) {
    std::fprintf(stderr, "unknown policy %s\n", policy_name.c_str());
    return 2;
  }

  core::SystemClock clock;
  cache::CacheOptions options;
  options.policy.kind = *policy;
  options.shards = shards;
  // Without overfill: room for every item twice over (storage only, no eviction). With it: room
  // for `items` (rounded per shard) and more stored than fits.
  options.max_bytes = (overfill > 0 ? 1 : 2) * items * cache::ItemCharge(key_bytes, value_bytes);
  const auto stored = static_cast<std::size_t>(static_cast<double>(items) * (1 + overfill));
  const std::string value(value_bytes, 'v');

  const std::size_t before = core::ResidentBytes();
  cache::Cache cache(options, clock);
  for (std::size_t i = 0; i < stored; ++i) {
    cache.Store(cache::StoreMode::kSet, KeyFor(i, key_bytes), value, 0, cache::Expiry::Never());
  }
  const std::size_t after = core::ResidentBytes();
  const cache::CacheStats stats = cache.Stats();
  if (overfill == 0 && stats.curr_items != items) {
    std::fprintf(stderr, "stored %llu of %zu items\n",
                 static_cast<unsigned long long>(stats.curr_items), items);
    return 1;
  }
  const auto resident = static_cast<double>(stats.curr_items);
  const double per_item = static_cast<double>(after - before) / resident;
  std::printf(
      "policy %s, %zu shards, %.0f resident items (%zu stored, %llu evicted) of %zu-byte "
      "keys + %zu-byte values\n",
      policy_name.c_str(), shards, resident, stored,
      static_cast<unsigned long long>(stats.evictions), key_bytes, value_bytes);
  std::printf("payload per item:          %zu bytes\n", key_bytes + value_bytes);
  std::printf("charged per item (budget): %.1f bytes\n",
              static_cast<double>(stats.bytes) / resident);
  std::printf("RSS growth:                %.1f MiB\n",
              static_cast<double>(after - before) / 1048576);
  std::printf("RSS growth per item:       %.1f bytes (overhead %.1f bytes over payload)\n",
              per_item, per_item - static_cast<double>(key_bytes + value_bytes));
  return 0;
}
