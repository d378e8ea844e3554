#include "04_cache_service_mini/cache/cache.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace cache {

core::Result<std::unique_ptr<Cache>> Cache::Create(const CacheOptions& options,
                                                   const core::Clock& clock) {
  if (options.shards == 0) {
    return core::Error(core::Code::kInvalidArgument, "cache: shards must be > 0");
  }
  if (options.max_bytes / options.shards == 0) {
    return core::Error(core::Code::kInvalidArgument,
                       "cache: the byte budget is smaller than one byte per shard");
  }
  return std::make_unique<Cache>(options, clock);
}

Cache::Cache(const CacheOptions& options, const core::Clock& clock)
    : options_(options), clock_(clock) {
  if (options.shards == 0) throw std::invalid_argument("cache: shards must be > 0");
  shard_capacity_ = options.max_bytes / options.shards;
  if (shard_capacity_ == 0) throw std::invalid_argument("cache: max_bytes too small for shards");
  context_.max_value_bytes = options.max_value_bytes;
  shards_.reserve(options.shards);
  for (std::size_t i = 0; i < options.shards; ++i) {
    shards_.push_back(std::make_unique<CacheShard>(shard_capacity_, options.policy, context_,
                                                   options.seed + i * 0x9e3779b97f4a7c15ULL));
  }
}

Cache::~Cache() = default;

CacheShard& Cache::ShardFor(std::uint64_t hash) const noexcept {
  // Shards from the high half of the hash (multiply-shift range reduction); tables use the low
  // half for buckets, so the two choices stay independent.
  const std::uint64_t high = hash >> 32;
  return *shards_[static_cast<std::size_t>((high * shards_.size()) >> 32)];
}

core::Clock::time_point Cache::Now() noexcept {
  const core::Clock::time_point now_point = clock_.Now();
  const std::int64_t now = ToNs(now_point);
  std::int64_t due = flush_at_ns_.load(std::memory_order_acquire);
  // Whoever first sees the delayed flush due applies it, once. Every operation checks before it
  // touches a shard, so an item stored after the deadline gets a CAS above the new threshold.
  if (due != kNoPendingFlush && now >= due &&
      flush_at_ns_.compare_exchange_strong(due, kNoPendingFlush, std::memory_order_acq_rel)) {
    RaiseFlushBelow(context_.next_cas.load(std::memory_order_acquire));
  }
  return now_point;
}

void Cache::RaiseFlushBelow(std::uint64_t cas) noexcept {
  std::uint64_t current = context_.flush_below_cas.load(std::memory_order_acquire);
  while (current < cas &&
         !context_.flush_below_cas.compare_exchange_weak(current, cas, std::memory_order_acq_rel)) {
  }
}

ItemHandle Cache::Get(std::string_view key) {
  const std::uint64_t hash = HashKey(key);
  return ShardFor(hash).Get(key, hash, ToNs(Now()));
}

ItemHandle Cache::GetAndTouch(std::string_view key, Expiry expiry) {
  const std::uint64_t hash = HashKey(key);
  const core::Clock::time_point now = Now();
  const std::int64_t deadline = expiry.DeadlineNs(now, options_.default_ttl);
  return ShardFor(hash).GetAndTouch(key, hash, ToNs(now), deadline);
}

bool Cache::Touch(std::string_view key, Expiry expiry) {
  const std::uint64_t hash = HashKey(key);
  const core::Clock::time_point now = Now();
  const std::int64_t deadline = expiry.DeadlineNs(now, options_.default_ttl);
  return ShardFor(hash).Touch(key, hash, ToNs(now), deadline);
}

Allocation Cache::Allocate(StoreMode mode, std::string_view key, std::uint32_t flags,
                           std::size_t value_len, bool reserve) {
  if (!IsValidKey(key)) return {StoreStatus::kNotStored, {}};
  StoreStatus refused = StoreStatus::kStored;
  if (value_len > options_.max_value_bytes) {
    Bump(global_.store_too_large);
    refused = StoreStatus::kTooLarge;
  } else if (ItemCharge(key.size(), value_len) > shard_capacity_) {
    Bump(global_.store_no_memory);
    refused = StoreStatus::kNoMemory;
  }
  PendingItem item;
  if (refused == StoreStatus::kStored) {
    // Allocate first, outside the lock (the pages of a big value are not touched until written),
    // then reserve its charge; an allocation that cannot be reserved is freed unread.
    item = PendingItem(NewItem(key, value_len, flags));
    if (!reserve) return {StoreStatus::kStored, std::move(item)};
    CacheShard& shard = ShardFor(HashKey(key));
    if (shard.Reserve(ItemCharge(key.size(), value_len), ToNs(Now()))) {
      return {StoreStatus::kStored, PendingItem(item.Release(), &shard.reservation())};
    }
    Bump(global_.store_no_memory);
    refused = StoreStatus::kNoMemory;
  }
  if (mode == StoreMode::kSet) {
    const std::uint64_t hash = HashKey(key);
    ShardFor(hash).Discard(key, hash);
  }
  return {refused, {}};
}

StoreStatus Cache::Store(StoreMode mode, PendingItem item, Expiry expiry,
                         std::uint64_t cas_unique) {
  if (!item) return StoreStatus::kNotStored;
  const std::uint64_t hash = HashKey(item.key());
  const core::Clock::time_point now = Now();
  const std::int64_t deadline = expiry.DeadlineNs(now, options_.default_ttl);
  const std::size_t reserved = item.reserved_bytes();
  return ShardFor(hash).Store(mode, item.Release(), hash, ToNs(now), deadline, cas_unique,
                              reserved);
}

StoreStatus Cache::Store(StoreMode mode, std::string_view key, std::string_view value,
                         std::uint32_t flags, Expiry expiry, std::uint64_t cas_unique) {
  // The value is already in the caller's memory: nothing is in flight, so nothing is reserved and
  // the store takes the shard's lock once.
  Allocation allocation = Allocate(mode, key, flags, value.size(), /*reserve=*/false);
  if (allocation.status != StoreStatus::kStored) return allocation.status;
  if (!value.empty()) std::memcpy(allocation.item.mutable_value(), value.data(), value.size());
  return Store(mode, std::move(allocation.item), expiry, cas_unique);
}

bool Cache::Delete(std::string_view key) {
  const std::uint64_t hash = HashKey(key);
  return ShardFor(hash).Delete(key, hash, ToNs(Now()));
}

ArithResult Cache::Incr(std::string_view key, std::uint64_t delta) {
  const std::uint64_t hash = HashKey(key);
  return ShardFor(hash).Arith(key, hash, ToNs(Now()), /*incr=*/true, delta);
}

ArithResult Cache::Decr(std::string_view key, std::uint64_t delta) {
  const std::uint64_t hash = HashKey(key);
  return ShardFor(hash).Arith(key, hash, ToNs(Now()), /*incr=*/false, delta);
}

void Cache::FlushAll(core::Clock::duration delay) {
  Bump(global_.cmd_flush);
  const std::int64_t now = ToNs(Now());
  if (delay <= core::Clock::duration::zero()) {
    flush_at_ns_.store(kNoPendingFlush, std::memory_order_release);
    RaiseFlushBelow(context_.next_cas.load(std::memory_order_acquire));
    return;
  }
  const auto delay_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(delay).count();
  std::int64_t due = 0;
  if (__builtin_add_overflow(now, delay_ns, &due)) due = INT64_MAX;  // "never", in effect
  flush_at_ns_.store(due, std::memory_order_release);
}

ExpireReport Cache::ExpireSome(const ExpireBudget& budget) {
  ExpireReport total;
  const std::int64_t now = ToNs(Now());
  const std::size_t n = shards_.size();
  const std::size_t start = expire_cursor_.load(std::memory_order_relaxed) % n;
  for (std::size_t visited = 0; visited < n; ++visited) {
    const std::size_t index = (start + visited) % n;
    for (;;) {
      if (total.sampled >= budget.max_samples) {
        total.budget_exhausted = true;
        expire_cursor_.store(index, std::memory_order_relaxed);  // resume here next time
        return total;
      }
      const std::size_t take =
          std::min(budget.samples_per_round, budget.max_samples - total.sampled);
      const ExpireReport round = shards_[index]->ExpireRound(take, now);
      total.sampled += round.sampled;
      total.expired += round.expired;
      total.rounds += round.rounds;
      if (round.sampled < take) break;  // the shard had fewer TTL'd items: all were examined
      if (static_cast<double>(round.expired) <=
          budget.repeat_above * static_cast<double>(round.sampled)) {
        break;
      }
    }
  }
  expire_cursor_.store((start + 1) % n, std::memory_order_relaxed);
  return total;
}

std::vector<CacheStats> Cache::StatsByShard() const {
  std::vector<CacheStats> result(shards_.size());
  for (std::size_t i = 0; i < shards_.size(); ++i) {
    result[i].Add(shards_[i]->counters());
    const ShardUsage usage = shards_[i]->Usage();
    result[i].curr_items = usage.items;
    result[i].bytes = usage.bytes;
    result[i].bytes_in_flight = usage.reserved;
    result[i].limit_maxbytes = shard_capacity_;
  }
  return result;
}

CacheStats Cache::Stats() const {
  CacheStats stats;
  stats.Add(global_);
  std::vector<std::pair<std::string, std::uint64_t>> policy_counters;
  for (const auto& shard : shards_) {
    stats.Add(shard->counters());
    const ShardUsage usage = shard->Usage();
    stats.curr_items += usage.items;
    stats.bytes += usage.bytes;
    stats.bytes_in_flight += usage.reserved;
    policy_counters.clear();
    shard->AppendPolicyCounters(policy_counters);
    for (auto& counter : policy_counters) {
      auto it = std::find_if(stats.policy_counters.begin(), stats.policy_counters.end(),
                             [&](const auto& entry) { return entry.first == counter.first; });
      if (it == stats.policy_counters.end()) {
        stats.policy_counters.push_back(std::move(counter));
      } else {
        it->second += counter.second;
      }
    }
  }
  stats.limit_maxbytes = shard_capacity_ * shards_.size();
  stats.policy = std::string(policy_name());
  return stats;
}

}  // namespace cache
