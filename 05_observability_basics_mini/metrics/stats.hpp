// Stats declared once (Envoy's ALL_*_STATS idea): a component lists its counters and gauges in one
// X-macro, and both the C++ structs that count them and the Prometheus families they are exported
// as are derived from that list, so a counter cannot exist without its metric, or drift from it.
//
// Each entry is COUNTER(field, family, label, help) or GAUGE(...):
//   field   the C++ member name
//   family  the Prometheus family it is exported as ("" = counted, not exported)
//   label   "name=value" telling its series apart inside a shared family, or ""
//   help    the family's HELP text (every entry of one family gives the same one)
//
//   ```text
//   #define CACHE_STATS(COUNTER, GAUGE)
//     COUNTER(hits, "cache_lookups_total", "result=hit", "Lookups by result.")
//     COUNTER(misses, "cache_lookups_total", "result=miss", "Lookups by result.")
//     GAUGE(items, "cache_items", "", "Items held.")      (one macro: lines end in '\')
//   ```
//
// A one-line list, compiled (a comment line cannot end in '\'):
//
//   ```cpp
//   #include "05_observability_basics_mini/metrics/registry.hpp"
//   #define QUEUE_STATS(COUNTER, GAUGE) COUNTER(pushed, "queue_pushed_total", "", "Jobs pushed.")
//   SD_STATS_SNAPSHOT(QueueStats, QUEUE_STATS)                // std::uint64_t per entry
//   SD_STATS_COUNTERS(QueueCounters, QueueStats, QUEUE_STATS)  // live, relaxed atomics; Load()
//   // `counters` must outlive the registry's scrapes.
//   void Export(obs::Registry& registry, const QueueCounters& counters) {
//     registry.AddStats([&counters](obs::StatFamilies& f) {
//       ForEachStat(counters.Load(), f.Adder());  // the families, from the list
//     });
//   }
//   ```
//
// This header needs only the standard library (domain code that counts includes it without the
// registry); Registry::AddStats (registry.hpp) turns the families into a scrape-time collector.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "05_observability_basics_mini/metrics/snapshot.hpp"

namespace obs {

// One entry of a stats list, as the macros below hand it over.
struct StatSpec {
  std::string_view field;
  MetricType type = MetricType::kCounter;
  std::string_view family;  // "" = not exported
  std::string_view label;   // "name=value" or ""
  std::string_view help;
};

// A label an instance of a stats struct adds to all of its series (the rule a counter is for).
struct StatLabel {
  std::string_view name;
  std::string_view value;
};

// A counter statistic: a relaxed atomic (statistics order nothing, so they pay for no fences).
class StatCounter {
 public:
  void Inc(std::uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A gauge statistic: the same, but it may also go down or be set.
class StatGauge {
 public:
  void Set(std::uint64_t v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void Add(std::int64_t delta) noexcept {
    value_.fetch_add(static_cast<std::uint64_t>(delta), std::memory_order_relaxed);
  }
  std::uint64_t Load() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// Builds the Prometheus families that stats values declare. Entries naming the same family become
// its series, in the order added; a stat's own label comes after the instance labels. Not
// thread-safe (one per scrape).
class StatFamilies {
 public:
  // Adds `value` as a series of spec.family (created on first use); skips an unexported stat.
  // Throws std::invalid_argument when the family was added before with another type, help or
  // label names, or when spec.label is not "name=value" (a declaration bug, found at start-up:
  // Registry::AddStats runs the lists once when they are registered).
  void Add(const StatSpec& spec, std::uint64_t value,
           std::initializer_list<StatLabel> labels = {}) {
    AddSeries(spec, value, labels.begin(), labels.end());
  }

  // A callable for ForEachStat that adds every stat it is given with `labels` (copied; the
  // strings they view must outlive the callable).
  auto Adder(std::initializer_list<StatLabel> labels = {}) {
    return
        [this, labels = std::vector<StatLabel>(labels)](const StatSpec& spec, std::uint64_t value) {
          AddSeries(spec, value, labels.data(), labels.data() + labels.size());
        };
  }

  const std::vector<FamilySnapshot>& families() const noexcept { return families_; }
  std::vector<FamilySnapshot> Take() && { return std::move(families_); }

 private:
  void AddSeries(const StatSpec& spec, std::uint64_t value, const StatLabel* first,
                 const StatLabel* last) {
    if (spec.family.empty()) return;
    std::vector<std::string> names;
    std::vector<std::string> values;
    for (const StatLabel* l = first; l != last; ++l) {
      names.emplace_back(l->name);
      values.emplace_back(l->value);
    }
    if (!spec.label.empty()) {
      const auto eq = spec.label.find('=');
      if (eq == std::string_view::npos || eq == 0) Fail(spec, "label must be \"name=value\"");
      names.emplace_back(spec.label.substr(0, eq));
      values.emplace_back(spec.label.substr(eq + 1));
    }
    FamilySnapshot& family = FamilyFor(spec, std::move(names));
    family.metrics.push_back(
        MetricSnapshot{.label_values = std::move(values), .value = static_cast<double>(value)});
  }

  [[noreturn]] static void Fail(const StatSpec& spec, std::string_view why) {
    throw std::invalid_argument("stat " + std::string(spec.field) + " (" +
                                std::string(spec.family) + "): " + std::string(why));
  }

  FamilySnapshot& FamilyFor(const StatSpec& spec, std::vector<std::string> label_names) {
    auto it = std::find_if(families_.begin(), families_.end(),
                           [&](const FamilySnapshot& f) { return f.name == spec.family; });
    if (it == families_.end()) {
      return families_.emplace_back(FamilySnapshot{.name = std::string(spec.family),
                                                   .help = std::string(spec.help),
                                                   .type = spec.type,
                                                   .label_names = std::move(label_names)});
    }
    if (it->type != spec.type) Fail(spec, "declared with two types");
    if (it->help != spec.help) Fail(spec, "declared with two help texts");
    if (it->label_names != label_names) Fail(spec, "declared with two sets of label names");
    return *it;
  }

  std::vector<FamilySnapshot> families_;
};

}  // namespace obs

// The generators. LIST is a stats list macro as described at the top of this file.

// `struct Name` with one std::uint64_t per entry (a snapshot, regular value type), and
// `ForEachStat(const Name&, fn)` calling fn(const obs::StatSpec&, std::uint64_t) per entry.
#define SD_STATS_SNAPSHOT(Name, LIST)      \
  struct Name {                            \
    LIST(SD_STATS_FIELD_, SD_STATS_FIELD_) \
  };                                       \
  SD_STATS_FOR_EACH(Name, LIST)

// `struct Name` with one obs::StatCounter / obs::StatGauge per entry (live, thread-safe), and
// `Snapshot Load() const` copying them into the SD_STATS_SNAPSHOT struct of the same list.
#define SD_STATS_COUNTERS(Name, Snapshot, LIST)          \
  struct Name {                                          \
    LIST(SD_STATS_COUNTER_FIELD_, SD_STATS_GAUGE_FIELD_) \
    Snapshot Load() const noexcept {                     \
      Snapshot s;                                        \
      LIST(SD_STATS_LOAD_, SD_STATS_LOAD_)               \
      return s;                                          \
    }                                                    \
  };

// Only `ForEachStat(const Type&, fn)`, for a struct declared elsewhere whose members the list's
// fields name (a lower layer's stats that this layer exports).
#define SD_STATS_FOR_EACH(Type, LIST)                    \
  template <class Fn>                                    \
  void ForEachStat(const Type& stats, Fn&& fn) {         \
    LIST(SD_STATS_VISIT_COUNTER_, SD_STATS_VISIT_GAUGE_) \
  }

// Details of the generators.
#define SD_STATS_FIELD_(field, family, label, help) std::uint64_t field = 0;
#define SD_STATS_COUNTER_FIELD_(field, family, label, help) ::obs::StatCounter field;
#define SD_STATS_GAUGE_FIELD_(field, family, label, help) ::obs::StatGauge field;
#define SD_STATS_LOAD_(field, family, label, help) s.field = (field).Load();
#define SD_STATS_VISIT_COUNTER_(field, family, label, help) \
  fn(::obs::StatSpec{#field, ::obs::MetricType::kCounter, family, label, help}, stats.field);
#define SD_STATS_VISIT_GAUGE_(field, family, label, help) \
  fn(::obs::StatSpec{#field, ::obs::MetricType::kGauge, family, label, help}, stats.field);
