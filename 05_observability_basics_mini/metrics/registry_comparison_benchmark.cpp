// The middleware's per-request metric work — counter{method,route,code} + histogram{method,route}
// — in our registry and in prometheus-cpp 1.0 (Debian's prometheus-cpp-dev), 1 and 2 threads, with
// child handles cached and with a label lookup per request. Both cycle the same 24 label sets.
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "05_observability_basics_mini/metrics/per_request_labels.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"

namespace {

using obs::bench::kLabels;
using obs::bench::Latency;

const prometheus::Histogram::BucketBoundaries& Buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = obs::DefaultLatencyBuckets();
  return buckets;
}

struct PromFamilies {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter().Name("http_requests_total").Help("R.").Register(*registry);
  prometheus::Family<prometheus::Histogram>& duration = prometheus::BuildHistogram()
                                                            .Name("http_request_duration_seconds")
                                                            .Help("D.")
                                                            .Register(*registry);
};

struct OurFamilies {
  obs::Registry registry;
  obs::CounterFamily& requests = registry.AddCounter(
      {.name = "http_requests_total", .help = "R.", .label_names = {"method", "route", "code"}});
  obs::HistogramFamily& duration = registry.AddHistogram(
      {.name = "http_request_duration_seconds", .help = "D.", .label_names = {"method", "route"}},
      obs::DefaultLatencyBuckets());
};

void BM_PrometheusCpp_CachedChildren(benchmark::State& state) {
  static PromFamilies f;
  struct Children {
    prometheus::Counter* requests;
    prometheus::Histogram* duration;
  };
  std::array<Children, kLabels.size()> children{};
  for (std::size_t k = 0; k < kLabels.size(); ++k) {
    const auto& l = kLabels[k];
    const std::string m(l.method), r(l.route), c(l.code);
    children[k] = {&f.requests.Add({{"method", m}, {"route", r}, {"code", c}}),
                   &f.duration.Add({{"method", m}, {"route", r}}, Buckets())};
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& c = children[i % children.size()];
    c.requests->Increment();
    c.duration->Observe(Latency(i));
    ++i;
  }
}
BENCHMARK(BM_PrometheusCpp_CachedChildren)->Threads(1)->Threads(2);

// The label maps built per request from the request's strings (what a middleware must do: the
// API takes std::map<std::string, std::string>), then Family::Add looks the child up.
void BM_PrometheusCpp_LabelLookup(benchmark::State& state) {
  static PromFamilies f;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& l = kLabels[i % kLabels.size()];
    const std::string m(l.method), r(l.route), c(l.code);
    f.requests.Add({{"method", m}, {"route", r}, {"code", c}}).Increment();
    f.duration.Add({{"method", m}, {"route", r}}, Buckets()).Observe(Latency(i));
    ++i;
  }
}
BENCHMARK(BM_PrometheusCpp_LabelLookup)->Threads(1)->Threads(2);

void BM_Ours_CachedChildren(benchmark::State& state) {
  static OurFamilies f;
  struct Children {
    obs::Counter* requests;
    obs::Histogram* duration;
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
BENCHMARK(BM_Ours_CachedChildren)->Threads(1)->Threads(2);

void BM_Ours_LabelLookup(benchmark::State& state) {
  static OurFamilies f;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& l = kLabels[i % kLabels.size()];
    f.requests.WithLabelValues({l.method, l.route, l.code}).Inc();
    f.duration.WithLabelValues({l.method, l.route}).Observe(Latency(i));
    ++i;
  }
}
BENCHMARK(BM_Ours_LabelLookup)->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
