// Turning a request into a rate-limit key: pure helpers, one per Rule::KeySource.
//
// The seed keyed clients by "ip:port", so every new connection got a fresh bucket; keys here never
// contain a port. IPv6 clients are keyed by their /64 by default: one subscriber usually holds a
// whole /64, so per-address keys would give an attacker 2^64 buckets. Descriptor lists (Envoy's
// ratelimit service style) become one canonical, injective string.
#pragma once

#include <boost/json/fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/ip_address.hpp"

namespace ratelimit {

// The most bytes of a key a client chooses -- an API-key header's value (trimmed) or the "key" of
// POST /v1/check (its descriptors, encoded) -- counted before any prefix this service adds. One
// limit with one meaning for both front doors: a key is stored per client, so its length is
// memory an attacker controls.
inline constexpr std::size_t kMaxKeyBytes = 512;
// Header keys are stored as this prefix + the value, so an API key that spells an address never
// shares that address's bucket (a header rule falls back to IpKey when the header is absent).
inline constexpr std::string_view kHeaderKeyPrefix = "h:";
// The longest key the limiter stores: a client's key plus the prefix (Limiter's backstop).
inline constexpr std::size_t kMaxStoredKeyBytes = kMaxKeyBytes + kHeaderKeyPrefix.size();

// Refuses a client-chosen key over kMaxKeyBytes: kInvalidArgument "<what>: longer than 512 bytes".
// `what` names where the key came from ("key", "x-api-key"). Pure.
core::Result<void> ValidateClientKey(std::string_view key, std::string_view what);

// The key for a client address: "203.0.113.7" for IPv4; for IPv6 the address masked to
// `ipv6_prefix` bits with the length appended ("2001:db8:1:2::/64"), or the bare address when
// ipv6_prefix >= 128.
std::string IpKey(const core::IpAddress& ip, int ipv6_prefix = 64);

// The key for the value of header `name` (an API key): kHeaderKeyPrefix + the value without
// surrounding spaces/tabs. "" when the header was absent or blank; what to do then (reject, or
// fall back to IpKey) is the caller's policy. Errors: ValidateClientKey's, on the trimmed value
// (the prefix is ours, so it does not count against the client's 512 bytes).
core::Result<std::string> HeaderKey(std::string_view name, std::string_view value);

// The key for a route: its pattern as matched ("/ping"), one shared budget per endpoint.
std::string RouteKey(std::string_view route_pattern);

// One entry of an Envoy-style descriptor: {"key": "user", "value": "42"}.
struct Descriptor {
  std::string key;
  std::string value;

  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

// Canonical key: "key=value;key=value" in the given order (order is significant, as in Envoy),
// with '%', '=', ';', control bytes, space and non-ASCII percent-encoded so that distinct lists
// never produce the same string.
std::string DescriptorKey(std::span<const Descriptor> descriptors);

// Parses [{"key":"user","value":"42"}, ...]: 1..16 objects with exactly string members "key"
// (non-empty) and "value". Errors (kInvalidArgument) name the element: "descriptors[1].value: ...".
core::Result<std::vector<Descriptor>> ParseDescriptors(const boost::json::value& json);

}  // namespace ratelimit
