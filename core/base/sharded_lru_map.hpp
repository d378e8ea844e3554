// A bounded map from byte-string keys to values, in shards that each have their own lock, index
// and LRU list: the shape of a rate limiter's key table and of a cache of recent refusals.
//
// Design: one allocation per entry (the value, the LRU links and the key bytes inline, so comparing
// keys touches no other cache line), indexed by an open-addressing flat set of pointers (Boost's
// SIMD-probed unordered_flat_set: no per-key node, no bucket array) searched by a keyed SipHash of
// the key. The hash key is random per map, so attacker-chosen keys can be aimed neither at one
// shard nor at one probe chain. A shard holds at most capacity / shards entries; inserting into a
// full shard evicts its least recently used entry. A caller works on one key at a time through a
// Handle that holds that key's shard lock, so find → decide → update is one critical section.
//
//   ```cpp
//   core::ShardedLruMap<int> hits({.capacity = 10'000, .shards = 16});
//   void CountHit(std::string_view client) {
//     auto slot = hits.Lock(client);  // the shard stays locked until `slot` dies
//     if (int* n = slot.value()) {
//       ++*n;
//       slot.Touch();  // a use: now the most recently used entry
//     } else {
//       slot.Insert(1);
//     }
//   }
//   ```
#pragma once

#include <algorithm>
#include <atomic>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/mutex.hpp"
#include "core/base/siphash.hpp"

namespace core {

struct ShardedLruMapOptions {
  // Most entries across all shards; 0 is taken as 1. Each shard holds at most capacity / shards,
  // so the total never exceeds it (one shard can fill before the others, so a little below the
  // cap the LRU already evicts).
  std::size_t capacity = 1;
  // Independent locks; clamped to [1, capacity]. 1 = one global lock.
  std::size_t shards = 16;
  // Hash key; empty = random per map (production). Tests fix it for a reproducible layout.
  std::optional<SipKey> hash_key{};
};

template <class Value>
class ShardedLruMap {
  struct Node;
  struct Shard;

 public:
  // One key's slot, with its shard locked for the handle's lifetime: the key's value if present,
  // and the operations that change it. Not movable (obtain it with Lock, keep it in a local).
  // `key` (given to Lock) must outlive the handle. Another Lock of a key in the same shard, from
  // the same thread, while a handle lives, deadlocks.
  class Handle {
   public:
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    // The key's value, or nullptr when absent. Looking is not a use: call Touch for that.
    // Valid until the handle dies or the entry is erased.
    Value* value() const noexcept { return found_ != nullptr ? &found_->value : nullptr; }

    // Makes the key the shard's most recently used entry. Precondition: value() != nullptr.
    void Touch() noexcept {
      shard_.mu.AssertHeld();
      shard_.Touch(found_);
    }

    // Removes the key. Precondition: value() != nullptr.
    void Erase() noexcept {
      shard_.mu.AssertHeld();
      map_.Remove(shard_, found_);
      found_ = nullptr;
    }

    // Removes up to `limit` entries from this shard's least recently used end while `pred(const
    // Value&)` holds for them (the first entry it does not hold for stops it); returns how many.
    // For forgetting entries that carry no information (expired) before any eviction.
    template <class Pred>
    std::size_t EraseOldestWhile(Pred pred, std::size_t limit) {
      shard_.mu.AssertHeld();
      std::size_t erased = 0;
      while (erased < limit && shard_.oldest != nullptr &&
             pred(std::as_const(shard_.oldest->value))) {
        if (shard_.oldest == found_) found_ = nullptr;
        map_.Remove(shard_, shard_.oldest);
        ++erased;
      }
      return erased;
    }

    // Adds the key with `value` as the shard's most recently used entry and returns it (value()
    // then points to it). A full shard first evicts its least recently used entry (counted in
    // evictions()). Precondition: value() == nullptr. Throws std::bad_alloc (nothing inserted).
    Value& Insert(Value value) {
      shard_.mu.AssertHeld();
      if (shard_.index.size() >= map_.shard_capacity_) {
        map_.Remove(shard_, shard_.oldest);
        map_.evictions_.fetch_add(1, std::memory_order_relaxed);
      }
      Node* node = Node::Create(key_, std::move(value));
      try {
        shard_.index.insert(node);  // may grow the index
      } catch (...) {
        Node::Destroy(node);
        throw;
      }
      shard_.PushNewest(node);
      map_.size_.fetch_add(1, std::memory_order_relaxed);
      found_ = node;
      return node->value;
    }

   private:
    friend class ShardedLruMap;
    Handle(ShardedLruMap& map, Shard& shard, std::string_view key, std::uint64_t hash)
        : map_(map), shard_(shard), lock_(shard.mu), key_(key) {
      if (auto it = shard_.index.find(Prehashed{key, hash}); it != shard_.index.end()) {
        found_ = *it;
      }
    }

    // The methods above touch the shard under lock_, which the analysis cannot see from them:
    // each says so first (AssertHeld).
    ShardedLruMap& map_;
    Shard& shard_;
    MutexLock lock_;
    std::string_view key_;
    Node* found_ = nullptr;
  };

  explicit ShardedLruMap(ShardedLruMapOptions options)
      : hash_key_(options.hash_key ? *options.hash_key : RandomSipKey()) {
    const std::size_t capacity = std::max<std::size_t>(1, options.capacity);
    shard_count_ = std::clamp<std::size_t>(options.shards, 1, capacity);
    shard_capacity_ = capacity / shard_count_;
    shards_.reserve(shard_count_);
    for (std::size_t i = 0; i < shard_count_; ++i) {
      shards_.push_back(std::make_unique<Shard>(hash_key_));
    }
  }
  ShardedLruMap(const ShardedLruMap&) = delete;
  ShardedLruMap& operator=(const ShardedLruMap&) = delete;

  // Locks the shard of `key` (any bytes, at most 4 GiB) and looks it up. Thread-safe.
  Handle Lock(std::string_view key) {
    const std::uint64_t hash = SipHash13(hash_key_, key);
    return Handle(*this, ShardFor(hash), key, hash);
  }

  // Removes every entry for which `pred(const Value&)` holds; returns how many. Locks one shard at
  // a time, walking it whole (O(entries in the shard)): run it from a timer, not per request.
  template <class Pred>
  std::size_t EraseIf(Pred pred) {
    std::size_t erased = 0;
    for (auto& shard : shards_) {
      MutexLock lock(shard->mu);
      for (Node* n = shard->oldest; n != nullptr;) {
        Node* newer = n->newer;
        if (pred(std::as_const(n->value))) {
          Remove(*shard, n);
          ++erased;
        }
        n = newer;
      }
    }
    return erased;
  }

  // Entries held now (a relaxed snapshot while others write).
  std::size_t size() const noexcept { return size_.load(std::memory_order_relaxed); }
  // Entries evicted to make room since construction.
  std::uint64_t evictions() const noexcept { return evictions_.load(std::memory_order_relaxed); }
  // The effective cap: shard_count() * (capacity / shard_count()).
  std::size_t capacity() const noexcept { return shard_capacity_ * shard_count_; }
  std::size_t shard_count() const noexcept { return shard_count_; }

 private:
  // One entry; the key's bytes follow the struct in the same allocation.
  struct Node {
    Value value;
    Node* newer = nullptr;  // toward the most recently used end
    Node* older = nullptr;  // toward the least recently used end
    std::uint32_t key_size = 0;

    std::string_view key() const noexcept {
      return std::string_view(reinterpret_cast<const char*>(this + 1), key_size);
    }
    static Node* Create(std::string_view key, Value&& value) {
      void* memory = ::operator new(sizeof(Node) + key.size());
      Node* n;
      try {
        n = new (memory)
            Node{std::move(value), nullptr, nullptr, static_cast<std::uint32_t>(key.size())};
      } catch (...) {
        ::operator delete(memory);
        throw;
      }
      std::memcpy(reinterpret_cast<char*>(n + 1), key.data(), key.size());
      return n;
    }
    static void Destroy(Node* n) noexcept {
      n->~Node();
      ::operator delete(n);
    }
  };
  static_assert(alignof(Node) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__,
                "entries are allocated with the default operator new");

  // A lookup key whose hash is already known (it picked the shard), so the index does not hash
  // it again.
  struct Prehashed {
    std::string_view text;
    std::uint64_t hash;
  };

  // SipHash output is already uniform, so the index may use it without its own post-mixing
  // (is_avalanching).
  struct NodeHash {
    using is_transparent = void;
    using is_avalanching = void;
    SipKey sip_key;
    std::size_t operator()(const Node* n) const noexcept { return SipHash13(sip_key, n->key()); }
    std::size_t operator()(const Prehashed& p) const noexcept { return p.hash; }
  };

  struct NodeEq {
    using is_transparent = void;
    bool operator()(const Node* a, const Node* b) const noexcept { return a->key() == b->key(); }
    bool operator()(const Node* a, const Prehashed& b) const noexcept { return a->key() == b.text; }
    bool operator()(const Prehashed& a, const Node* b) const noexcept { return a.text == b->key(); }
  };

  // Entries stay where they were allocated, so the LRU list can link them while the index grows.
  struct Shard {
    explicit Shard(const SipKey& key) : index(0, NodeHash{key}, NodeEq{}) {}
    ~Shard() {
      for (Node* n : index) Node::Destroy(n);
    }
    Shard(const Shard&) = delete;
    Shard& operator=(const Shard&) = delete;

    void Unlink(Node* n) noexcept SD_REQUIRES(mu) {
      (n->newer ? n->newer->older : newest) = n->older;
      (n->older ? n->older->newer : oldest) = n->newer;
      n->newer = n->older = nullptr;
    }
    void PushNewest(Node* n) noexcept SD_REQUIRES(mu) {
      n->older = newest;
      n->newer = nullptr;
      (newest ? newest->newer : oldest) = n;
      newest = n;
    }
    void Touch(Node* n) noexcept SD_REQUIRES(mu) {
      if (newest == n) return;
      Unlink(n);
      PushNewest(n);
    }

    // Own cache line: shards' mutexes must not false-share.
    alignas(64) Mutex mu;
    boost::unordered_flat_set<Node*, NodeHash, NodeEq> index SD_GUARDED_BY(mu);
    Node* newest SD_GUARDED_BY(mu) = nullptr;
    Node* oldest SD_GUARDED_BY(mu) = nullptr;
  };

  Shard& ShardFor(std::uint64_t hash) noexcept {
    // The flat index places a key by the hash's top bits and filters probes by its low byte, so
    // the shard must come from neither: picking it by the top bits (as a first version of the
    // limiter's table did) crowded every shard's keys into 1/64 of its slots and made lookups 1.7x
    // slower at a million keys. Bits 8..39, multiply-shifted onto [0, shard_count).
    const std::uint64_t middle = (hash >> 8) & 0xffff'ffffULL;
    return *shards_[static_cast<std::size_t>((middle * shard_count_) >> 32)];
  }

  void Remove(Shard& shard, Node* n) noexcept SD_REQUIRES(shard.mu) {
    shard.Unlink(n);
    shard.index.erase(n);
    Node::Destroy(n);
    size_.fetch_sub(1, std::memory_order_relaxed);
  }

  SipKey hash_key_;
  std::size_t shard_count_ = 1;
  std::size_t shard_capacity_ = 1;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<std::size_t> size_{0};
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace core
