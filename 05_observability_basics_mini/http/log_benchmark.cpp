// Cost of one JSON access line: what the access log adds to every request (see README, overhead).
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "core/base/log.hpp"

namespace {

void BM_FormatAccessLine(benchmark::State& state) {
  // The fields obs::ObservabilityMiddleware::AccessLog writes, with realistic values.
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::log::Format(core::log::Level::kInfo, "request",
                                               {{"request_id", "0cf85117f4a4b58ffb7c832937867a12"},
                                                {"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"},
                                                {"span_id", "00f067aa0ba902b7"},
                                                {"method", "GET"},
                                                {"route", "/hello"},
                                                {"status", 200},
                                                {"duration_s", std::chrono::nanoseconds(12345)},
                                                {"bytes_in", std::size_t{0}},
                                                {"bytes_out", std::size_t{68}},
                                                {"peer", "127.0.0.1"}}));
  }
}
BENCHMARK(BM_FormatAccessLine);

void BM_AppendJsonEscaped(benchmark::State& state) {
  const std::string text = state.range(0) == 0 ? "0cf85117f4a4b58ffb7c832937867a12"
                                               : "/search?q=\"quoted\"&path=C:\\tmp";
  std::string out;
  for (auto _ : state) {
    out.clear();
    core::log::AppendJsonEscaped(out, text);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_AppendJsonEscaped)->Arg(0)->Arg(1);

}  // namespace
