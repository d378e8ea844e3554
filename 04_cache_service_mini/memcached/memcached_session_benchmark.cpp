// Protocol cost: pipelined get / set through MemcachedSession::Feed (no sockets), to compare
// with the cost of the cache call itself (cache_benchmark).
#include <benchmark/benchmark.h>

#include <string>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/base/clock.hpp"

namespace {

using cache::Cache;
using cache::CacheOptions;
using cache::MemcachedService;
using cache::MemcachedSession;

constexpr int kPipeline = 100;

void BM_PipelinedGetHit(benchmark::State& state) {
  core::SystemClock clock;
  Cache cache(CacheOptions{}, clock);
  MemcachedService service(cache, clock, cache::SystemWallClock::Instance());
  const auto value_size = static_cast<std::size_t>(state.range(0));
  cache.Store(cache::StoreMode::kSet, "user:12345", std::string(value_size, 'v'), 0,
              cache::Expiry::Never());
  std::string input;
  for (int i = 0; i < kPipeline; ++i) input += "get user:12345\r\n";
  MemcachedSession session(service);
  std::string out;
  std::int64_t reply_bytes = 0;
  for (auto _ : state) {
    std::string_view in = input;
    // As the server does: whenever Feed stops at the high-water mark, "write" and clear.
    while (!in.empty() || session.Busy()) {
      in.remove_prefix(session.Feed(in, out));
      reply_bytes += static_cast<std::int64_t>(out.size());
      benchmark::DoNotOptimize(out.data());
      out.clear();
    }
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
  state.SetBytesProcessed(reply_bytes);
}
BENCHMARK(BM_PipelinedGetHit)->ArgName("value_bytes")->Arg(32)->Arg(4096)->Arg(100'000);

void BM_PipelinedSet(benchmark::State& state) {
  core::SystemClock clock;
  Cache cache(CacheOptions{}, clock);
  MemcachedService service(cache, clock, cache::SystemWallClock::Instance());
  const auto value_size = static_cast<std::size_t>(state.range(0));
  std::string input;
  for (int i = 0; i < kPipeline; ++i) {
    input += "set user:" + std::to_string(i) + " 0 0 " + std::to_string(value_size) + "\r\n" +
             std::string(value_size, 'v') + "\r\n";
  }
  MemcachedSession session(service);
  std::string out;
  for (auto _ : state) {
    std::string_view in = input;
    while (!in.empty()) {
      in.remove_prefix(session.Feed(in, out));
      benchmark::DoNotOptimize(out.data());
      out.clear();
    }
  }
  state.SetItemsProcessed(state.iterations() * kPipeline);
}
BENCHMARK(BM_PipelinedSet)->ArgName("value_bytes")->Arg(32)->Arg(4096)->Arg(100'000);

}  // namespace

BENCHMARK_MAIN();
