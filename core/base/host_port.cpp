#include "core/base/host_port.hpp"

#include <charconv>

namespace core {

Result<HostPort> ParseHostPort(std::string_view text) {
  auto fail = [&](std::string_view why) {
    std::string detail = "'";
    detail.append(text);
    detail.append("' is not host:port: ");
    detail.append(why);
    return Error(Code::kInvalidArgument, std::move(detail));
  };
  std::string_view host;
  std::string_view port_text;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return fail("expected [v6-address]:port");
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("no port");
    host = text.substr(0, colon);
    if (host.find(':') != std::string_view::npos) return fail("an IPv6 address needs brackets");
    port_text = text.substr(colon + 1);
  }
  if (host.empty()) return fail("no host");
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return fail("the port must be 1..65535");
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace core
