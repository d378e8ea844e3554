// A socket peer's address as the rest of the code wants it: a core::IpAddress for keys and CIDR
// matching (the rate limiter), and text for logs and `stats conns` (05's access log, 04's
// memcached port), without a heap allocation on the request path.
//
// Design: the bytes go straight from Asio's address into core::IpAddress (no text round trip),
// and text comes from core::IpAddressText. Two kinds of peer keep Asio's own text instead, as the
// socket reported them: a scoped link-local IPv6 address ("fe80::1%eth0", the zone is not in
// IpAddress) and an IPv4-mapped one on a dual-stack listener ("::ffff:192.0.2.1", which
// IpAddress folds into IPv4 on purpose, for keys). Both are rare, so only they allocate.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/ip_address.hpp"

namespace core {

// The address as a core::IpAddress: an IPv4-mapped IPv6 address becomes IPv4, a zone is dropped.
inline IpAddress ToIpAddress(const boost::asio::ip::address& address) noexcept {
  return address.is_v4() ? IpAddress::FromV4(address.to_v4().to_bytes())
                         : IpAddress::FromV6(address.to_v6().to_bytes());
}

// The text of a peer address: "" for an unspecified (unknown) peer, otherwise what Asio's
// to_string() would print. Keep the object alive as long as the view is used.
//
//   ```cpp
//   #include "core/base/log.hpp"
//   #include "core/http/exchange.hpp"
//   void LogRequest(const core::Exchange& ex) {
//     const core::PeerAddressText peer(ex.peer);
//     core::log::Info("request", {{"peer", peer.view()}});
//   }
//   ```
class PeerAddressText {
 public:
  explicit PeerAddressText(const boost::asio::ip::address& address) {
    if (address.is_unspecified()) return;
    if (address.is_v6()) {
      const boost::asio::ip::address_v6 v6 = address.to_v6();
      if (v6.scope_id() != 0 || v6.is_v4_mapped()) {
        other_ = address.to_string();
        return;
      }
    }
    text_.emplace(ToIpAddress(address));
  }

  std::string_view view() const noexcept {
    return text_ ? text_->view() : std::string_view(other_);
  }

 private:
  std::optional<IpAddressText> text_;
  std::string other_;  // scoped or IPv4-mapped IPv6: Asio's text
};

}  // namespace core
