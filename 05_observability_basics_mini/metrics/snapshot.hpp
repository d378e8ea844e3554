// A point-in-time copy of metric families: what the registry hands to the text formatter.
//
// Scrapes copy values out of the live atomics into these plain structs, then format them, so
// formatting (and its tests) never touch concurrency, and custom collectors (process metrics,
// callbacks) produce the same shape as the built-in families.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace obs {

enum class MetricType { kCounter, kGauge, kHistogram };

// One labelled series of a family.
struct MetricSnapshot {
  std::vector<std::string> label_values{};  // one per FamilySnapshot::label_names, same order
  double value = 0;                         // counter or gauge value (unused for histograms)
  // Histograms only: cumulative counts per FamilySnapshot::bucket_bounds, then the +Inf bucket
  // (which is the observation count), and the sum of observations.
  std::vector<std::uint64_t> cumulative_counts{};
  double sum = 0;
};

struct FamilySnapshot {
  std::string name{};  // counters include the "_total" suffix
  std::string help{};
  MetricType type = MetricType::kGauge;
  std::vector<std::string> label_names{};
  std::vector<double> bucket_bounds{};  // histograms: finite upper bounds, strictly increasing
  std::vector<MetricSnapshot> metrics{};
};

}  // namespace obs
