// Who is the client? Trusted-proxy CIDR lists and the X-Forwarded-For walk; the addresses and
// blocks themselves are core::IpAddress / core::IpNetwork (core/base/ip_address.hpp).
//
// Design: X-Forwarded-For is client-controlled except for the entries appended by our own proxies,
// so it is read right to left, skipping addresses of proxies we trust, and the first address we do
// not trust is the client. If the peer itself is not a trusted proxy the header is ignored (anyone
// can send one). IPv4-mapped IPv6 (::ffff:a.b.c.d) is folded into IPv4 by core::IpAddress, so a
// dual-stack listener and an IPv4 listener produce the same keys and match the same CIDRs.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"
#include "core/base/ip_address.hpp"

namespace ratelimit {

// The proxies whose X-Forwarded-For entries we believe. Immutable after construction;
// thread-safe to share. Contains() is a linear scan: lists are a handful of CIDRs.
class TrustedProxies {
 public:
  TrustedProxies() = default;
  explicit TrustedProxies(std::vector<core::IpNetwork> networks) : networks_(std::move(networks)) {}

  // Errors name the offending entry: "trusted_proxies[1]: ...".
  static core::Result<TrustedProxies> Parse(std::span<const std::string> cidrs);

  bool Contains(const core::IpAddress& ip) const noexcept;
  bool empty() const noexcept { return networks_.empty(); }
  const std::vector<core::IpNetwork>& networks() const noexcept { return networks_; }

 private:
  std::vector<core::IpNetwork> networks_;
};

// The client address for rate limiting. `xff_values` are the X-Forwarded-For field lines in the
// order received (several lines are one comma-separated list, RFC 9110 §5.3).
//  - peer not trusted: returns peer (XFF ignored).
//  - otherwise walks entries right to left, skipping empty ones; returns the first address that
//    is not trusted. An unparseable entry ("unknown", garbage) stops the walk: the nearest
//    trusted hop seen so far is returned, since nothing left of the garbage can be believed.
//  - every entry trusted: returns the leftmost.
// Pure, thread-safe.
core::IpAddress ClientIp(const core::IpAddress& peer, std::span<const std::string_view> xff_values,
                         const TrustedProxies& trusted);

}  // namespace ratelimit
