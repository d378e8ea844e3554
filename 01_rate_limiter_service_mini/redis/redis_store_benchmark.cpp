// Redis-backed decisions: throughput and latency against a local redis-server this benchmark
// starts itself (loopback, so this is the floor of a real deployment's cost, not its typical).
//
// BM_RedisStoreDecide/<coroutines>: one thread, one io_context, N coroutines each deciding in a
// loop (N = 1: sequential round trips; N > 1: pipelined on the one connection). Keys are spread
// over 100k so most decisions are allowed and write state. Counters: p50/p99 latency per
// decision (µs), errors (timeouts at the 50 ms default). BM_RedisStoreDenyCacheHit: a key over
// its limit, answered locally. BM_RedisClientPing/<coroutines>: the client and a round trip alone.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "01_rate_limiter_service_mini/redis/redis_store.hpp"
#include "core/async/testing/run_task.hpp"
#include "core/redis/redis_client.hpp"
#include "core/redis/testing/redis_test_server.hpp"

namespace ratelimit {
namespace {

namespace net = core::net;
using SteadyClock = std::chrono::steady_clock;

core::testing::RedisTestServer& Server() {
  static core::testing::RedisTestServer server;
  return server;
}

core::RedisClientOptions ClientOptions() {
  core::RedisClientOptions o;
  o.port = Server().port();
  return o;
}

// One batch's shared progress; touched only from the benchmark thread (one io_context).
struct Batch {
  std::int64_t target = 0;
  std::int64_t issued = 0;
  int finished = 0;
  std::int64_t errors = 0;
  std::mt19937_64 rng{42};
  std::vector<std::chrono::nanoseconds> latencies;
};

// `store`, `rule` and `batch` live in the benchmark function, which outlives the coroutine.
core::Task<void> DecideLoop(RedisStore& store, const Rule& rule, Batch& batch) {
  while (batch.issued < batch.target) {
    ++batch.issued;
    std::string key = "client-" + std::to_string(batch.rng() % 100'000);
    const auto start = SteadyClock::now();
    auto decided = co_await store.Decide(rule, std::move(key), 1);
    batch.latencies.push_back(SteadyClock::now() - start);
    if (!decided) ++batch.errors;
  }
  ++batch.finished;
}

core::Task<void> PingLoop(core::RedisClient& client, Batch& batch) {
  while (batch.issued < batch.target) {
    ++batch.issued;
    const auto start = SteadyClock::now();
    std::vector<std::string> ping{"PING"};
    auto reply = co_await client.Command(std::move(ping));
    batch.latencies.push_back(SteadyClock::now() - start);
    if (!reply) ++batch.errors;
  }
  ++batch.finished;
}

void RunBatch(net::io_context& ioc, const Batch& batch, int coroutines) {
  ioc.restart();
  while (batch.finished < coroutines) ioc.run_one();
}

void Report(benchmark::State& state, Batch& batch) {
  auto& l = batch.latencies;
  if (l.empty()) return;
  std::sort(l.begin(), l.end());
  const auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(q * static_cast<double>(l.size() - 1));
    return std::chrono::duration<double, std::micro>(l[i]).count();
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["errors"] = static_cast<double>(batch.errors);
  state.SetItemsProcessed(static_cast<std::int64_t>(l.size()));
}

constexpr std::int64_t kBatchSize = 2000;

void BM_RedisStoreDecide(benchmark::State& state) {
  if (!Server().ok()) {
    state.SkipWithError(Server().error().c_str());
    return;
  }
  const int coroutines = static_cast<int>(state.range(0));
  net::io_context ioc;
  core::RedisClient client(ClientOptions());
  RedisStore store(client, core::SystemClock::Instance());
  const Rule rule = ParseRuleFlag("name=bench,rate=100/s,burst=100").value();
  Batch batch;
  for (auto _ : state) {
    batch.target += kBatchSize;
    batch.finished = 0;
    for (int c = 0; c < coroutines; ++c) {
      net::co_spawn(ioc, DecideLoop(store, rule, batch), net::detached);
    }
    RunBatch(ioc, batch, coroutines);
  }
  Report(state, batch);
  client.Close();
  ioc.restart();
  ioc.run();
}
BENCHMARK(BM_RedisStoreDecide)->Arg(1)->Arg(16)->Arg(64)->Arg(256)->UseRealTime();

void BM_RedisStoreDenyCacheHit(benchmark::State& state) {
  if (!Server().ok()) {
    state.SkipWithError(Server().error().c_str());
    return;
  }
  net::io_context ioc;
  core::RedisClient client(ClientOptions());
  RedisStore store(client, core::SystemClock::Instance());
  const Rule rule = ParseRuleFlag("name=abuser,rate=1/h,burst=1").value();
  (void)core::testing::RunTask(ioc, store.Decide(rule, "abuser", 1));  // uses the only token
  (void)core::testing::RunTask(ioc, store.Decide(rule, "abuser", 1));  // refused: now cached
  for (auto _ : state) {
    auto d = core::testing::RunTask(ioc, store.Decide(rule, "abuser", 1));
    benchmark::DoNotOptimize(d);
  }
  state.counters["redis_calls"] = static_cast<double>(store.Stats().redis_calls);
  state.SetItemsProcessed(state.iterations());
  client.Close();
  ioc.restart();
  ioc.run();
}
BENCHMARK(BM_RedisStoreDenyCacheHit)->UseRealTime();

void BM_RedisClientPing(benchmark::State& state) {
  if (!Server().ok()) {
    state.SkipWithError(Server().error().c_str());
    return;
  }
  const int coroutines = static_cast<int>(state.range(0));
  net::io_context ioc;
  core::RedisClient client(ClientOptions());
  Batch batch;
  for (auto _ : state) {
    batch.target += kBatchSize;
    batch.finished = 0;
    for (int c = 0; c < coroutines; ++c) {
      net::co_spawn(ioc, PingLoop(client, batch), net::detached);
    }
    RunBatch(ioc, batch, coroutines);
  }
  Report(state, batch);
  client.Close();
  ioc.restart();
  ioc.run();
}
BENCHMARK(BM_RedisClientPing)->Arg(1)->Arg(64)->UseRealTime();

}  // namespace
}  // namespace ratelimit

BENCHMARK_MAIN();
