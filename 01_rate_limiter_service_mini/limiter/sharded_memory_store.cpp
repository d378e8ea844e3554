#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"

#include <cstring>
#include <string>

#include "01_rate_limiter_service_mini/algorithms/wide_math.hpp"

namespace ratelimit {
namespace {

// "<rule>\0<key>": one table for all rules without keys of two rules ever meeting. Built on the
// stack for the usual short key; only long keys touch the heap.
class CompositeKey {
 public:
  CompositeKey(std::string_view rule, std::string_view key) {
    const std::size_t n = rule.size() + 1 + key.size();
    char* out = inline_;
    if (n > sizeof inline_) {
      heap_.resize(n);
      out = heap_.data();
    }
    std::memcpy(out, rule.data(), rule.size());
    out[rule.size()] = '\0';
    std::memcpy(out + rule.size() + 1, key.data(), key.size());
    view_ = std::string_view(out, n);
  }
  std::string_view view() const noexcept { return view_; }

 private:
  char inline_[192];
  std::string heap_;
  std::string_view view_;
};

}  // namespace

ShardedMemoryStore::ShardedMemoryStore(MemoryStoreOptions options)
    : keys_(
          {.capacity = options.max_keys, .shards = options.shards, .hash_key = options.hash_key}) {}

core::Result<Decision> ShardedMemoryStore::Decide(const Rule& rule, std::string_view key,
                                                  std::int64_t cost, core::Clock::time_point now) {
  const CompositeKey composite(rule.name, key);
  const std::int64_t now_ns = internal::Nanos(now);

  auto slot = keys_.Lock(composite.view());
  if (KeyState* known = slot.value()) {
    const Decision d = ratelimit::Decide(rule.algorithm, rule.quota, known->state, cost, now);
    if (d.allowed && cost > 0) known->expires_ns = now_ns + d.reset_after.count();
    // Refused requests count as use too: evicting a client that is being limited would hand it a
    // fresh bucket.
    slot.Touch();
    return d;
  }

  AlgorithmState state = FreshState(rule.algorithm, rule.quota, now);
  const Decision d = ratelimit::Decide(rule.algorithm, rule.quota, state, cost, now);
  if (!d.allowed || cost == 0) return d;  // nothing to remember

  // nginx's limit_req trick: each insert reclaims up to two idle keys from the LRU end, so idle
  // keys drain without a sweeper even under steady traffic (and before any live key is evicted).
  const std::size_t idle =
      slot.EraseOldestWhile([now_ns](const KeyState& old) { return old.expires_ns <= now_ns; }, 2);
  if (idle > 0) expired_.fetch_add(idle, std::memory_order_relaxed);
  slot.Insert(KeyState{state, now_ns + d.reset_after.count()});
  return d;
}

std::size_t ShardedMemoryStore::Sweep(core::Clock::time_point now) {
  const std::int64_t now_ns = internal::Nanos(now);
  const std::size_t dropped =
      keys_.EraseIf([now_ns](const KeyState& k) { return k.expires_ns <= now_ns; });
  expired_.fetch_add(dropped, std::memory_order_relaxed);
  return dropped;
}

StoreStats ShardedMemoryStore::Stats() const {
  return StoreStats{keys_.size(), keys_.evictions(), expired_.load(std::memory_order_relaxed)};
}

std::size_t ShardedMemoryStore::size() const noexcept { return keys_.size(); }

std::size_t ShardedMemoryStore::capacity() const noexcept { return keys_.capacity(); }

std::size_t ShardedMemoryStore::shard_count() const noexcept { return keys_.shard_count(); }

}  // namespace ratelimit
