// Visits are counted off the redirect path: a redirect appends one small record to a bounded
// in-memory buffer and goes on; a background loop takes the whole buffer every flush interval (or
// sooner when it fills), sums it into counter rows (Aggregate) and writes them in one store call.
//
// When the buffer is full the visit is dropped and counted — a redirect never waits for the
// database. If a write fails the batch is lost and counted too (not retried: a store that is down
// would otherwise fill memory). So the counts lag by up to one flush interval plus one write, and
// under overload or an outage they undercount by exactly visits_dropped + visits_lost.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "02_url_shortener_service_mini/domain/visit.hpp"
#include "02_url_shortener_service_mini/store/link_store.hpp"
#include "core/async/task.hpp"
#include "core/base/mutex.hpp"

namespace shortener {

struct VisitRecorderStats {
  std::uint64_t recorded = 0;  // accepted into the buffer
  std::uint64_t dropped = 0;   // refused: the buffer was full
  std::uint64_t flushed = 0;   // written to the store
  std::uint64_t lost = 0;      // in a batch whose write failed
  std::uint64_t batches = 0;   // store writes that succeeded
  std::uint64_t failed_batches = 0;
};

class VisitRecorder {
 public:
  explicit VisitRecorder(std::size_t capacity) : capacity_(capacity) { buffer_.reserve(capacity); }

  // Records a visit of `code` at `now` (Unix seconds) from the raw Referer and User-Agent values.
  // False (and counted as dropped) when the buffer is full. Never blocks on I/O. Thread-safe.
  bool Record(std::string_view code, std::int64_t now, std::string_view referer,
              std::string_view user_agent);

  // Visits waiting to be flushed.
  std::size_t pending() const;
  // True when the buffer is at least half full: the flusher should not wait for its timer.
  bool ShouldFlushEarly() const { return pending() * 2 >= capacity_; }

  // Takes everything buffered, writes it as one AddVisits, and returns how many visits it wrote.
  // A failed write returns the store's error; its visits count as lost. Call from one flusher at
  // a time.
  core::Task<core::Result<std::size_t>> Flush(LinkStore& store);

  VisitRecorderStats Stats() const;

 private:
  const std::size_t capacity_;
  mutable core::Mutex mu_;  // a push is a few nanoseconds under it
  std::vector<Visit> buffer_ SD_GUARDED_BY(mu_);
  std::vector<Visit> spare_;  // the flusher's: swapped with buffer_ so capacity is reused
  std::atomic<std::uint64_t> recorded_{0}, dropped_{0}, flushed_{0}, lost_{0}, batches_{0},
      failed_batches_{0};
};

}  // namespace shortener
