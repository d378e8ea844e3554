// Cost of the per-request id and trace-context work.
#include <benchmark/benchmark.h>

#include <string_view>

#include "05_observability_basics_mini/tracing/request_id.hpp"
#include "05_observability_basics_mini/tracing/trace_context.hpp"

namespace obs {
namespace {

void BM_NewRequestId(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(NewRequestId());
}
BENCHMARK(BM_NewRequestId)->Threads(1)->Threads(2);

void BM_IsValidRequestId(benchmark::State& state) {
  const std::string id = NewRequestId();
  for (auto _ : state) benchmark::DoNotOptimize(IsValidRequestId(id));
}
BENCHMARK(BM_IsValidRequestId);

void BM_ParseTraceparent(benchmark::State& state) {
  const std::string_view header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  for (auto _ : state) benchmark::DoNotOptimize(ParseTraceparent(header));
}
BENCHMARK(BM_ParseTraceparent);

void BM_StartServerSpanContinued(benchmark::State& state) {
  const std::string_view parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const std::string_view tracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
  for (auto _ : state) {
    benchmark::DoNotOptimize(StartServerSpan(std::span(&parent, 1), std::span(&tracestate, 1)));
  }
}
BENCHMARK(BM_StartServerSpanContinued);

void BM_StartServerSpanNewTrace(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(StartServerSpan({}, {}));
}
BENCHMARK(BM_StartServerSpanNewTrace);

void BM_OutboundTraceparent(benchmark::State& state) {
  const TraceId trace = NewTraceId();
  for (auto _ : state) benchmark::DoNotOptimize(OutboundTraceparent(trace, kSampledFlag));
}
BENCHMARK(BM_OutboundTraceparent);

}  // namespace
}  // namespace obs
