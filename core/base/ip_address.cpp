#include "core/base/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/base/decimal.hpp"

namespace core {
namespace {

constexpr std::array<std::uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsPort(std::string_view s) {
  if (s.empty() || s.size() > 5) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Error Invalid(std::string detail) { return Error(Code::kInvalidArgument, std::move(detail)); }

// "'text'" built by appending: g++ 12 raises a false -Wrestrict on `"'" + std::string(...)`.
std::string Quoted(std::string_view text) {
  std::string out = "'";
  out.append(text);
  out += '\'';
  return out;
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() > kMaxTextSize) return std::nullopt;
  char buf[kMaxTextSize + 1];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    if (inet_pton(AF_INET, buf, ip.bytes_.data()) != 1) return std::nullopt;
    ip.family_ = Family::kV4;
    return ip;
  }
  std::array<std::uint8_t, 16> bytes;
  if (inet_pton(AF_INET6, buf, bytes.data()) != 1) return std::nullopt;
  return FromV6(bytes);
}

IpAddress IpAddress::FromV4(const std::array<std::uint8_t, 4>& bytes) noexcept {
  IpAddress ip;
  std::copy(bytes.begin(), bytes.end(), ip.bytes_.begin());
  ip.family_ = Family::kV4;
  return ip;
}

IpAddress IpAddress::FromV6(const std::array<std::uint8_t, 16>& bytes) noexcept {
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin())) {
    // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket.
    return FromV4({bytes[12], bytes[13], bytes[14], bytes[15]});
  }
  IpAddress ip;
  ip.bytes_ = bytes;
  ip.family_ = Family::kV6;
  return ip;
}

std::optional<IpAddress> IpAddress::ParseForwarded(std::string_view text) {
  text = TrimOws(text);
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && IsPort(rest.substr(1)))) return std::nullopt;
    return Parse(text.substr(1, close - 1));
  }
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    // Exactly one colon: IPv4 with a port (an IPv6 literal has at least two).
    if (!IsPort(text.substr(colon + 1))) return std::nullopt;
    auto ip = Parse(text.substr(0, colon));
    if (!ip || ip->family() != Family::kV4) return std::nullopt;
    return ip;
  }
  return Parse(text);
}

std::string IpAddress::ToString() const { return std::string(IpAddressText(*this).view()); }

IpAddress IpAddress::Masked(int prefix_len) const noexcept {
  IpAddress out = *this;
  const int bits = std::clamp(prefix_len, 0, bit_length());
  const int bytes = bit_length() / 8;
  for (int i = 0; i < bytes; ++i) {
    const int keep = std::clamp(bits - i * 8, 0, 8);
    const auto mask = static_cast<std::uint8_t>(keep == 0 ? 0 : 0xff << (8 - keep));
    out.bytes_[static_cast<std::size_t>(i)] &= mask;
  }
  return out;
}

IpAddressText::IpAddressText(const IpAddress& ip) noexcept {
  const auto& bytes = ip.bytes();
  if (ip.family() == IpAddress::Family::kV4) {  // by hand: glibc's inet_ntop uses sprintf here
    char* p = buf_.data();
    for (std::size_t i = 0; i < 4; ++i) {
      if (i > 0) *p++ = '.';
      p = std::to_chars(p, p + 3, bytes[i]).ptr;
    }
    size_ = static_cast<std::size_t>(p - buf_.data());
    return;
  }
  // Cannot fail: the family is valid and the buffer holds INET6_ADDRSTRLEN bytes.
  static_assert(sizeof buf_ >= INET6_ADDRSTRLEN);
  if (inet_ntop(AF_INET6, bytes.data(), buf_.data(), buf_.size()) != nullptr) {
    size_ = std::strlen(buf_.data());
  }
}

Result<IpNetwork> IpNetwork::Parse(std::string_view text) {
  const auto slash = text.find('/');
  const std::string_view addr_text = text.substr(0, slash);
  auto addr = IpAddress::Parse(addr_text);
  if (!addr) return Invalid(Quoted(text) + " is not an IP address or CIDR block");
  const bool folded_v4 =
      addr->family() == IpAddress::Family::kV4 && addr_text.find(':') != std::string_view::npos;
  IpNetwork net;
  net.prefix_len = addr->bit_length();
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    int len = -1;
    const auto [end, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    const int max_len = folded_v4 ? 128 : addr->bit_length();
    if (ec != std::errc() || end != len_text.data() + len_text.size() || len < 0 || len > max_len) {
      return Invalid(Quoted(text) + ": prefix length must be 0.." + std::to_string(max_len));
    }
    if (folded_v4) {
      // ::ffff:0:0/96 and longer are IPv4 blocks; shorter mapped prefixes mix families.
      if (len < 96) {
        return Invalid(Quoted(text) + ": IPv4-mapped prefixes must be /96 or longer");
      }
      len -= 96;
    }
    net.prefix_len = len;
  }
  net.base = addr->Masked(net.prefix_len);
  if (!(net.base == *addr)) {
    return Invalid(Quoted(text) + ": host bits are set after the prefix (did you mean " +
                   net.ToString() + "?)");
  }
  return net;
}

bool IpNetwork::Contains(const IpAddress& ip) const noexcept {
  return ip.family() == base.family() && ip.Masked(prefix_len) == base;
}

std::string IpNetwork::ToString() const {
  std::string out(IpAddressText(base).view());
  out += '/';
  AppendDecimal(out, prefix_len);
  return out;
}

}  // namespace core
