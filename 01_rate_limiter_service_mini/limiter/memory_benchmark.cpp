// Bytes per tracked key, measured as resident memory (/proc/self/statm) before and after filling a
// store with one million keys; and proof that a flood of twice the cap does not grow it further.
// One process per measurement keeps the allocator's free lists out of the numbers:
//   build/bench/ratelimit_memory_benchmark --benchmark_filter=ipv4
//   build/bench/ratelimit_memory_benchmark --benchmark_filter=ipv6
//   build/bench/ratelimit_memory_benchmark --benchmark_filter=flood
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <string>

#include "01_rate_limiter_service_mini/limiter/keys.hpp"
#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "core/base/resident_memory.hpp"

namespace ratelimit {
namespace {

constexpr std::size_t kMillion = 1'000'000;

std::string Ipv4Key(std::size_t i) {
  return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255);
}

std::string Ipv6Key(std::size_t i) {
  // What IpKey() makes of a client: a /64 such as "2001:db8:1:f00d::/64".
  core::IpAddress ip = core::IpAddress::Parse("2001:db8::1").value();
  std::array<std::uint8_t, 16> b = ip.bytes();
  b[4] = static_cast<std::uint8_t>(i >> 24);
  b[5] = static_cast<std::uint8_t>(i >> 16);
  b[6] = static_cast<std::uint8_t>(i >> 8);
  b[7] = static_cast<std::uint8_t>(i);
  char text[64];
  std::snprintf(text, sizeof text, "2001:db8:%x:%x::/64", (b[4] << 8) | b[5], (b[6] << 8) | b[7]);
  return text;
}

template <class KeyFn>
void Fill(benchmark::State& st, KeyFn key_fn, std::size_t inserts) {
  const Rule rule = DefaultRule();
  const auto now = core::SystemClock::Instance().Now();
  for (auto _ : st) {
    malloc_trim(0);
    const auto before = static_cast<double>(core::ResidentBytes());
    MemoryStoreOptions o;
    o.max_keys = kMillion;
    ShardedMemoryStore store(o);
    for (std::size_t i = 0; i < inserts; ++i) (void)store.Decide(rule, key_fn(i), 1, now);
    const auto after = static_cast<double>(core::ResidentBytes());
    st.counters["keys"] = static_cast<double>(store.size());
    st.counters["evictions"] = static_cast<double>(store.Stats().evictions);
    st.counters["rss_MiB"] = (after - before) / (1024.0 * 1024.0);
    st.counters["bytes_per_key"] = (after - before) / static_cast<double>(store.size());
  }
}

void BM_MemoryIpv4Keys(benchmark::State& st) { Fill(st, Ipv4Key, kMillion); }
void BM_MemoryIpv6Keys(benchmark::State& st) { Fill(st, Ipv6Key, kMillion); }
// 2 million distinct keys into a 1 million cap: memory must match the 1 million case.
void BM_MemoryFloodTwiceTheCap(benchmark::State& st) { Fill(st, Ipv4Key, 2 * kMillion); }

BENCHMARK(BM_MemoryIpv4Keys)
    ->Name("BM_Memory/ipv4_1M")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryIpv6Keys)
    ->Name("BM_Memory/ipv6_64_1M")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MemoryFloodTwiceTheCap)
    ->Name("BM_Memory/flood_2M_into_1M_cap")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ratelimit

BENCHMARK_MAIN();
