#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"

#include <algorithm>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include "01_rate_limiter_service_mini/algorithms/algorithm.hpp"
#include "01_rate_limiter_service_mini/algorithms/wide_math.hpp"

namespace ratelimit {
namespace {

// One tracked key: its limiter state, LRU links, and the key bytes stored inline right after the
// struct (one allocation per key, and comparing keys touches no other cache line).
struct Entry {
  AlgorithmState state;
  std::int64_t expires_ns = 0;  // fully recovered from this instant on
  Entry* newer = nullptr;       // toward the most recently used end
  Entry* older = nullptr;       // toward the least recently used end
  std::uint32_t key_size = 0;

  std::string_view key() const noexcept {
    return std::string_view(reinterpret_cast<const char*>(this + 1), key_size);
  }

  static Entry* Create(std::string_view key, AlgorithmState state, std::int64_t expires_ns) {
    void* memory = ::operator new(sizeof(Entry) + key.size());
    auto* e = new (memory) Entry{std::move(state), expires_ns, nullptr, nullptr,
                                 static_cast<std::uint32_t>(key.size())};
    std::memcpy(reinterpret_cast<char*>(e + 1), key.data(), key.size());
    return e;
  }
  static void Destroy(Entry* e) noexcept {
    e->~Entry();
    ::operator delete(e);
  }
};

// A lookup key whose hash is already known (it picked the shard), so the index does not hash it
// again.
struct Prehashed {
  std::string_view text;
  std::uint64_t hash;
};

// The index holds Entry pointers and is searched by key text. SipHash output is already uniform,
// so the table may use it without its own post-mixing (is_avalanching).
struct EntryHash {
  using is_transparent = void;
  using is_avalanching = void;
  core::SipKey sip_key;
  std::size_t operator()(const Entry* e) const noexcept {
    return core::SipHash13(sip_key, e->key());
  }
  std::size_t operator()(const Prehashed& p) const noexcept { return p.hash; }
};

struct EntryEq {
  using is_transparent = void;
  bool operator()(const Entry* a, const Entry* b) const noexcept { return a->key() == b->key(); }
  bool operator()(const Entry* a, const Prehashed& b) const noexcept { return a->key() == b.text; }
  bool operator()(const Prehashed& a, const Entry* b) const noexcept { return a.text == b->key(); }
};

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

// An open-addressing index (Boost's SIMD-probed flat set: no per-key node, no bucket array of
// pointers) over individually allocated entries, which stay put so the LRU list can link them.
struct ShardedMemoryStore::Shard {
  using Index = boost::unordered_flat_set<Entry*, EntryHash, EntryEq>;

  explicit Shard(core::SipKey key) : index(0, EntryHash{key}, EntryEq{}) {}
  ~Shard() {
    for (Entry* e : index) Entry::Destroy(e);
  }

  // Own cache line: shards' mutexes must not false-share.
  alignas(64) std::mutex mu;
  Index index;
  Entry* newest = nullptr;
  Entry* oldest = nullptr;

  void Unlink(Entry* e) noexcept {
    (e->newer ? e->newer->older : newest) = e->older;
    (e->older ? e->older->newer : oldest) = e->newer;
    e->newer = e->older = nullptr;
  }
  void PushNewest(Entry* e) noexcept {
    e->older = newest;
    e->newer = nullptr;
    (newest ? newest->newer : oldest) = e;
    newest = e;
  }
  void Touch(Entry* e) noexcept {
    if (newest == e) return;
    Unlink(e);
    PushNewest(e);
  }
  void Erase(Entry* e) noexcept {
    Unlink(e);
    index.erase(e);
    Entry::Destroy(e);
  }
};

ShardedMemoryStore::ShardedMemoryStore(MemoryStoreOptions options)
    : hash_key_(options.hash_key ? *options.hash_key : core::RandomSipKey()) {
  const std::size_t max_keys = std::max<std::size_t>(1, options.max_keys);
  shard_count_ = std::clamp<std::size_t>(options.shards, 1, max_keys);
  shard_capacity_ = max_keys / shard_count_;
  shards_.reserve(shard_count_);
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_.push_back(std::make_unique<Shard>(hash_key_));
  }
}

ShardedMemoryStore::~ShardedMemoryStore() = default;

ShardedMemoryStore::Shard& ShardedMemoryStore::ShardFor(std::uint64_t hash) noexcept {
  // The flat index places a key by the hash's top bits and filters probes by its low byte, so the
  // shard must come from neither: picking it by the top bits (as a first version did) crowded
  // every shard's keys into 1/64 of its slots and made lookups 1.7x slower at a million keys.
  // Bits 8..39, multiply-shifted onto [0, shard_count).
  const std::uint64_t middle = (hash >> 8) & 0xffff'ffffULL;
  const auto i = static_cast<std::size_t>((middle * shard_count_) >> 32);
  return *shards_[i];
}

core::Result<Decision> ShardedMemoryStore::Decide(const Rule& rule, std::string_view key,
                                                  std::int64_t cost, core::Clock::time_point now) {
  const CompositeKey composite(rule.name, key);
  const std::uint64_t hash = core::SipHash13(hash_key_, composite.view());
  Shard& shard = ShardFor(hash);
  const std::int64_t now_ns = internal::Nanos(now);

  std::lock_guard lock(shard.mu);
  if (auto it = shard.index.find(Prehashed{composite.view(), hash}); it != shard.index.end()) {
    Entry& e = **it;
    const Decision d = ratelimit::Decide(rule.algorithm, rule.quota, e.state, cost, now);
    if (d.allowed && cost > 0) e.expires_ns = now_ns + d.reset_after.count();
    // Refused requests count as use too: evicting a client that is being limited would hand it a
    // fresh bucket.
    shard.Touch(&e);
    return d;
  }

  AlgorithmState state = FreshState(rule.algorithm, rule.quota, now);
  const Decision d = ratelimit::Decide(rule.algorithm, rule.quota, state, cost, now);
  if (!d.allowed || cost == 0) return d;  // nothing to remember

  // nginx's limit_req trick: each insert reclaims up to two idle keys from the LRU end, so idle
  // keys drain without a sweeper even under steady traffic.
  for (int i = 0; i < 2 && shard.oldest != nullptr && shard.oldest->expires_ns <= now_ns; ++i) {
    shard.Erase(shard.oldest);
    expired_.fetch_add(1, std::memory_order_relaxed);
    tracked_.fetch_sub(1, std::memory_order_relaxed);
  }
  if (shard.index.size() >= shard_capacity_) {
    shard.Erase(shard.oldest);
    evictions_.fetch_add(1, std::memory_order_relaxed);
    tracked_.fetch_sub(1, std::memory_order_relaxed);
  }
  Entry* e = Entry::Create(composite.view(), std::move(state), now_ns + d.reset_after.count());
  try {
    shard.index.insert(e);  // may grow the index
  } catch (...) {
    Entry::Destroy(e);
    throw;
  }
  shard.PushNewest(e);
  tracked_.fetch_add(1, std::memory_order_relaxed);
  return d;
}

std::size_t ShardedMemoryStore::Sweep(core::Clock::time_point now) {
  const std::int64_t now_ns = internal::Nanos(now);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    Shard& shard = *shards_[i];
    std::lock_guard lock(shard.mu);
    for (Entry* e = shard.oldest; e != nullptr;) {
      Entry* newer = e->newer;
      if (e->expires_ns <= now_ns) {
        shard.Erase(e);
        ++dropped;
      }
      e = newer;
    }
  }
  expired_.fetch_add(dropped, std::memory_order_relaxed);
  tracked_.fetch_sub(dropped, std::memory_order_relaxed);
  return dropped;
}

StoreStats ShardedMemoryStore::Stats() const {
  return StoreStats{tracked_.load(std::memory_order_relaxed),
                    evictions_.load(std::memory_order_relaxed),
                    expired_.load(std::memory_order_relaxed)};
}

std::size_t ShardedMemoryStore::size() const noexcept {
  return static_cast<std::size_t>(tracked_.load(std::memory_order_relaxed));
}

std::size_t ShardedMemoryStore::capacity() const noexcept { return shard_capacity_ * shard_count_; }

std::size_t ShardedMemoryStore::shard_count() const noexcept { return shard_count_; }

}  // namespace ratelimit
