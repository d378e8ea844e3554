#include "04_cache_service_mini/cache/cache_shard.hpp"

#include <cstring>

#include "core/base/decimal.hpp"
#include "core/base/mutex.hpp"
#include "core/base/splitmix64.hpp"

namespace cache {

CacheShard::CacheShard(std::size_t capacity_bytes, const PolicyOptions& policy,
                       ShardContext& context, std::uint64_t seed)
    : capacity_bytes_(capacity_bytes),
      context_(context),
      policy_(MakePolicy(policy, capacity_bytes)),
      shared_reads_(policy_->ConcurrentHits()),
      rng_(seed) {}

CacheShard::~CacheShard() {
  // Drops the table's references; items still held by handles live on until those go.
  table_.ForEach([](Item* item) { Unref(item); });
}

bool CacheShard::Dead(const Item* item, std::int64_t now_ns) const noexcept {
  return item->ExpiredAt(now_ns) ||
         item->cas < context_.flush_below_cas.load(std::memory_order_acquire);
}

ItemHandle CacheShard::Get(std::string_view key, std::uint64_t hash, std::int64_t now_ns) {
  if (shared_reads_) {
    core::ReaderLock lock(mu_);
    Item* item = table_.Find(key, hash);
    if (item == nullptr) {
      Bump(counters_.get_misses);
      return {};
    }
    if (!Dead(item, now_ns)) {
      policy_->OnHit(item);
      item->MarkFetched();
      Ref(item);
      Bump(counters_.get_hits);
      return ItemHandle(item, item->expire_ns);
    }
    // Dead: removing it needs the exclusive lock. Fall through and look again.
  }
  core::WriterLock lock(mu_);
  Item* item = FindLive(key, hash, now_ns, Lookup::kGet);
  if (item == nullptr) {
    Bump(counters_.get_misses);
    return {};
  }
  policy_->OnHit(item);
  item->MarkFetched();
  Ref(item);
  Bump(counters_.get_hits);
  return ItemHandle(item, item->expire_ns);
}

ItemHandle CacheShard::GetAndTouch(std::string_view key, std::uint64_t hash, std::int64_t now_ns,
                                   std::int64_t deadline_ns) {
  core::WriterLock lock(mu_);
  Item* item = FindLive(key, hash, now_ns, Lookup::kOther);
  if (item == nullptr) {
    Bump(counters_.touch_misses);
    return {};
  }
  SetDeadline(item, deadline_ns);
  policy_->OnHit(item);
  item->MarkFetched();
  Ref(item);
  Bump(counters_.touch_hits);
  return ItemHandle(item);
}

bool CacheShard::Touch(std::string_view key, std::uint64_t hash, std::int64_t now_ns,
                       std::int64_t deadline_ns) {
  core::WriterLock lock(mu_);
  Item* item = FindLive(key, hash, now_ns, Lookup::kOther);
  if (item == nullptr) {
    Bump(counters_.touch_misses);
    return false;
  }
  SetDeadline(item, deadline_ns);
  policy_->OnHit(item);
  item->MarkFetched();
  Bump(counters_.touch_hits);
  return true;
}

StoreStatus CacheShard::Store(StoreMode mode, Item* raw_item, std::uint64_t hash,
                              std::int64_t now_ns, std::int64_t deadline_ns,
                              std::uint64_t cas_unique, std::size_t reserved) {
  PendingItem item(raw_item);  // freed on every early return
  core::WriterLock lock(mu_);
  // The reservation ends here, under the lock, so the bytes move from reserved to stored at once
  // (Commit fits the item) or are freed with it: never counted twice, never briefly uncounted.
  reserved_.fetch_sub(reserved, std::memory_order_relaxed);
  Bump(counters_.cmd_set);
  Item* old = FindLive(item.key(), hash, now_ns, Lookup::kWrite);
  switch (mode) {
    case StoreMode::kSet:
      break;
    case StoreMode::kAdd:
      if (old != nullptr) return StoreStatus::kNotStored;
      break;
    case StoreMode::kReplace:
    case StoreMode::kAppend:
    case StoreMode::kPrepend:
      if (old == nullptr) return StoreStatus::kNotStored;
      break;
    case StoreMode::kCas:
      if (old == nullptr) {
        Bump(counters_.cas_misses);
        return StoreStatus::kNotFound;
      }
      if (old->cas != cas_unique) {
        Bump(counters_.cas_badval);
        return StoreStatus::kExists;
      }
      Bump(counters_.cas_hits);
      break;
  }
  if (mode == StoreMode::kAppend || mode == StoreMode::kPrepend) {
    // Items are immutable (readers may hold the old one), so the result is a new item; flags and
    // expiry stay the old item's, as memcached ignores them on append.
    const std::size_t total = std::size_t{old->value_len} + item.value_size();
    if (total > context_.max_value_bytes) {
      Bump(counters_.store_no_memory);
      return StoreStatus::kNoMemory;
    }
    PendingItem combined(NewItem(old->key(), total, old->flags));
    char* out = combined.mutable_value();
    const std::string_view added(item.mutable_value(), item.value_size());
    if (mode == StoreMode::kAppend) {
      std::memcpy(out, old->value().data(), old->value_len);
      std::memcpy(out + old->value_len, added.data(), added.size());
    } else {
      std::memcpy(out, added.data(), added.size());
      std::memcpy(out + added.size(), old->value().data(), old->value_len);
    }
    deadline_ns = old->expire_ns;
    item = std::move(combined);
  }
  Item* fresh = item.Release();
  fresh->expire_ns = deadline_ns;
  fresh->cas = context_.next_cas.fetch_add(1, std::memory_order_relaxed);
  if (!Commit(fresh, old, hash, now_ns)) {
    Bump(counters_.store_no_memory);
    if (mode == StoreMode::kSet && old != nullptr) Unlink(old, hash);
    return StoreStatus::kNoMemory;
  }
  return StoreStatus::kStored;
}

bool CacheShard::Reserve(std::size_t charge, std::int64_t now_ns) {
  core::WriterLock lock(mu_);
  if (charge > capacity_bytes_ ||
      reserved_.load(std::memory_order_relaxed) > capacity_bytes_ - charge) {
    return false;
  }
  Item* none = nullptr;
  EvictFor(charge, none, 0, now_ns);
  reserved_.fetch_add(charge, std::memory_order_relaxed);
  return true;
}

bool CacheShard::Delete(std::string_view key, std::uint64_t hash, std::int64_t now_ns) {
  core::WriterLock lock(mu_);
  Item* item = FindLive(key, hash, now_ns, Lookup::kOther);
  if (item == nullptr) {
    Bump(counters_.delete_misses);
    return false;
  }
  Unlink(item, hash);
  Bump(counters_.delete_hits);
  return true;
}

ArithResult CacheShard::Arith(std::string_view key, std::uint64_t hash, std::int64_t now_ns,
                              bool incr, std::uint64_t delta) {
  core::WriterLock lock(mu_);
  Item* old = FindLive(key, hash, now_ns, Lookup::kWrite);
  if (old == nullptr) {
    Bump(incr ? counters_.incr_misses : counters_.decr_misses);
    return {ArithStatus::kNotFound, 0};
  }
  std::uint64_t value = 0;
  if (!ParseDecimalValue(old->value(), &value)) return {ArithStatus::kNonNumeric, 0};
  // memcached: incr wraps at 2^64 (unsigned arithmetic does exactly that), decr stops at 0.
  value = incr ? value + delta : (delta > value ? 0 : value - delta);
  const core::DecimalText digits(value);
  PendingItem fresh(NewItem(key, digits.view().size(), old->flags));
  std::memcpy(fresh.mutable_value(), digits.view().data(), digits.view().size());
  Item* item = fresh.Release();
  item->expire_ns = old->expire_ns;
  item->cas = context_.next_cas.fetch_add(1, std::memory_order_relaxed);
  item->MarkFetched();
  if (!Commit(item, old, hash, now_ns)) {
    Bump(counters_.store_no_memory);
    return {ArithStatus::kNoMemory, 0};
  }
  Bump(incr ? counters_.incr_hits : counters_.decr_hits);
  return {ArithStatus::kOk, value};
}

void CacheShard::Discard(std::string_view key, std::uint64_t hash) {
  core::WriterLock lock(mu_);
  if (Item* item = table_.Find(key, hash); item != nullptr) Unlink(item, hash);
}

ExpireReport CacheShard::ExpireRound(std::size_t samples, std::int64_t now_ns) {
  ExpireReport report;
  core::WriterLock lock(mu_);
  const std::size_t n = ttl_items_.size();
  if (n == 0 || samples == 0) return report;
  report.rounds = 1;
  if (n <= samples) {
    // Few enough to look at all. Walk backwards: removal swaps the last element into the hole,
    // and the last element has already been looked at.
    for (std::size_t i = n; i-- > 0;) {
      Item* item = ttl_items_[i];
      ++report.sampled;
      if (Dead(item, now_ns)) {
        RemoveActiveExpired(item, now_ns);
        ++report.expired;
      }
    }
  } else {
    for (std::size_t k = 0; k < samples && !ttl_items_.empty(); ++k) {
      Item* item = ttl_items_[NextRandom() % ttl_items_.size()];
      ++report.sampled;
      if (Dead(item, now_ns)) {
        RemoveActiveExpired(item, now_ns);
        ++report.expired;
      }
    }
  }
  Bump(counters_.expiry_sampled, report.sampled);
  return report;
}

ShardUsage CacheShard::Usage() const {
  core::ReaderLock lock(mu_);
  return {table_.size(), bytes_, reserved_.load(std::memory_order_relaxed)};
}

void CacheShard::AppendPolicyCounters(
    std::vector<std::pair<std::string, std::uint64_t>>& out) const {
  core::ReaderLock lock(mu_);  // policy counters are only written under the exclusive lock
  policy_->AppendCounters(out);
}

Item* CacheShard::FindLive(std::string_view key, std::uint64_t hash, std::int64_t now_ns,
                           Lookup lookup) {
  Item* item = table_.Find(key, hash);
  if (item == nullptr || !Dead(item, now_ns)) return item;
  // memcached checks flush before expiry; so do we, for get_flushed vs get_expired.
  const bool flushed = item->cas < context_.flush_below_cas.load(std::memory_order_acquire);
  if (lookup == Lookup::kGet) Bump(flushed ? counters_.get_flushed : counters_.get_expired);
  if (lookup == Lookup::kWrite) Bump(counters_.reclaimed);
  if (!flushed && !item->Fetched()) Bump(counters_.expired_unfetched);
  Unlink(item, hash);
  return nullptr;
}

bool CacheShard::Commit(Item* item, Item* old, std::uint64_t hash, std::int64_t now_ns) {
  const std::size_t charge = ItemCharge(*item);
  // Evicting everything else (old included) leaves only the reservations: if the item does not
  // fit beside them, evicting would only lose items.
  if (charge > capacity_bytes_ ||
      reserved_.load(std::memory_order_relaxed) > capacity_bytes_ - charge) {
    Unref(item);
    return false;
  }
  EvictFor(charge, old, hash, now_ns);
  if (old != nullptr) {
    table_.Replace(old, item, hash);
    policy_->OnReplace(old, item);
    TtlRemove(old);
    TtlAdd(item);
    bytes_ = bytes_ - ItemCharge(*old) + charge;
    Unref(old);
  } else {
    Link(item, hash);
  }
  Bump(counters_.total_items);
  return true;
}

void CacheShard::EvictFor(std::size_t charge, Item*& old, std::uint64_t old_hash,
                          std::int64_t now_ns) {
  // Byte-aware: one big item may cost many small ones.
  for (;;) {
    const std::size_t old_charge = old != nullptr ? ItemCharge(*old) : 0;
    if (bytes_ - old_charge + charge + reserved_.load(std::memory_order_relaxed) <=
        capacity_bytes_) {
      return;
    }
    Item* victim = policy_->Evict();
    if (victim == nullptr) return;  // unreachable while the precondition and accounting hold
    if (victim == old) {
      // The item being replaced was picked: it goes anyway, so it is not counted as an eviction.
      Detach(old, old_hash);
      Unref(old);
      old = nullptr;
      continue;
    }
    if (Dead(victim, now_ns)) {
      Bump(counters_.reclaimed);
      if (victim->ExpiredAt(now_ns) && !victim->Fetched()) Bump(counters_.expired_unfetched);
    } else {
      Bump(counters_.evictions);
      if (!victim->Fetched()) Bump(counters_.evicted_unfetched);
    }
    Detach(victim, HashKey(victim->key()));
    Unref(victim);
  }
}

void CacheShard::Link(Item* item, std::uint64_t hash) {
  table_.Insert(item, hash);
  policy_->OnInsert(item, hash);
  TtlAdd(item);
  bytes_ += ItemCharge(*item);
}

void CacheShard::Unlink(Item* item, std::uint64_t hash) {
  policy_->OnRemove(item);
  Detach(item, hash);
  Unref(item);
}

void CacheShard::Detach(Item* item, std::uint64_t hash) {
  table_.Remove(item, hash);
  TtlRemove(item);
  bytes_ -= ItemCharge(*item);
}

void CacheShard::RemoveActiveExpired(Item* item, std::int64_t now_ns) {
  if (item->ExpiredAt(now_ns)) {
    Bump(counters_.expired_active);
    if (!item->Fetched()) Bump(counters_.expired_unfetched);
  } else {
    Bump(counters_.reclaimed);  // invalidated by flush_all
  }
  Unlink(item, HashKey(item->key()));
}

void CacheShard::SetDeadline(Item* item, std::int64_t deadline_ns) {
  TtlRemove(item);
  item->expire_ns = deadline_ns;
  TtlAdd(item);
}

void CacheShard::TtlAdd(Item* item) {
  if (!item->HasTtl()) return;
  item->ttl_slot = static_cast<std::uint32_t>(ttl_items_.size());
  ttl_items_.push_back(item);
}

void CacheShard::TtlRemove(Item* item) {
  if (item->ttl_slot == kNoTtlSlot) return;
  Item* last = ttl_items_.back();
  ttl_items_[item->ttl_slot] = last;
  last->ttl_slot = item->ttl_slot;
  ttl_items_.pop_back();
  item->ttl_slot = kNoTtlSlot;
}

std::uint64_t CacheShard::NextRandom() noexcept {
  // splitmix64: tiny, fast, and deterministic for a given seed (tests replay exactly).
  return core::SplitMix64(rng_);
}

bool ParseDecimalValue(std::string_view text, std::uint64_t* value) noexcept {
  std::size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i < text.size() && text[i] == '+') ++i;
  const char* begin = text.data() + i;
  const char* end = text.data() + text.size();
  if (begin == end || *begin < '0' || *begin > '9') return false;
  std::uint64_t parsed = 0;
  const auto [ptr, ec] = std::from_chars(begin, end, parsed);
  if (ec != std::errc()) return false;  // overflow
  if (ptr != end && *ptr != ' ' && *ptr != '\r' && *ptr != '\n' && *ptr != '\t') return false;
  *value = parsed;
  return true;
}

}  // namespace cache
