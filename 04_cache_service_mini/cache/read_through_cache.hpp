// Get-or-load in front of a Cache: look-aside caching with a stampede guard and negative caching.
//
//   hit                 -> the cached value, no load
//   recently not found  -> "not found" from a small negative cache, no load (negative caching:
//                          a stream of requests for a missing key must not each reach the DB)
//   miss                -> one loader call per key at a time (single-flight); concurrent callers
//                          for that key wait and share its result; found values are stored with
//                          positive_ttl, "not found" with negative_ttl, errors are not cached
//
// Synchronous and transport-free: the loader runs on the caller's thread and followers block. An
// event-loop server should call it from a worker pool, not from its I/O threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "04_cache_service_mini/cache/single_flight.hpp"
#include "core/base/clock.hpp"

namespace cache {

enum class LoadStatus : std::uint8_t { kFound, kNotFound, kError };

// What a loader reports, and what Get returns.
struct LoadResult {
  LoadStatus status = LoadStatus::kNotFound;
  std::string value;  // kFound
  std::uint32_t flags = 0;
  std::string error;  // kError: why (not cached; the next Get tries again)

  static LoadResult Found(std::string value, std::uint32_t flags = 0) {
    return {LoadStatus::kFound, std::move(value), flags, {}};
  }
  static LoadResult NotFound() { return {}; }
  static LoadResult Error(std::string why) { return {LoadStatus::kError, {}, 0, std::move(why)}; }
};

// Loads a key from the source of truth. Report failures as LoadResult::Error rather than
// throwing (an exception does reach every waiting caller, but it is not counted).
using Loader = std::function<LoadResult(std::string_view key)>;

// Where Get's answer came from (an HTTP handler can put it in an X-Cache header).
enum class LoadSource : std::uint8_t {
  kCache,          // hit
  kNegativeCache,  // recently not found
  kLoader,         // this caller ran the loader
  kCoalesced,      // another caller's load, shared
};

struct Lookup {
  LoadResult result;
  LoadSource source = LoadSource::kLoader;
};

struct ReadThroughOptions {
  Expiry positive_ttl = Expiry::Default();
  core::Clock::duration negative_ttl = std::chrono::seconds(5);
  // Budget of the negative cache (its own small Cache: it is evicted and expires on its own
  // without displacing real values).
  std::size_t negative_max_bytes = std::size_t{1} << 20;
};

struct ReadThroughStats {
  std::uint64_t loads = 0;          // loader calls
  std::uint64_t load_errors = 0;    // loader calls that returned kError
  std::uint64_t coalesced = 0;      // callers served by another caller's load
  std::uint64_t negative_hits = 0;  // answered "not found" from the negative cache
};

// Thread-safe. `cache` and `clock` must outlive it.
class ReadThroughCache {
 public:
  ReadThroughCache(Cache& cache, const core::Clock& clock, ReadThroughOptions options = {});

  // The value for `key` (see the table above). `loader` may be called on this thread; it is
  // never called concurrently for the same key by this object.
  Lookup Get(std::string_view key, const Loader& loader);
  // Forgets a cached "not found" (call it when the key is created).
  void ForgetMissing(std::string_view key) { negative_.Delete(key); }

  ReadThroughStats Stats() const;
  // Callers waiting for another caller's load of `key` (for tests and a gauge).
  std::size_t Waiting(std::string_view key) const { return flight_.Waiters(key); }

 private:
  Cache& cache_;
  const ReadThroughOptions options_;
  Cache negative_;
  SingleFlight<Lookup> flight_;
  std::atomic<std::uint64_t> loads_{0};
  std::atomic<std::uint64_t> load_errors_{0};
  std::atomic<std::uint64_t> coalesced_{0};
  std::atomic<std::uint64_t> negative_hits_{0};
};

}  // namespace cache
