// Vocabulary shared by Cache and its shards: store modes and outcomes (memcached's reply words),
// arithmetic results, and the active-expiry budget and report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "04_cache_service_mini/cache/item.hpp"

namespace cache {

// memcached's six storage commands.
enum class StoreMode : std::uint8_t { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

enum class StoreStatus : std::uint8_t {
  kStored,     // STORED
  kNotStored,  // NOT_STORED: add over a live key, replace/append/prepend of a missing one
  kExists,     // EXISTS: cas unique did not match
  kNotFound,   // NOT_FOUND: cas on a missing key
  kTooLarge,   // SERVER_ERROR object too large for cache: value over max_value_bytes
  kNoMemory,   // SERVER_ERROR out of memory storing object: item over a shard's whole budget
};

// The result of Cache::Allocate: an item to fill (status kStored) or why there is none.
struct Allocation {
  StoreStatus status = StoreStatus::kStored;
  PendingItem item;
};

enum class ArithStatus : std::uint8_t {
  kOk,          // value holds the new number
  kNotFound,    // NOT_FOUND
  kNonNumeric,  // CLIENT_ERROR cannot increment or decrement non-numeric value
  kNoMemory,    // SERVER_ERROR out of memory (the new item does not fit the shard)
};

struct ArithResult {
  ArithStatus status = ArithStatus::kNotFound;
  std::uint64_t value = 0;
};

// How much work one Cache::ExpireSome call may do (Redis's activeExpireCycle, made a step function
// so that the caller's timer, not a thread inside the library, decides when it runs).
struct ExpireBudget {
  // Items with a TTL sampled per round in one shard (Redis: 20 keys per loop).
  std::size_t samples_per_round = 20;
  // Keep sampling a shard while more than this share of a round was expired (Redis: 10%). This is
  // what bounds stale memory: in steady state roughly this share of TTL'd items is dead and unread.
  double repeat_above = 0.10;
  // Hard cap on items examined per call over all shards; this is what bounds CPU per call.
  std::size_t max_samples = 2000;
};

struct ExpireReport {
  std::size_t sampled = 0;        // items examined
  std::size_t expired = 0;        // removed because expired (or invalidated by flush_all)
  std::size_t rounds = 0;         // sampling rounds run
  bool budget_exhausted = false;  // stopped at max_samples before finishing its pass over shards
};

// Parses memcached's decimal number as incr/decr accept it: optional leading spaces, digits, then
// the end or a space (memcached pads incremented values with spaces). Overflow = not a number.
bool ParseDecimalValue(std::string_view text, std::uint64_t* value) noexcept;

}  // namespace cache
