// Throughput of the Cache: get-heavy mixes per policy, 1 vs 16 shards, 1 and 2 threads (the seed's
// "one global mutex vs finer locks" lesson, measured), plus set throughput under eviction.
//
//   bench/cache_benchmark --benchmark_filter=Mixed
// Args: policy (0 lru, 1 s3fifo, 2 sieve, 3 wtinylfu), shards.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/workload/workload.hpp"
#include "core/base/clock.hpp"

namespace {

using cache::Cache;
using cache::CacheOptions;
using cache::Expiry;
using cache::PolicyKind;
using cache::StoreMode;

constexpr std::uint64_t kKeys = 100'000;
constexpr std::size_t kTraceLength = 1 << 20;

const std::vector<std::string>& Keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    k.reserve(kKeys);
    for (std::uint64_t i = 0; i < kKeys; ++i) k.push_back(cache::KeyText(i));
    return k;
  }();
  return keys;
}

// Zipf(1.0) key indexes: hot keys dominate, as in real caches (and they are the contended ones).
const std::vector<std::uint32_t>& ZipfTrace() {
  static const std::vector<std::uint32_t> trace = [] {
    cache::ZipfGenerator zipf(kKeys, 1.0, 7);
    std::vector<std::uint32_t> t(kTraceLength);
    for (auto& index : t) index = static_cast<std::uint32_t>(zipf.Next());
    return t;
  }();
  return trace;
}

PolicyKind KindOf(std::int64_t arg) {
  switch (arg) {
    case 0:
      return PolicyKind::kLru;
    case 1:
      return PolicyKind::kS3Fifo;
    case 2:
      return PolicyKind::kSieve;
    default:
      return PolicyKind::kWTinyLfu;
  }
}

core::SystemClock g_clock;
std::unique_ptr<Cache> g_cache;

// Shared by the threads of one run; built before they start (Setup), so no thread races it.
void SetUpCache(const benchmark::State& state, std::size_t max_bytes) {
  CacheOptions options;
  options.policy.kind = KindOf(state.range(0));
  options.shards = static_cast<std::size_t>(state.range(1));
  options.max_bytes = max_bytes;
  g_cache = std::make_unique<Cache>(options, g_clock);
  const std::string value(100, 'v');
  for (const std::string& key : Keys()) {
    g_cache->Store(StoreMode::kSet, key, value, 0, Expiry::Never());
  }
  ZipfTrace();
}

// Everything fits: measures the hit path. W-TinyLFU's sketch stays off in a cache this empty
// (it starts counting at half full, as Caffeine's does), so its hits here only relink.
void SetUpFullCache(const benchmark::State& state) { SetUpCache(state, std::size_t{256} << 20); }

// Everything still fits, with the keys filling ~80% of the bytes: W-TinyLFU's sketch is live, so
// its hits pay the increment too. The other policies do the same work as in SetUpFullCache.
void SetUpFullCacheLiveSketch(const benchmark::State& state) {
  SetUpCache(state, kKeys * cache::ItemCharge(16, 100) * 5 / 4);
}

void TearDown(const benchmark::State&) { g_cache.reset(); }

// 90% get / 10% set over Zipf keys, all hits: the shape of a busy look-aside cache.
void BM_Mixed(benchmark::State& state) {
  const auto& keys = Keys();
  const auto& trace = ZipfTrace();
  const std::string value(100, 'w');
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  std::size_t hits = 0;
  for (auto _ : state) {
    const std::string& key = keys[trace[i++ & (kTraceLength - 1)]];
    if (i % 10 == 0) {
      g_cache->Store(StoreMode::kSet, key, value, 0, Expiry::Never());
    } else {
      cache::ItemHandle h = g_cache->Get(key);
      hits += h ? 1 : 0;
      benchmark::DoNotOptimize(h);
    }
  }
  state.SetItemsProcessed(state.iterations());
  benchmark::DoNotOptimize(hits);
}
BENCHMARK(BM_Mixed)
    ->ArgNames({"policy", "shards"})
    ->ArgsProduct({{0, 1, 2, 3}, {1, 16}})
    ->Threads(1)
    ->Threads(2)
    ->Setup(SetUpFullCache)
    ->Teardown(TearDown)
    ->UseRealTime();

// Gets only (every one a hit): the read path alone, where S3-FIFO/SIEVE share the shard lock.
void BM_GetHit(benchmark::State& state) {
  const auto& keys = Keys();
  const auto& trace = ZipfTrace();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    cache::ItemHandle h = g_cache->Get(keys[trace[i++ & (kTraceLength - 1)]]);
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetHit)
    ->ArgNames({"policy", "shards"})
    ->ArgsProduct({{0, 1, 2, 3}, {1, 16}})
    ->Threads(1)
    ->Threads(2)
    ->Setup(SetUpFullCache)
    ->Teardown(TearDown)
    ->UseRealTime();

// The same read path with W-TinyLFU's sketch counting every hit (see SetUpFullCacheLiveSketch).
void BM_GetHitLiveSketch(benchmark::State& state) {
  BM_GetHit(state);
  if (state.thread_index() == 0) {  // counters are summed over threads: report it once
    const cache::CacheStats stats = g_cache->Stats();
    state.counters["hit_ratio"] =
        static_cast<double>(stats.get_hits) / static_cast<double>(stats.cmd_get());
  }
}
BENCHMARK(BM_GetHitLiveSketch)
    ->ArgNames({"policy", "shards"})
    ->ArgsProduct({{0, 1, 2, 3}, {1, 16}})
    ->Threads(1)
    ->Threads(2)
    ->Setup(SetUpFullCacheLiveSketch)
    ->Teardown(TearDown)
    ->UseRealTime();

// Sets into a cache holding 10% of the keys: every set evicts (policy cost on the write path).
void BM_SetWithEviction(benchmark::State& state) {
  core::SystemClock clock;
  CacheOptions options;
  options.policy.kind = KindOf(state.range(0));
  options.shards = 1;
  options.max_bytes = kKeys / 10 * cache::ItemCharge(16, 100);
  Cache cache(options, clock);
  const auto& keys = Keys();
  const auto& trace = ZipfTrace();
  const std::string value(100, 'v');
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string& key = keys[trace[i++ & (kTraceLength - 1)]];
    if (!cache.Get(key)) cache.Store(StoreMode::kSet, key, value, 0, Expiry::Never());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["miss_ratio"] =
      static_cast<double>(cache.Stats().get_misses) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SetWithEviction)->ArgName("policy")->DenseRange(0, 3);

}  // namespace

BENCHMARK_MAIN();
