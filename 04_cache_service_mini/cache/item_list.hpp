// An intrusive doubly linked list of Items through Item::prev / Item::next: the FIFO and LRU queues
// of every eviction policy. Head = most recently inserted, tail = oldest; O(1) everything, no
// allocation. An item is in at most one list at a time (the links are shared by all queues).
#pragma once

#include <cstddef>

#include "04_cache_service_mini/cache/item.hpp"

namespace cache {

// Not thread-safe; used under the shard's exclusive lock. Does not own the items.
class ItemList {
 public:
  bool empty() const noexcept { return head_ == nullptr; }
  std::size_t size() const noexcept { return size_; }
  Item* front() const noexcept { return head_; }
  Item* back() const noexcept { return tail_; }

  void PushFront(Item* item) noexcept {
    item->prev = nullptr;
    item->next = head_;
    if (head_ != nullptr) head_->prev = item;
    head_ = item;
    if (tail_ == nullptr) tail_ = item;
    ++size_;
  }

  void Remove(Item* item) noexcept {
    if (item->prev != nullptr)
      item->prev->next = item->next;
    else
      head_ = item->next;
    if (item->next != nullptr)
      item->next->prev = item->prev;
    else
      tail_ = item->prev;
    item->prev = item->next = nullptr;
    --size_;
  }

  // new_item takes old_item's position; old_item leaves the list.
  void Replace(Item* old_item, Item* new_item) noexcept {
    new_item->prev = old_item->prev;
    new_item->next = old_item->next;
    if (new_item->prev != nullptr)
      new_item->prev->next = new_item;
    else
      head_ = new_item;
    if (new_item->next != nullptr)
      new_item->next->prev = new_item;
    else
      tail_ = new_item;
    old_item->prev = old_item->next = nullptr;
  }

  void MoveToFront(Item* item) noexcept {
    if (item == head_) return;
    Remove(item);
    PushFront(item);
  }

 private:
  Item* head_ = nullptr;
  Item* tail_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace cache
