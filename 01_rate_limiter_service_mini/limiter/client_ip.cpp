#include "01_rate_limiter_service_mini/limiter/client_ip.hpp"

#include <algorithm>

namespace ratelimit {
namespace {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

core::Result<TrustedProxies> TrustedProxies::Parse(std::span<const std::string> cidrs) {
  std::vector<core::IpNetwork> networks;
  networks.reserve(cidrs.size());
  for (std::size_t i = 0; i < cidrs.size(); ++i) {
    auto net = core::IpNetwork::Parse(cidrs[i]);
    if (!net) {
      return core::Error(core::Code::kInvalidArgument,
                         "trusted_proxies[" + std::to_string(i) + "]: " + net.error().detail);
    }
    networks.push_back(*net);
  }
  return TrustedProxies(std::move(networks));
}

bool TrustedProxies::Contains(const core::IpAddress& ip) const noexcept {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const core::IpNetwork& n) { return n.Contains(ip); });
}

core::IpAddress ClientIp(const core::IpAddress& peer, std::span<const std::string_view> xff_values,
                         const TrustedProxies& trusted) {
  if (!trusted.Contains(peer)) return peer;
  core::IpAddress nearest = peer;
  // Not a range-for over std::views::reverse: clang 14, which clang-tidy runs on, cannot compile
  // libstdc++ 12's reverse_view.
  // NOLINTNEXTLINE(modernize-loop-convert)
  for (auto line = xff_values.rbegin(); line != xff_values.rend(); ++line) {
    std::string_view rest = *line;
    while (true) {
      const auto comma = rest.rfind(',');
      const std::string_view entry =
          TrimOws(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
      if (!entry.empty()) {
        const auto ip = core::IpAddress::ParseForwarded(entry);
        if (!ip) return nearest;
        if (!trusted.Contains(*ip)) return *ip;
        nearest = *ip;
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(0, comma);
    }
  }
  return nearest;
}

}  // namespace ratelimit
