// A metric family: one name, one help text, fixed label names, and one child series per distinct
// tuple of label values, created on first use.
//
// The per-request path is `family.WithLabelValues({method, route, code}).Inc()` with labels only
// known at request time. Children live in a map behind the family's mutex, but each thread keeps a
// small cache (label values → child pointer), so after a thread's first request for a label set
// the lookup is a hash of the values in thread-local memory: no lock, no shared cache line. A
// child is never removed, so cached pointers stay valid for the family's lifetime. Callers on the
// hottest paths can also keep the returned reference and skip even that lookup.
// Cardinality guard: past `max_series` label sets, new ones all map to one series whose label
// values are "overflow" — a route template bug must not grow memory without bound.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "05_observability_basics_mini/metrics/metrics.hpp"
#include "05_observability_basics_mini/metrics/snapshot.hpp"
#include "core/base/mutex.hpp"

namespace obs {

inline constexpr std::string_view kOverflowLabelValue = "overflow";

// What Registry::Add* needs to create a family. Field defaults are the common case.
struct MetricOptions {
  std::string name{};                      // Prometheus metric name; counters end in "_total"
  std::string help{};                      // one line; required (promtool lints its absence)
  std::vector<std::string> label_names{};  // fixed for the family's lifetime
  std::size_t max_series = 1000;           // label sets beyond this share the overflow series
};

// Type-erased part of a family (everything but the child type).
class FamilyBase {
 public:
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  virtual ~FamilyBase() = default;

  const std::string& name() const noexcept { return options_.name; }
  const std::string& help() const noexcept { return options_.help; }
  MetricType type() const noexcept { return type_; }
  const std::vector<std::string>& label_names() const noexcept { return options_.label_names; }
  virtual std::span<const double> bucket_bounds() const noexcept { return {}; }

  // A copy of every series, sorted by label values. Thread-safe (takes the family mutex).
  FamilySnapshot Collect() const;

 protected:
  FamilyBase(MetricType type, MetricOptions options);
  // The child for `values` (created on first use). Throws std::invalid_argument when the number of
  // values differs from the number of label names. Thread-safe.
  Metric& Resolve(std::span<const std::string_view> values);
  virtual std::unique_ptr<Metric> NewMetric() const = 0;

 private:
  Metric& ResolveLocked(std::span<const std::string_view> values);

  const MetricType type_;
  const MetricOptions options_;
  const std::uint64_t id_;  // unique per process, never reused: keys the thread-local caches
  mutable core::Mutex mu_;
  // Sanitized label values → child. std::map keeps Collect's output sorted for free.
  std::map<std::vector<std::string>, std::unique_ptr<Metric>> children_ SD_GUARDED_BY(mu_);
  Metric* overflow_ SD_GUARDED_BY(mu_) = nullptr;
};

// A family of Counter, Gauge or Histogram children. Created by Registry; lives as long as it.
template <class M>
class Family final : public FamilyBase {
 public:
  // `bounds`: histograms only, already validated (finite, strictly increasing).
  Family(MetricType type, MetricOptions options, std::vector<double> bounds = {})
      : FamilyBase(type, std::move(options)), bounds_(std::move(bounds)) {}

  // The child for these label values, one per label name in declaration order (pass {} for a
  // family without labels). Values are taken as-is (ill-formed UTF-8 is replaced with U+FFFD).
  // Thread-safe; lock-free after this thread's first call with the same values. Throws
  // std::invalid_argument on a wrong number of values (a programming error).
  M& WithLabelValues(std::initializer_list<std::string_view> values) {
    return static_cast<M&>(Resolve(std::span(values.begin(), values.size())));
  }
  M& WithLabelValues(std::span<const std::string_view> values) {
    return static_cast<M&>(Resolve(values));
  }

  std::span<const double> bucket_bounds() const noexcept override { return bounds_; }

 private:
  std::unique_ptr<Metric> NewMetric() const override {
    if constexpr (std::is_same_v<M, Histogram>) {
      return std::make_unique<Histogram>(bounds_);
    } else {
      return std::make_unique<M>();
    }
  }

  const std::vector<double> bounds_;  // shared by every child histogram
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

}  // namespace obs
