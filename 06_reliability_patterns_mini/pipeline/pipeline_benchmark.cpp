// The pipeline's cost per call on the happy path: an operation that answers at once, run bare
// (co_await op()) and through Pipeline::Execute with the default policies (timeouts, retry,
// budget, breaker, bulkhead) and with everything off. The difference is what the policies cost a
// call that needs none of them. Goal: under 1 µs.
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include "06_reliability_patterns_mini/pipeline/pipeline.hpp"

// Every heap allocation in the process is counted (glibc: malloc and the aligned allocations
// Asio's coroutine-frame allocator makes), so each benchmark reports allocations per call.
static std::atomic<std::uint64_t> g_allocations{0};
extern "C" {
void* __libc_malloc(std::size_t n);
void* __libc_memalign(std::size_t align, std::size_t n);
void* malloc(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(align, n);
}
}

namespace reliability {
namespace {

Task<core::Result<int>> Immediate(Attempt) { co_return 1; }

Classification Ok(const core::Result<int>& r) {
  return r ? Classification{} : ClassifyError(r.error(), true);
}

// The loops run inside one coroutine so the numbers are per call, not per io_context::run.
Task<void> BareLoop(benchmark::State* state) {
  for (auto _ : *state) {
    core::Result<int> r = co_await Immediate(Attempt{});
    benchmark::DoNotOptimize(r);
  }
}

Task<void> PipelineLoop(benchmark::State* state, Pipeline* p, bool trace, bool inline_attempts) {
  const Operation<int> op = Immediate;
  const Classifier<int> classify = Ok;
  for (auto _ : *state) {
    CallResult<int> r = co_await p->Execute<int>(
        op, classify, {.trace = trace, .operation_honours_deadline = inline_attempts});
    benchmark::DoNotOptimize(r);
  }
}

// The least a cancellable attempt costs in Asio: the operation spawned as its own coroutine with a
// cancellation slot bound (what lets a timeout, a hedge or the caller stop it), then awaited.
Task<void> SpawnLoop(benchmark::State* state) {
  const auto ex = co_await net::this_coro::executor;
  for (auto _ : *state) {
    net::cancellation_signal signal;
    auto [e, r] = co_await net::co_spawn(
        ex, Immediate(Attempt{}), net::bind_cancellation_slot(signal.slot(), core::kUseTuple));
    benchmark::DoNotOptimize(r);
  }
}

void BM_BareAwait(benchmark::State& state) {
  net::io_context io(1);
  const std::uint64_t before = g_allocations.load();
  net::co_spawn(io, BareLoop(&state), net::detached);
  io.run();
  state.counters["allocs_per_call"] = benchmark::Counter(
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_BareAwait);

void BM_BareCancellableSpawn(benchmark::State& state) {
  net::io_context io(1);
  const std::uint64_t before = g_allocations.load();
  net::co_spawn(io, SpawnLoop(&state), net::detached);
  io.run();
  state.counters["allocs_per_call"] = benchmark::Counter(
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_BareCancellableSpawn);

void RunPipeline(benchmark::State& state, const PipelineOptions& options, bool trace = true,
                 bool inline_attempts = false) {
  auto p = Pipeline::Create("bench", options).value();
  net::io_context io(1);
  const std::uint64_t before = g_allocations.load();
  net::co_spawn(io, PipelineLoop(&state, p.get(), trace, inline_attempts), net::detached);
  io.run();
  const PipelineStats s = p->Stats();
  state.counters["allocs_per_call"] = benchmark::Counter(
      static_cast<double>(g_allocations.load() - before) / static_cast<double>(s.calls));
  state.counters["attempts_per_call"] =
      benchmark::Counter(static_cast<double>(s.attempts) / static_cast<double>(s.calls));
}

void BM_PipelineDefaults(benchmark::State& state) { RunPipeline(state, PipelineOptions{}); }
BENCHMARK(BM_PipelineDefaults);

// What the gateway runs: no per-attempt trace kept.
void BM_PipelineDefaultsNoTrace(benchmark::State& state) {
  RunPipeline(state, PipelineOptions{}, /*trace=*/false);
}
BENCHMARK(BM_PipelineDefaultsNoTrace);

// The HTTP adapter's path: the operation honours its own deadline (core::HttpClient does), so the
// attempt runs inside the call's coroutine — no child coroutine, no timer.
void BM_PipelineDefaultsInline(benchmark::State& state) {
  RunPipeline(state, PipelineOptions{}, /*trace=*/true, /*inline_attempts=*/true);
}
BENCHMARK(BM_PipelineDefaultsInline);

void BM_PipelineDefaultsInlineNoTrace(benchmark::State& state) {
  RunPipeline(state, PipelineOptions{}, /*trace=*/false, /*inline_attempts=*/true);
}
BENCHMARK(BM_PipelineDefaultsInlineNoTrace);

void BM_PipelineTimeoutAndRetryOnly(benchmark::State& state) {
  PipelineOptions o;
  o.budget.reset();
  o.breaker.reset();
  o.bulkhead.reset();
  RunPipeline(state, o);
}
BENCHMARK(BM_PipelineTimeoutAndRetryOnly);

void BM_PipelineEverything(benchmark::State& state) {
  PipelineOptions o;
  o.hedge = HedgeOptions{};
  o.throttle = ThrottleOptions{};
  RunPipeline(state, o);
}
BENCHMARK(BM_PipelineEverything);

// K calls in flight at once (as under load), each operation suspending once the way I/O does.
Task<core::Result<int>> Suspends(Attempt) {
  co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
  co_return 1;
}

Task<void> Worker(Pipeline* p, int calls, int* done, bool inline_attempts) {
  const Operation<int> op = Suspends;
  const Classifier<int> classify = Ok;
  for (int i = 0; i < calls; ++i) {
    CallResult<int> r = co_await p->Execute<int>(
        op, classify, {.trace = true, .operation_honours_deadline = inline_attempts});
    benchmark::DoNotOptimize(r);
  }
  ++*done;
}

Task<void> BareWorker(int calls, int* done) {
  for (int i = 0; i < calls; ++i) {
    core::Result<int> r = co_await Suspends(Attempt{});
    benchmark::DoNotOptimize(r);
  }
  ++*done;
}

void BM_Concurrent(benchmark::State& state, int mode) {  // 0 bare, 1 pipeline, 2 inline
  const bool pipeline = mode > 0;
  const int k = static_cast<int>(state.range(0));
  constexpr int kCallsPerWorker = 256;
  auto p = Pipeline::Create("bench", PipelineOptions{}).value();
  net::io_context io(1);
  const std::uint64_t before = g_allocations.load();
  for (auto _ : state) {
    int done = 0;
    for (int w = 0; w < k; ++w) {
      if (pipeline) {
        net::co_spawn(io, Worker(p.get(), kCallsPerWorker, &done, mode == 2), net::detached);
      } else {
        net::co_spawn(io, BareWorker(kCallsPerWorker, &done), net::detached);
      }
    }
    io.restart();
    io.run();
  }
  state.SetItemsProcessed(state.iterations() * k * kCallsPerWorker);
  state.counters["allocs_per_call"] =
      benchmark::Counter(static_cast<double>(g_allocations.load() - before) /
                         static_cast<double>(state.iterations() * k * kCallsPerWorker));
}
BENCHMARK_CAPTURE(BM_Concurrent, bare, 0)->Arg(1)->Arg(64);
BENCHMARK_CAPTURE(BM_Concurrent, pipeline, 1)->Arg(1)->Arg(64);
BENCHMARK_CAPTURE(BM_Concurrent, inline, 2)->Arg(1)->Arg(64);

}  // namespace
}  // namespace reliability

BENCHMARK_MAIN();
