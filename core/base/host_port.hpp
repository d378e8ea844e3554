// "host:port" as flags spell a server's address (--redis 127.0.0.1:6379, --upstream x=host:port):
// one parser, so every flag accepts the same forms and rejects the same mistakes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace core {

struct HostPort {
  std::string host;  // a name, an IPv4 literal, or an IPv6 literal without brackets
  std::uint16_t port = 0;
};

// Parses "host:port", "[v6]:port". The port is 1..65535 in decimal. Errors (kInvalidArgument)
// name the text and what is wrong with it.
Result<HostPort> ParseHostPort(std::string_view text);

}  // namespace core
