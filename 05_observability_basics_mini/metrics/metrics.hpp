// The live metric types: Counter, Gauge, Histogram — one labelled series each.
//
// The hot path takes no lock and shares no cache line between threads: counters and histograms
// keep one cache-line-padded cell per shard, each thread writes the shard picked for it on first
// use (round-robin over a power-of-two shard count ≥ the CPU count), and a scrape sums the shards.
// An increment is one relaxed fetch_add on a line no other core is writing; an observation is a
// bucket search plus one fetch_add and one uncontended compare-exchange (the sum). Gauges are a
// single atomic: Set() has to be one store that the next read sees, which shards cannot give.
// Objects are created by Family (family.hpp) and live as long as their registry; share references.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "05_observability_basics_mini/metrics/snapshot.hpp"

namespace obs {

namespace detail {

// This thread's ordinal, assigned round-robin on first use; shards use `ordinal & mask`.
inline constinit thread_local std::uint32_t tl_thread_ordinal = 0;  // 0 = unassigned
std::uint32_t AssignThreadOrdinal() noexcept;
inline std::uint32_t ThreadOrdinal() noexcept {
  const std::uint32_t ordinal = tl_thread_ordinal;
  return ordinal != 0 ? ordinal : AssignThreadOrdinal();
}

// Number of shards per metric: next power of two ≥ hardware_concurrency, clamped to [1, 64].
std::uint32_t ShardCount() noexcept;

struct alignas(64) CacheLine {
  std::atomic<std::uint64_t> words[8]{};
};

// A double kept as its bit pattern in an atomic word, so it can share a cache line with counts.
inline void AddDouble(std::atomic<std::uint64_t>& bits, double delta) noexcept {
  std::uint64_t old = bits.load(std::memory_order_relaxed);
  while (!bits.compare_exchange_weak(
      old, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old) + delta),
      std::memory_order_relaxed)) {
  }
}
inline double LoadDouble(const std::atomic<std::uint64_t>& bits) noexcept {
  return std::bit_cast<double>(bits.load(std::memory_order_relaxed));
}

}  // namespace detail

// Base of the live metric types: lets a family snapshot its children without knowing their type.
class Metric {
 public:
  virtual ~Metric() = default;
  // Fills `out.value` (or the histogram fields). Thread-safe with concurrent updates; the values
  // of different shards are read one after another, not as one atomic snapshot.
  virtual void Collect(MetricSnapshot& out) const = 0;
};

// A monotonically increasing count. Thread-safe and lock-free.
class Counter final : public Metric {
 public:
  Counter();
  // +1: one relaxed fetch_add on this thread's shard.
  void Inc() noexcept {
    cells_[detail::ThreadOrdinal() & mask_].words[0].fetch_add(1, std::memory_order_relaxed);
  }
  // +delta. Counters never go down: a negative or NaN delta is ignored.
  void Add(double delta) noexcept {
    if (!(delta >= 0)) return;
    detail::AddDouble(cells_[detail::ThreadOrdinal() & mask_].words[1], delta);
  }
  // The sum over shards (integer increments + fractional ones).
  double Value() const noexcept;
  void Collect(MetricSnapshot& out) const override { out.value = Value(); }

 private:
  std::uint32_t mask_;
  std::unique_ptr<detail::CacheLine[]> cells_;  // words[0]: Inc() count, words[1]: Add() sum
};

// A value that goes up and down. One atomic word: thread-safe and lock-free, but concurrent
// writers from many cores contend on its cache line (fine for set-rarely gauges; for a hot
// in-flight count prefer a pair of counters or a callback gauge).
class Gauge final : public Metric {
 public:
  void Set(double value) noexcept {
    bits_.store(std::bit_cast<std::uint64_t>(value), std::memory_order_relaxed);
  }
  void Add(double delta) noexcept { detail::AddDouble(bits_, delta); }
  void Inc() noexcept { Add(1); }
  void Dec() noexcept { Add(-1); }
  double Value() const noexcept { return detail::LoadDouble(bits_); }
  void Collect(MetricSnapshot& out) const override { out.value = Value(); }

 private:
  std::atomic<std::uint64_t> bits_{0};  // bit pattern of 0.0
};

// Counts observations into fixed buckets (upper bounds inclusive, Prometheus "le") plus their sum.
// The +Inf bucket and the count are derived from the per-bucket counts at scrape, so "+Inf ==
// _count" and monotonic cumulative buckets hold in every scrape, even mid-update. Thread-safe and
// lock-free.
class Histogram final : public Metric {
 public:
  // `bounds` must be finite and strictly increasing (Family validates); it is shared, not copied,
  // and must outlive the histogram.
  explicit Histogram(std::span<const double> bounds);

  // Records `value` (NaN is ignored: it would poison the sum forever).
  void Observe(double value) noexcept;

  std::uint64_t Count() const noexcept;
  double Sum() const noexcept;
  void Collect(MetricSnapshot& out) const override;

 private:
  std::atomic<std::uint64_t>& Cell(std::uint32_t shard, std::size_t index) const noexcept {
    return lines_[shard * lines_per_shard_ + index / 8].words[index % 8];
  }

  std::span<const double> bounds_;
  std::uint32_t mask_;
  std::size_t lines_per_shard_;  // holds bounds_.size() + 1 bucket counts, then the sum
  std::unique_ptr<detail::CacheLine[]> lines_;
};

// Prometheus' default buckets (seconds): .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10.
std::vector<double> DefaultLatencyBuckets();
// `count` bounds start, start*factor, ... (start > 0, factor > 1, count ≥ 1).
std::vector<double> ExponentialBuckets(double start, double factor, std::size_t count);

}  // namespace obs
