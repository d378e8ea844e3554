#include "04_cache_service_mini/cache/item.hpp"

#include <cstring>
#include <functional>
#include <new>

namespace cache {

bool IsValidKey(std::string_view key) noexcept {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  for (char c : key) {
    // Space separates tokens and CR/LF end the line, so a key holding one could not be sent back in
    // a VALUE line; memcached reads a command only up to a NUL, so it can never see a key with one.
    // Every other byte (control bytes such as memcaslap's 0x10, DEL, UTF-8) is a key byte, as in
    // memcached 1.6.
    if (c == ' ' || c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

std::uint64_t HashKey(std::string_view key) noexcept {
  // libstdc++'s string hash is MurmurHash64A-like: fast and well mixed. It is not keyed, so a
  // client that can choose keys could aim them at one bucket chain; Redis uses SipHash for that
  // reason. The road not taken here: a keyed hash costs ~2x per lookup and the lesson is elsewhere.
  return std::hash<std::string_view>{}(key);
}

Item* NewItem(std::string_view key, std::size_t value_len, std::uint32_t flags) {
  void* memory = ::operator new(sizeof(Item) + key.size() + value_len);
  Item* item = new (memory) Item();
  item->key_len = static_cast<std::uint8_t>(key.size());
  item->value_len = static_cast<std::uint32_t>(value_len);
  item->flags = flags;
  std::memcpy(item->data(), key.data(), key.size());
  return item;
}

void Unref(Item* item) noexcept {
  if (item->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    item->~Item();
    ::operator delete(item);
  }
}

}  // namespace cache
