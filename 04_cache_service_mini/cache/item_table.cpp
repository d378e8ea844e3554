#include "04_cache_service_mini/cache/item_table.hpp"

namespace cache {

namespace {
constexpr std::size_t kInitialBuckets = 64;
}  // namespace

ItemTable::ItemTable() : buckets_(kInitialBuckets, nullptr) {}

Item* ItemTable::Find(std::string_view key, std::uint64_t hash) const noexcept {
  for (Item* item = buckets_[BucketOf(hash)]; item != nullptr; item = item->hash_next) {
    if (item->key() == key) return item;
  }
  return nullptr;
}

void ItemTable::Insert(Item* item, std::uint64_t hash) {
  if (size_ >= buckets_.size()) Grow();
  Item*& head = buckets_[BucketOf(hash)];
  item->hash_next = head;
  head = item;
  ++size_;
}

Item** ItemTable::SlotOf(Item* item, std::uint64_t hash) noexcept {
  Item** slot = &buckets_[BucketOf(hash)];
  while (*slot != item) slot = &(*slot)->hash_next;
  return slot;
}

void ItemTable::Remove(Item* item, std::uint64_t hash) noexcept {
  Item** slot = SlotOf(item, hash);
  *slot = item->hash_next;
  item->hash_next = nullptr;
  --size_;
}

void ItemTable::Replace(Item* old_item, Item* new_item, std::uint64_t hash) noexcept {
  Item** slot = SlotOf(old_item, hash);
  new_item->hash_next = old_item->hash_next;
  *slot = new_item;
  old_item->hash_next = nullptr;
}

void ItemTable::Grow() {
  std::vector<Item*> old(buckets_.size() * 2, nullptr);
  old.swap(buckets_);
  for (Item* head : old) {
    for (Item* item = head; item != nullptr;) {
      Item* next = item->hash_next;
      Item*& bucket = buckets_[BucketOf(HashKey(item->key()))];
      item->hash_next = bucket;
      bucket = item;
      item = next;
    }
  }
}

}  // namespace cache
