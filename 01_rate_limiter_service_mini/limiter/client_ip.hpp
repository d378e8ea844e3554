// Who is the client? IP address parsing, trusted-proxy CIDR lists, and the X-Forwarded-For walk.
//
// Design: X-Forwarded-For is client-controlled except for the entries appended by our own proxies,
// so it is read right to left, skipping addresses of proxies we trust, and the first address we do
// not trust is the client. If the peer itself is not a trusted proxy the header is ignored (anyone
// can send one). Parsing uses POSIX inet_pton/inet_ntop rather than Boost.Asio: the same strict
// literals, no Asio in domain code. IPv4-mapped IPv6 (::ffff:a.b.c.d) is folded into IPv4 so a
// dual-stack listener and an IPv4 listener produce the same keys and match the same CIDRs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"

namespace ratelimit {

// An IPv4 or IPv6 address (no port, no zone). Regular value type.
class IpAddress {
 public:
  enum class Family : std::uint8_t { kV4, kV6 };

  // Strict literal: "192.0.2.1" (four decimal octets, no leading zeros) or any RFC 4291 IPv6 text
  // form ("2001:db8::1", "::ffff:192.0.2.1"). No brackets, ports, zones or whitespace.
  static std::optional<IpAddress> Parse(std::string_view text);

  // Lenient form for X-Forwarded-For entries: also accepts surrounding whitespace, "[v6]",
  // "[v6]:port" and "v4:port" (some proxies append ports), dropping the port.
  static std::optional<IpAddress> ParseForwarded(std::string_view text);

  // From network-order bytes, as a socket API hands them over (no text round trip on the request
  // path). An IPv4-mapped IPv6 address folds into IPv4, as in Parse.
  static IpAddress FromV4(const std::array<std::uint8_t, 4>& bytes) noexcept;
  static IpAddress FromV6(const std::array<std::uint8_t, 16>& bytes) noexcept;

  Family family() const noexcept { return family_; }
  // Network-order bytes; IPv4 uses the first 4.
  const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }
  int bit_length() const noexcept { return family_ == Family::kV4 ? 32 : 128; }

  // Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as "::").
  std::string ToString() const;

  // This address with all bits after the first `prefix_len` cleared (prefix_len clamped).
  IpAddress Masked(int prefix_len) const noexcept;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kV4;
  std::array<std::uint8_t, 16> bytes_{};
};

// An address block such as 10.0.0.0/8 or 2001:db8::/32.
struct IpNetwork {
  IpAddress base;  // host bits are zero
  int prefix_len = 0;

  // "a.b.c.d/n", "v6/n", or a bare address (= /32 or /128). ::ffff:0:0/96 and longer mapped
  // prefixes become their IPv4 equivalent. Errors (kInvalidArgument): bad address, bad length,
  // or host bits set after the prefix ("10.0.0.1/8": did you mean 10.0.0.0/8?).
  static core::Result<IpNetwork> Parse(std::string_view text);

  bool Contains(const IpAddress& ip) const noexcept;
  std::string ToString() const;
};

// The proxies whose X-Forwarded-For entries we believe. Immutable after construction;
// thread-safe to share. Contains() is a linear scan: lists are a handful of CIDRs.
class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<IpNetwork> networks) : networks_(std::move(networks)) {}

  // Errors name the offending entry: "trusted_proxies[1]: ...".
  static core::Result<TrustedProxies> Parse(std::span<const std::string> cidrs);

  bool Contains(const IpAddress& ip) const noexcept;
  bool empty() const noexcept { return networks_.empty(); }
  const std::vector<IpNetwork>& networks() const noexcept { return networks_; }

 private:
  std::vector<IpNetwork> networks_;
};

// The client address for rate limiting. `xff_values` are the X-Forwarded-For field lines in the
// order received (several lines are one comma-separated list, RFC 9110 §5.3).
//  - peer not trusted: returns peer (XFF ignored).
//  - otherwise walks entries right to left, skipping empty ones; returns the first address that
//    is not trusted. An unparseable entry ("unknown", garbage) stops the walk: the nearest
//    trusted hop seen so far is returned, since nothing left of the garbage can be believed.
//  - every entry trusted: returns the leftmost.
// Pure, thread-safe.
IpAddress ClientIp(const IpAddress& peer, std::span<const std::string_view> xff_values,
                   const TrustedProxies& trusted);

}  // namespace ratelimit
