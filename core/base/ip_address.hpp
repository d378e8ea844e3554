// IP addresses and address blocks as values: strict parsing, canonical text, prefix masks. What a
// rate limiter keys clients by, a proxy list is matched against, and an access log prints.
//
// Design: 16 network-order bytes and a family, so an address from a socket becomes one without a
// text round trip. Parsing uses POSIX inet_pton rather than Boost.Asio: the same strict literals,
// no Asio in code that has no I/O. IPv4-mapped IPv6 (::ffff:a.b.c.d) is folded into IPv4, so a
// dual-stack listener and an IPv4 listener produce the same addresses and match the same blocks.
// Text is formatted into a fixed buffer (IpAddressText): IPv4 by hand with std::to_chars (glibc's
// inet_ntop formats IPv4 with sprintf), IPv6 with inet_ntop; ToString is the allocating shorthand.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace core {

// An IPv4 or IPv6 address (no port, no zone). Regular value type.
class IpAddress {
 public:
  enum class Family : std::uint8_t { kV4, kV6 };

  // Longest canonical text: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".
  static constexpr std::size_t kMaxTextSize = 45;

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
  // IpAddressText gives the same text without allocating.
  std::string ToString() const;

  // This address with all bits after the first `prefix_len` cleared (prefix_len clamped).
  IpAddress Masked(int prefix_len) const noexcept;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kV4;
  std::array<std::uint8_t, 16> bytes_{};
};

// An address's canonical text (IpAddress::ToString's) in a buffer of its own: no heap allocation,
// for request paths. Keep the object alive as long as the view is used.
//
//   ```cpp
//   #include "core/base/log.hpp"
//   void LogRefused(const core::IpAddress& ip) {
//     const core::IpAddressText peer(ip);
//     core::log::Info("refused", {{"peer", peer.view()}});
//   }
//   ```
class IpAddressText {
 public:
  explicit IpAddressText(const IpAddress& ip) noexcept;

  std::string_view view() const noexcept { return std::string_view(buf_.data(), size_); }

 private:
  std::array<char, IpAddress::kMaxTextSize + 1> buf_;  // + inet_ntop's terminating NUL
  std::size_t size_ = 0;
};

// An address block such as 10.0.0.0/8 or 2001:db8::/32.
struct IpNetwork {
  IpAddress base;  // host bits are zero
  int prefix_len = 0;

  // "a.b.c.d/n", "v6/n", or a bare address (= /32 or /128). ::ffff:0:0/96 and longer mapped
  // prefixes become their IPv4 equivalent. Errors (kInvalidArgument): bad address, bad length,
  // or host bits set after the prefix ("10.0.0.1/8": did you mean 10.0.0.0/8?).
  static Result<IpNetwork> Parse(std::string_view text);

  bool Contains(const IpAddress& ip) const noexcept;
  // "10.0.0.0/8", "2001:db8::/32".
  std::string ToString() const;
};

}  // namespace core
