// Decisions per second of each algorithm on its own, no table and no lock: the pure math.
// A synthetic clock advances 250 ms per call, so the seed's 2/s-burst-5 key is refused about
// half the time and both paths are measured. Run:
//   build/bench/ratelimit_algorithms_benchmark
#include <benchmark/benchmark.h>

#include "01_rate_limiter_service_mini/algorithms/algorithm.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"

namespace ratelimit {
namespace {

// The seed's 2/s burst 5; a sliding window's limit is its rate's count, so it gets 2/s.
Quota QuotaFor(Algorithm algorithm) {
  if (algorithm == Algorithm::kSlidingWindow) {
    return Quota::Make(Rate{2, std::chrono::seconds(1)}, 2).value();
  }
  return DefaultRule().quota;
}

template <class Algo, Algorithm kAlgorithm>
void BM_Decide(benchmark::State& st) {
  const Quota quota = QuotaFor(kAlgorithm);
  core::Clock::time_point now{std::chrono::hours(1000)};
  typename Algo::State state = Algo::Fresh(quota, now);
  std::int64_t allowed = 0;
  for (auto _ : st) {
    now += std::chrono::milliseconds(250);
    const Decision d = Algo::Decide(quota, state, 1, now);
    allowed += d.allowed;
    benchmark::DoNotOptimize(d);
  }
  st.SetItemsProcessed(st.iterations());
  st.counters["allowed_ratio"] = static_cast<double>(allowed) /
                                 static_cast<double>(std::max<std::int64_t>(1, st.iterations()));
}
BENCHMARK(BM_Decide<TokenBucket, Algorithm::kTokenBucket>)->Name("BM_Decide/token_bucket");
BENCHMARK(BM_Decide<Gcra, Algorithm::kGcra>)->Name("BM_Decide/gcra");
BENCHMARK(BM_Decide<SlidingWindow, Algorithm::kSlidingWindow>)->Name("BM_Decide/sliding_window");

// Through the variant dispatch the store uses.
void BM_DecideDispatch(benchmark::State& st) {
  const auto algorithm = static_cast<Algorithm>(st.range(0));
  const Quota quota = QuotaFor(algorithm);
  core::Clock::time_point now{std::chrono::hours(1000)};
  AlgorithmState state = FreshState(algorithm, quota, now);
  for (auto _ : st) {
    now += std::chrono::milliseconds(250);
    benchmark::DoNotOptimize(Decide(algorithm, quota, state, 1, now));
  }
  st.SetItemsProcessed(st.iterations());
  st.SetLabel(std::string(NameOf(algorithm)));
}
BENCHMARK(BM_DecideDispatch)->DenseRange(0, 2);

}  // namespace
}  // namespace ratelimit

BENCHMARK_MAIN();
