// Typed per-request data that modules attach to an exchange — the request id and trace of 05, the
// rate-limit verdict of 01, the caller's identity of a gateway — without core knowing their types
// (Go's context.WithValue, with a typed key instead of an `any`).
//
//   ```cpp
//   struct Caller {
//     std::string id;
//   };
//   // once, at namespace scope, by the module that owns the type:
//   inline const core::AttributeKey<Caller> kCaller;
//   // in its middleware, before calling next (`caller` lives on the middleware's frame):
//   void Attach(core::Attributes& attributes, Caller& caller) { attributes.Set(kCaller, &caller); }
//   // anywhere inside (handlers, inner middleware, the HTTP client's outbound hooks):
//   std::string_view CallerId(const core::Attributes& attributes) {
//     const Caller* caller = attributes.Get(kCaller);
//     return caller != nullptr ? std::string_view(caller->id) : "anonymous";
//   }
//   ```
//
// Design: a key is a process-wide slot index handed out when the key is constructed; an exchange
// holds one pointer per slot, so Set and Get are an array store and load — nothing allocated per
// request. Values are borrowed, not owned: the one who attaches keeps the object alive for as long
// as the code it calls may read it (a middleware's own frame covers everything inside `next`). Data
// that must flow outward is attached by the outer party and filled by the inner one.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <type_traits>

namespace core {

inline constexpr std::size_t kMaxAttributes = 16;

namespace detail {
inline std::size_t NextAttributeSlot() {
  static std::atomic<std::size_t> next{0};
  const std::size_t slot = next.fetch_add(1, std::memory_order_relaxed);
  // Keys are declared at namespace scope, a handful per module: running out is a programming
  // error found at start-up, never a request-time failure.
  if (slot >= kMaxAttributes) throw std::logic_error("core::AttributeKey: raise kMaxAttributes");
  return slot;
}
}  // namespace detail

// Names one kind of attribute and the type of its value. Declare each key once, at namespace scope
// (`inline const`), never per request.
template <class T>
class AttributeKey {
 public:
  AttributeKey() : slot_(detail::NextAttributeSlot()) {}
  AttributeKey(const AttributeKey&) = delete;
  AttributeKey& operator=(const AttributeKey&) = delete;
  std::size_t slot() const noexcept { return slot_; }

 private:
  std::size_t slot_;
};

// The attributes of one exchange. Not thread-safe: an exchange belongs to one connection.
class Attributes {
 public:
  // Attaches `value` (borrowed; null detaches). Replaces what the key held.
  template <class T>
  void Set(const AttributeKey<T>& key, std::type_identity_t<T>* value) noexcept {
    slots_[key.slot()] = const_cast<void*>(static_cast<const void*>(value));
  }
  // The attached value, or null.
  template <class T>
  T* Get(const AttributeKey<T>& key) const noexcept {
    return static_cast<T*>(slots_[key.slot()]);
  }

 private:
  std::array<void*, kMaxAttributes> slots_{};
};

}  // namespace core
