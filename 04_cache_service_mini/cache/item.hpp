// One cached item: a 64-byte header followed by the key and value bytes, in a single allocation
// (memcached's layout: one malloc per item, no separate key/value strings).
//
// Items are reference counted (LevelDB's cache handle idea): the shard's table owns one reference,
// every ItemHandle another. A reader takes a reference under the shard lock and copies a value of
// up to 1 MiB *after* releasing it; an item evicted or deleted meanwhile stays readable until the
// last handle goes, and whoever drops the last reference frees it. Items are immutable once
// published, except for the policy/`fetched` bits (atomic) and fields the shard changes under its
// exclusive lock.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace cache {

// memcached's key limit; keys are also free of spaces, CR, LF and NUL (see IsValidKey).
inline constexpr std::size_t kMaxKeyBytes = 250;
inline constexpr std::uint32_t kNoTtlSlot = UINT32_MAX;

// Bits of Item::access. The low two bits belong to the eviction policy (S3-FIFO's 2-bit frequency,
// SIEVE's visited bit); kFetchedBit feeds memcached's evicted_unfetched / expired_unfetched stats.
inline constexpr std::uint8_t kAccessMask = 0x03;
inline constexpr std::uint8_t kFetchedBit = 0x80;

struct Item {
  Item* hash_next = nullptr;   // chain in the shard's ItemTable
  Item* prev = nullptr;        // policy list links: prev is towards the head (newer)
  Item* next = nullptr;        //                    next is towards the tail (older)
  std::uint64_t cas = 0;       // memcached CAS unique; also orders items against flush_all
  std::int64_t expire_ns = 0;  // steady-clock deadline in ns since the clock's epoch; 0 = never
  std::uint32_t value_len = 0;
  std::uint32_t flags = 0;
  std::uint32_t ttl_slot = kNoTtlSlot;  // index in the shard's TTL sample vector
  std::atomic<std::uint32_t> refs{1};
  std::uint8_t key_len = 0;
  std::atomic<std::uint8_t> access{0};  // policy bits + kFetchedBit; updated by concurrent readers
  std::uint8_t queue = 0;               // owned by the policy (S3-FIFO: which FIFO holds it)
  std::uint8_t reserved = 0;

  const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
  char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
  std::string_view key() const noexcept { return {data(), key_len}; }
  std::string_view value() const noexcept { return {data() + key_len, value_len}; }
  char* mutable_value() noexcept { return data() + key_len; }

  bool HasTtl() const noexcept { return expire_ns != 0; }
  bool ExpiredAt(std::int64_t now_ns) const noexcept {
    return expire_ns != 0 && now_ns >= expire_ns;
  }
  bool Fetched() const noexcept {
    return (access.load(std::memory_order_relaxed) & kFetchedBit) != 0;
  }
  // Reads first so that hits on an already-fetched (hot) item do not write its cache line.
  void MarkFetched() noexcept {
    if (!Fetched()) access.fetch_or(kFetchedBit, std::memory_order_relaxed);
  }
  std::uint8_t AccessBits() const noexcept {
    return access.load(std::memory_order_relaxed) & kAccessMask;
  }
  // Only under the shard's exclusive lock (no concurrent readers then).
  void SetAccessBits(std::uint8_t bits) noexcept {
    std::uint8_t old = access.load(std::memory_order_relaxed);
    access.store(static_cast<std::uint8_t>((old & ~kAccessMask) | (bits & kAccessMask)),
                 std::memory_order_relaxed);
  }
};
static_assert(sizeof(Item) == 64, "the header is meant to fill one cache line");

// What one item is charged against the memory budget: header, key and value, plus an estimate of
// the allocator's per-chunk cost (glibc: an 8-byte header plus rounding to 16, ~16 on average) and
// one 8-byte hash bucket (the table keeps its load factor <= 1). memory_per_item measures the
// truth.
inline constexpr std::size_t kItemOverheadBytes = sizeof(Item) + 16 + 8;
inline constexpr std::size_t ItemCharge(std::size_t key_len, std::size_t value_len) noexcept {
  return kItemOverheadBytes + key_len + value_len;
}
inline std::size_t ItemCharge(const Item& item) noexcept {
  return ItemCharge(item.key_len, item.value_len);
}

// What memcached 1.6 accepts as a key: 1..250 bytes, none of them a space, CR, LF or NUL. Other
// control bytes, DEL and non-ASCII bytes are allowed (protocol.txt asks clients to avoid control
// characters, but memcached stores them and clients such as memcaslap send them).
bool IsValidKey(std::string_view key) noexcept;

// The hash used for shard choice, bucket choice and S3-FIFO's ghost entries.
std::uint64_t HashKey(std::string_view key) noexcept;

// Allocates an unpublished item (refs = 1) with the key copied in and value bytes uninitialised.
// Precondition: 1 <= key.size() <= kMaxKeyBytes. Throws std::bad_alloc like operator new.
Item* NewItem(std::string_view key, std::size_t value_len, std::uint32_t flags);
inline void Ref(Item* item) noexcept { item->refs.fetch_add(1, std::memory_order_relaxed); }
// Drops one reference; frees the item when it was the last.
void Unref(Item* item) noexcept;

// A counted reference to a published item: keeps its bytes valid however long the caller holds it,
// even after the cache evicts or deletes the key. Empty on a miss. Move-only; not thread-safe
// itself (one owner), but many handles to one item may live on many threads.
class ItemHandle {
 public:
  ItemHandle() = default;
  // Adopts one reference the caller already took.
  explicit ItemHandle(Item* adopted) noexcept : item_(adopted) {}
  // Also records the item's expiry as read under the shard lock (a later touch may change it).
  ItemHandle(Item* adopted, std::int64_t expire_ns) noexcept
      : item_(adopted), expire_ns_(expire_ns) {}
  ItemHandle(ItemHandle&& other) noexcept
      : item_(std::exchange(other.item_, nullptr)), expire_ns_(other.expire_ns_) {}
  ItemHandle& operator=(ItemHandle&& other) noexcept {
    if (this != &other) {
      Reset();
      item_ = std::exchange(other.item_, nullptr);
      expire_ns_ = other.expire_ns_;
    }
    return *this;
  }
  ItemHandle(const ItemHandle&) = delete;
  ItemHandle& operator=(const ItemHandle&) = delete;
  ~ItemHandle() { Reset(); }

  explicit operator bool() const noexcept { return item_ != nullptr; }
  std::string_view key() const noexcept { return item_->key(); }
  std::string_view value() const noexcept { return item_->value(); }
  std::uint32_t flags() const noexcept { return item_->flags; }
  std::uint64_t cas() const noexcept { return item_->cas; }
  // Expiry deadline (clock ns, 0 = never) when the handle came from Cache::Get; else 0.
  std::int64_t expire_ns() const noexcept { return expire_ns_; }
  void Reset() noexcept {
    if (item_ != nullptr) Unref(std::exchange(item_, nullptr));
  }

 private:
  Item* item_ = nullptr;
  std::int64_t expire_ns_ = 0;
};

// An item being filled before it is stored (Cache::Allocate, then Cache::Store): the memcached
// session reads a value off the socket straight into it, so a 1 MiB value is copied once, not
// twice. Owns the allocation until stored; freed if dropped. It may also hold the item's charge
// reserved against a shard's budget (`reservation`, the shard's in-flight byte count): that is
// returned when the item is dropped, and handed to the shard with the item when it is stored, so
// bytes still arriving count against the budget like bytes stored. Move-only.
class PendingItem {
 public:
  PendingItem() = default;
  explicit PendingItem(Item* owned, std::atomic<std::size_t>* reservation = nullptr) noexcept
      : item_(owned), reservation_(reservation) {}
  PendingItem(PendingItem&& other) noexcept
      : item_(std::exchange(other.item_, nullptr)),
        reservation_(std::exchange(other.reservation_, nullptr)) {}
  PendingItem& operator=(PendingItem&& other) noexcept {
    if (this != &other) {
      Reset();
      item_ = std::exchange(other.item_, nullptr);
      reservation_ = std::exchange(other.reservation_, nullptr);
    }
    return *this;
  }
  PendingItem(const PendingItem&) = delete;
  PendingItem& operator=(const PendingItem&) = delete;
  ~PendingItem() { Reset(); }

  explicit operator bool() const noexcept { return item_ != nullptr; }
  std::string_view key() const noexcept { return item_->key(); }
  std::size_t value_size() const noexcept { return item_->value_len; }
  char* mutable_value() noexcept { return item_->mutable_value(); }
  // The bytes this item holds reserved (its ItemCharge), or 0.
  std::size_t reserved_bytes() const noexcept {
    return item_ != nullptr && reservation_ != nullptr ? ItemCharge(*item_) : 0;
  }
  // Hands the allocation (and any reservation, see reserved_bytes) to the cache.
  Item* Release() noexcept {
    reservation_ = nullptr;
    return std::exchange(item_, nullptr);
  }

 private:
  void Reset() noexcept {
    if (item_ == nullptr) return;
    if (reservation_ != nullptr) {
      reservation_->fetch_sub(ItemCharge(*item_), std::memory_order_relaxed);
    }
    Unref(std::exchange(item_, nullptr));
    reservation_ = nullptr;
  }

  Item* item_ = nullptr;
  std::atomic<std::size_t>* reservation_ = nullptr;
};

}  // namespace cache
