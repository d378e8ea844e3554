#include "05_observability_basics_mini/metrics/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace obs {
namespace detail {

std::uint32_t AssignThreadOrdinal() noexcept {
  static std::atomic<std::uint32_t> next{0};
  // Skip 0, which marks "unassigned"; ordinals wrap long before that matters (2^32 threads).
  std::uint32_t ordinal = next.fetch_add(1, std::memory_order_relaxed) + 1;
  if (ordinal == 0) ordinal = next.fetch_add(1, std::memory_order_relaxed) + 1;
  tl_thread_ordinal = ordinal;
  return ordinal;
}

std::uint32_t ShardCount() noexcept {
  static const std::uint32_t kCount = [] {
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    return std::min<std::uint32_t>(64, std::bit_ceil(cpus));
  }();
  return kCount;
}

}  // namespace detail

Counter::Counter()
    : mask_(detail::ShardCount() - 1),
      cells_(std::make_unique<detail::CacheLine[]>(detail::ShardCount())) {}

double Counter::Value() const noexcept {
  std::uint64_t count = 0;
  double fractional = 0;
  for (std::uint32_t s = 0; s <= mask_; ++s) {
    count += cells_[s].words[0].load(std::memory_order_relaxed);
    fractional += detail::LoadDouble(cells_[s].words[1]);
  }
  return static_cast<double>(count) + fractional;
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds),
      mask_(detail::ShardCount() - 1),
      lines_per_shard_((bounds.size() + 2 + 7) / 8),
      lines_(std::make_unique<detail::CacheLine[]>(lines_per_shard_ * detail::ShardCount())) {}

void Histogram::Observe(double value) noexcept {
  if (std::isnan(value)) return;
  // First bound >= value: "le" semantics. Past the last bound is the +Inf bucket.
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  const std::uint32_t shard = detail::ThreadOrdinal() & mask_;
  Cell(shard, bucket).fetch_add(1, std::memory_order_relaxed);
  detail::AddDouble(Cell(shard, bounds_.size() + 1), value);
}

std::uint64_t Histogram::Count() const noexcept {
  std::uint64_t count = 0;
  for (std::uint32_t s = 0; s <= mask_; ++s) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      count += Cell(s, i).load(std::memory_order_relaxed);
    }
  }
  return count;
}

double Histogram::Sum() const noexcept {
  double sum = 0;
  for (std::uint32_t s = 0; s <= mask_; ++s) sum += detail::LoadDouble(Cell(s, bounds_.size() + 1));
  return sum;
}

void Histogram::Collect(MetricSnapshot& out) const {
  out.cumulative_counts.assign(bounds_.size() + 1, 0);
  for (std::uint32_t s = 0; s <= mask_; ++s) {
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      out.cumulative_counts[i] += Cell(s, i).load(std::memory_order_relaxed);
    }
  }
  // Per-bucket counts → cumulative: each load happened once, so the result is monotonic and the
  // last entry (+Inf) is the count, whatever observers did meanwhile.
  for (std::size_t i = 1; i < out.cumulative_counts.size(); ++i) {
    out.cumulative_counts[i] += out.cumulative_counts[i - 1];
  }
  out.sum = Sum();
}

std::vector<double> DefaultLatencyBuckets() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::vector<double> ExponentialBuckets(double start, double factor, std::size_t count) {
  if (!(start > 0) || !(factor > 1) || count == 0) {
    throw std::invalid_argument("ExponentialBuckets: need start > 0, factor > 1, count >= 1");
  }
  std::vector<double> bounds;
  bounds.reserve(count);
  for (double b = start; bounds.size() < count; b *= factor) bounds.push_back(b);
  return bounds;
}

}  // namespace obs
