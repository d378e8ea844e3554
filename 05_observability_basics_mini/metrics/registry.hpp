// The metric registry: owns every family of a process and renders them for `GET /metrics`.
//
// Families are registered once at start-up and returned by reference; callers keep the reference
// (and, on hot paths, the child references) for the process lifetime. Registration checks names
// and label names against the Prometheus data model and promtool's lints (metric_names.hpp) and
// throws std::invalid_argument on a violation: that is a programming error found on the first run,
// the same contract as constructing a std::regex from a bad pattern, and returning an error value
// instead would only push an unconditional `.value()` into every caller. Registering an identical
// family again (same type, help, labels, buckets) returns the existing one, so independent
// components may declare the metrics they share. Scrapes (Collect / ExposeText) copy the live
// values into snapshots without blocking writers: updates are atomics, never under these locks.
//
//   ```cpp
//   obs::Registry registry;  // one per process (HttpObservability owns it)
//   obs::CounterFamily& jobs = registry.AddCounter(
//       {.name = "jobs_total", .help = "Jobs finished, by outcome.", .label_names = {"outcome"}});
//   obs::HistogramFamily& latency = registry.AddHistogram(
//       {.name = "job_duration_seconds", .help = "Job run time."}, {0.01, 0.1, 1, 10});
//   void Finished(bool ok, double seconds) {
//     jobs.WithLabelValues({ok ? "done" : "failed"}).Inc();
//     latency.WithLabelValues({}).Observe(seconds);
//   }
//   std::string Scrape() { return registry.ExposeText(); }  // the body of GET /metrics
//   ```
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "05_observability_basics_mini/metrics/family.hpp"
#include "05_observability_basics_mini/metrics/snapshot.hpp"
#include "05_observability_basics_mini/metrics/stats.hpp"
#include "core/base/mutex.hpp"

namespace obs {

// Produces families at scrape time, computed rather than stored (process metrics, queue depths).
class Collector {
 public:
  virtual ~Collector() = default;
  // The names of the families Collect() emits; checked for clashes when the collector is added.
  virtual std::vector<std::string> Describe() const = 0;
  // Appends the current families. Called on the scraping thread, possibly by two overlapping
  // scrapes at once, so it must be thread-safe. Families without series are skipped.
  virtual void Collect(std::vector<FamilySnapshot>& out) const = 0;
};

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Each returns the family, creating it if needed. Thread-safe. Throws std::invalid_argument on
  // an invalid name or label name, an empty or non-UTF-8 help, a name clash with a different
  // family, or (counters) a name without the "_total" suffix. A family without labels gets its
  // single series at once, so it is exported as 0 before the first update.
  CounterFamily& AddCounter(MetricOptions options);
  GaugeFamily& AddGauge(MetricOptions options);
  // `bounds`: finite, strictly increasing upper bounds (+Inf is implicit; a trailing +Inf is
  // dropped). Also throws on a label named "le".
  HistogramFamily& AddHistogram(MetricOptions options, std::vector<double> bounds);

  // A gauge without labels whose value is `read()` at scrape time (e.g. a queue's depth). `read`
  // runs on the scraping thread and must be thread-safe. Same checks and throws as AddGauge.
  void AddCallbackGauge(std::string name, std::string help, std::function<double()> read);
  // Same for a monotonically increasing value kept elsewhere (name must end in "_total").
  void AddCallbackCounter(std::string name, std::string help, std::function<double()> read);

  // Adds a custom collector. Throws std::invalid_argument if one of its names is taken.
  void AddCollector(std::shared_ptr<const Collector> collector);

  // Adds the families that stats lists declare (stats.hpp): `fill` adds every stat's current
  // value to the StatFamilies it is given. It runs once here, so the families are checked at
  // registration (names, help, labels: the same rules and throws as AddCounter / AddGauge, plus
  // StatFamilies' own), then at every scrape, on the scraping thread: it must be thread-safe.
  // The example in stats.hpp: registry.AddStats([&](auto& f) { ForEachStat(stats, f.Adder()); }).
  void AddStats(std::function<void(StatFamilies&)> fill);

  // Every family (registered and collected), sorted by name. Thread-safe.
  std::vector<FamilySnapshot> Collect() const;

  // Collect() rendered in the text exposition format 0.0.4 (content type: kTextContentType).
  std::string ExposeText() const;

 private:
  struct Callback {
    MetricType type;
    std::string help;
    std::function<double()> read;
  };

  template <class M>
  Family<M>& AddFamily(MetricType type, MetricOptions options, std::vector<double> bounds);
  // Checks a new family's name and the series names it will produce against those taken.
  void CheckNewNameLocked(std::string_view name, MetricType type) const SD_REQUIRES(mu_);
  void AddCallback(std::string name, std::string help, MetricType type,
                   std::function<double()> read);

  mutable core::Mutex mu_;  // guards the maps, not metric values
  std::map<std::string, std::unique_ptr<FamilyBase>, std::less<>> families_ SD_GUARDED_BY(mu_);
  std::map<std::string, Callback, std::less<>> callbacks_ SD_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<const Collector>> collectors_ SD_GUARDED_BY(mu_);
  // Series name → family name.
  std::map<std::string, std::string, std::less<>> series_names_ SD_GUARDED_BY(mu_);
};

}  // namespace obs
