#include "05_observability_basics_mini/metrics/family.hpp"

#include <atomic>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "05_observability_basics_mini/metrics/metric_names.hpp"

namespace obs {
namespace {

// Bounds a thread's cache: a flood of distinct label sets (which the family's max_series already
// folds into one series) must not grow every thread's memory either.
constexpr std::size_t kMaxCachedPerThread = 4096;

struct ThreadCache {
  std::string key;  // scratch buffer, reused so a hit allocates nothing
  std::unordered_map<std::string, Metric*> children;
};

ThreadCache& LocalCache() {
  thread_local ThreadCache cache;
  return cache;
}

// family id, then each value as (32-bit length, bytes): unambiguous for any byte content.
void EncodeKey(std::string& key, std::uint64_t id, std::span<const std::string_view> values) {
  key.clear();
  key.append(reinterpret_cast<const char*>(&id), sizeof id);
  for (const std::string_view v : values) {
    const auto len = static_cast<std::uint32_t>(v.size());
    key.append(reinterpret_cast<const char*>(&len), sizeof len);
    key.append(v);
  }
}

std::uint64_t NextFamilyId() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

FamilyBase::FamilyBase(MetricType type, MetricOptions options)
    : type_(type), options_(std::move(options)), id_(NextFamilyId()) {}

Metric& FamilyBase::Resolve(std::span<const std::string_view> values) {
  if (values.size() != options_.label_names.size()) {
    throw std::invalid_argument(options_.name + ": expected " +
                                std::to_string(options_.label_names.size()) +
                                " label values, got " + std::to_string(values.size()));
  }
  ThreadCache& cache = LocalCache();
  EncodeKey(cache.key, id_, values);
  if (const auto it = cache.children.find(cache.key); it != cache.children.end()) {
    return *it->second;
  }
  Metric& metric = ResolveLocked(values);
  if (cache.children.size() >= kMaxCachedPerThread) cache.children.clear();
  cache.children.emplace(cache.key, &metric);
  return metric;
}

Metric& FamilyBase::ResolveLocked(std::span<const std::string_view> values) {
  std::vector<std::string> key;
  key.reserve(values.size());
  for (const std::string_view v : values) key.push_back(SanitizeUtf8(v));

  core::MutexLock lock(mu_);
  if (const auto it = children_.find(key); it != children_.end()) return *it->second;
  if (children_.size() >= options_.max_series) {
    if (overflow_ == nullptr) {
      std::vector<std::string> overflow_key(values.size(), std::string(kOverflowLabelValue));
      auto& slot = children_[std::move(overflow_key)];
      if (!slot) slot = NewMetric();
      overflow_ = slot.get();
    }
    return *overflow_;
  }
  auto& slot = children_[std::move(key)];
  slot = NewMetric();
  return *slot;
}

FamilySnapshot FamilyBase::Collect() const {
  FamilySnapshot family;
  family.name = options_.name;
  family.help = options_.help;
  family.type = type_;
  family.label_names = options_.label_names;
  const auto bounds = bucket_bounds();
  family.bucket_bounds.assign(bounds.begin(), bounds.end());
  core::MutexLock lock(mu_);
  family.metrics.reserve(children_.size());
  for (const auto& [label_values, metric] : children_) {
    MetricSnapshot& snapshot = family.metrics.emplace_back();
    snapshot.label_values = label_values;
    metric->Collect(snapshot);
  }
  return family;
}

}  // namespace obs
