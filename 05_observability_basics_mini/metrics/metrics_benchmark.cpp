// Cost of the hot-path metric operations, 1 and 2 threads, and the per-request work of the HTTP
// middleware (counter{method,route,code} + histogram{method,route}).
#include <benchmark/benchmark.h>

#include <atomic>

#include "05_observability_basics_mini/metrics/per_request_labels.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "05_observability_basics_mini/metrics/request_metrics.hpp"

namespace obs {
namespace {

using bench::kLabels;
using bench::Latency;

// Baseline: one shared atomic, what an unsharded counter costs when threads share its line.
void BM_SharedAtomicIncrement(benchmark::State& state) {
  alignas(64) static std::atomic<std::uint64_t> value{0};
  for (auto _ : state) value.fetch_add(1, std::memory_order_relaxed);
}
BENCHMARK(BM_SharedAtomicIncrement)->Threads(1)->Threads(2);

void BM_CounterInc(benchmark::State& state) {
  static Counter counter;
  for (auto _ : state) counter.Inc();
}
BENCHMARK(BM_CounterInc)->Threads(1)->Threads(2);

void BM_GaugeIncDec(benchmark::State& state) {
  static Gauge gauge;
  for (auto _ : state) {
    gauge.Inc();
    gauge.Dec();
  }
}
BENCHMARK(BM_GaugeIncDec)->Threads(1)->Threads(2);

void BM_HistogramObserve(benchmark::State& state) {
  static const std::vector<double> bounds = DefaultLatencyBuckets();
  static Histogram histogram(bounds);
  std::size_t i = 0;
  for (auto _ : state) histogram.Observe(Latency(i++));
}
BENCHMARK(BM_HistogramObserve)->Threads(1)->Threads(2);

struct Families {
  Registry registry;
  CounterFamily& requests = registry.AddCounter(
      {.name = "http_requests_total", .help = "R.", .label_names = {"method", "route", "code"}});
  HistogramFamily& duration = registry.AddHistogram(
      {.name = "http_request_duration_seconds", .help = "D.", .label_names = {"method", "route"}},
      DefaultLatencyBuckets());
};

// Per request with child handles resolved once (the cheapest way to use any registry).
void BM_PerRequestCachedChildren(benchmark::State& state) {
  static Families f;
  struct Children {
    Counter* requests;
    Histogram* duration;
  };
  std::array<Children, kLabels.size()> children{};
  for (std::size_t k = 0; k < kLabels.size(); ++k) {
    const auto& l = kLabels[k];
    children[k] = {&f.requests.WithLabelValues({l.method, l.route, l.code}),
                   &f.duration.WithLabelValues({l.method, l.route})};
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& c = children[i % children.size()];
    c.requests->Inc();
    c.duration->Observe(Latency(i));
    ++i;
  }
}
BENCHMARK(BM_PerRequestCachedChildren)->Threads(1)->Threads(2);

// Per request with label values looked up every time (what the middleware does).
void BM_PerRequestLabelLookup(benchmark::State& state) {
  static Families f;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& l = kLabels[i % kLabels.size()];
    f.requests.WithLabelValues({l.method, l.route, l.code}).Inc();
    f.duration.WithLabelValues({l.method, l.route}).Observe(Latency(i));
    ++i;
  }
}
BENCHMARK(BM_PerRequestLabelLookup)->Threads(1)->Threads(2);

// RequestMetrics::Record: the lookup above plus method normalization and status formatting.
void BM_RequestMetricsRecord(benchmark::State& state) {
  static Registry registry;
  static RequestMetrics metrics(registry);
  static constexpr int kStatus[] = {200, 404, 500};
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& l = kLabels[i % kLabels.size()];
    metrics.Record(l.method, l.route, kStatus[i % 3], Latency(i));
    ++i;
  }
}
BENCHMARK(BM_RequestMetricsRecord)->Threads(1)->Threads(2);

// One scrape of the 24-series RED families (text rendering included).
void BM_ExposeText(benchmark::State& state) {
  Registry registry;
  RequestMetrics metrics(registry);
  for (std::size_t i = 0; i < kLabels.size(); ++i) {
    metrics.Record(kLabels[i].method, kLabels[i].route, 200 + static_cast<int>(i % 3), 0.01);
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = registry.ExposeText();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ExposeText);

}  // namespace
}  // namespace obs
