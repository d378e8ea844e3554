// The shard's index: an intrusive chained hash table of Item* (chains run through Item::hash_next),
// memcached's assoc.c idea. One 8-byte bucket per item and no per-entry node allocation, which is
// most of the difference between ~90 and ~150 bytes of overhead per small item.
//
// It doubles when the item count passes the bucket count, rehashing every chain at once. Redis and
// memcached rehash incrementally to avoid that pause; here a shard holds 1/16th of the items, so
// the pause is ~1 ms at 64K items per shard, and the simpler code wins. It never shrinks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "04_cache_service_mini/cache/item.hpp"

namespace cache {

// Not thread-safe: the owning shard serialises writers (Find is safe under a shared lock).
class ItemTable {
 public:
  ItemTable();

  // The item with this key (hash must be HashKey(key)), or nullptr.
  Item* Find(std::string_view key, std::uint64_t hash) const noexcept;
  // Precondition: no item with the same key is present.
  void Insert(Item* item, std::uint64_t hash);
  // Precondition: item is present. Unlinks it; does not touch its reference count.
  void Remove(Item* item, std::uint64_t hash) noexcept;
  // new_item (same key) takes old_item's place in its chain.
  void Replace(Item* old_item, Item* new_item, std::uint64_t hash) noexcept;

  std::size_t size() const noexcept { return size_; }
  std::size_t bucket_count() const noexcept { return buckets_.size(); }
  // Calls fn(Item*) for every item; fn must not modify the table.
  template <class Fn>
  void ForEach(Fn&& fn) const {
    for (Item* head : buckets_) {
      for (Item* item = head; item != nullptr;) {
        Item* next = item->hash_next;
        fn(item);
        item = next;
      }
    }
  }

 private:
  std::size_t BucketOf(std::uint64_t hash) const noexcept { return hash & (buckets_.size() - 1); }
  Item** SlotOf(Item* item, std::uint64_t hash) noexcept;
  void Grow();

  std::vector<Item*> buckets_;
  std::size_t size_ = 0;
};

}  // namespace cache
