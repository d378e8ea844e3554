// The seed's lesson, measured: one global lock (shards = 1) against a sharded table (64 shards),
// with 1 and 2 threads, on one hot key and on a million keys; plus the whole Limiter::Check path
// (store + counters). Time comes from the real steady clock, as in the service. Run:
//   build/bench/ratelimit_store_benchmark
#include <benchmark/benchmark.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"

namespace ratelimit {
namespace {

constexpr std::size_t kMillion = 1'000'000;

const std::vector<std::string>& MillionKeys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k;
    k.reserve(kMillion);
    for (std::size_t i = 0; i < kMillion; ++i) {
      k.push_back("10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) +
                  "." + std::to_string(i & 255));
    }
    return k;
  }();
  return keys;
}

// A store holding all million keys already, built once per shard count and kept for every run.
ShardedMemoryStore& PrefilledStore(std::size_t shards) {
  static std::mutex mu;
  static std::unique_ptr<ShardedMemoryStore> stores[2];
  std::lock_guard lock(mu);
  auto& slot = stores[shards == 1 ? 0 : 1];
  if (!slot) {
    MemoryStoreOptions o;
    o.max_keys = 2 * kMillion;
    o.shards = shards;
    slot = std::make_unique<ShardedMemoryStore>(o);
    const Rule rule = DefaultRule();
    const auto now = core::SystemClock::Instance().Now();
    for (const std::string& key : MillionKeys()) (void)slot->Decide(rule, key, 1, now);
  }
  return *slot;
}

std::uint64_t NextRandom(std::uint64_t& x) {  // xorshift64
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return x;
}

void BM_StoreHotKey(benchmark::State& st) {
  static std::unique_ptr<ShardedMemoryStore> store;
  if (st.thread_index() == 0) {
    MemoryStoreOptions o;
    o.shards = static_cast<std::size_t>(st.range(0));
    store = std::make_unique<ShardedMemoryStore>(o);
  }
  const Rule rule = DefaultRule();
  const core::Clock& clock = core::SystemClock::Instance();
  for (auto _ : st) {
    benchmark::DoNotOptimize(store->Decide(rule, "203.0.113.7", 1, clock.Now()));
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_StoreHotKey)
    ->ArgName("shards")
    ->Arg(1)
    ->Arg(64)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

void BM_StoreMillionKeys(benchmark::State& st) {
  ShardedMemoryStore& store = PrefilledStore(static_cast<std::size_t>(st.range(0)));
  const auto& keys = MillionKeys();
  const Rule rule = DefaultRule();
  const core::Clock& clock = core::SystemClock::Instance();
  std::uint64_t rng = 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(st.thread_index());
  for (auto _ : st) {
    const std::string& key = keys[NextRandom(rng) % kMillion];
    benchmark::DoNotOptimize(store.Decide(rule, key, 1, clock.Now()));
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["keys"] =
      benchmark::Counter(static_cast<double>(store.size()), benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_StoreMillionKeys)
    ->ArgName("shards")
    ->Arg(1)
    ->Arg(64)
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// What the million-key loop costs before it reaches the store: fetching a random key string,
// SipHashing it, reading the clock. Subtract it to see the table's own share.
void BM_BaselineMillionKeysNoStore(benchmark::State& st) {
  const auto& keys = MillionKeys();
  const core::Clock& clock = core::SystemClock::Instance();
  const core::SipKey sip_key = core::RandomSipKey();
  std::uint64_t rng = 0x9E3779B97F4A7C15ULL;
  for (auto _ : st) {
    const std::string& key = keys[NextRandom(rng) % kMillion];
    benchmark::DoNotOptimize(core::SipHash13(sip_key, key));
    benchmark::DoNotOptimize(clock.Now());
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_BaselineMillionKeysNoStore);

void BM_LimiterCheckMillionKeys(benchmark::State& st) {
  ShardedMemoryStore& store = PrefilledStore(64);
  static std::unique_ptr<Limiter> limiter;
  if (st.thread_index() == 0) {
    limiter = Limiter::Create({DefaultRule()}, store, core::SystemClock::Instance()).value();
  }
  const auto& keys = MillionKeys();
  std::uint64_t rng = 0xD1B54A32D192ED03ULL + static_cast<std::uint64_t>(st.thread_index());
  const Rule* rule = nullptr;
  for (auto _ : st) {
    if (rule == nullptr) rule = limiter->FindRule("default");
    benchmark::DoNotOptimize(limiter->Check(*rule, keys[NextRandom(rng) % kMillion], 1));
  }
  st.SetItemsProcessed(st.iterations());
}
BENCHMARK(BM_LimiterCheckMillionKeys)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace ratelimit

BENCHMARK_MAIN();
