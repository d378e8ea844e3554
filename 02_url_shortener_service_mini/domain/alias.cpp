#include "02_url_shortener_service_mini/domain/alias.hpp"

#include <algorithm>
#include <array>
#include <string>

namespace shortener {
namespace {

// Our routes' first segments, operational endpoints, and words that lend a link false authority.
constexpr std::array<std::string_view, 28> kReserved = {
    "r",      "v1",      "v2",     "api",      "shorten",  "links",   "healthz",
    "readyz", "metrics", "stats",  "admin",    "login",    "logout",  "signin",
    "signup", "account", "auth",   "oauth",    "password", "static",  "assets",
    "www",    "help",    "status", "settings", "security", "support", "favicon.ico",
};

bool IsAliasChar(char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         c == '-';
}

char Lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

bool IsReservedAlias(std::string_view alias) noexcept {
  return std::any_of(kReserved.begin(), kReserved.end(), [alias](std::string_view word) {
    return word.size() == alias.size() && std::equal(word.begin(), word.end(), alias.begin(),
                                                     [](char w, char a) { return w == Lower(a); });
  });
}

core::Result<void> ValidateAlias(std::string_view alias) {
  if (alias.size() < kMinAliasLength || alias.size() > kMaxAliasLength) {
    return core::Error(core::Code::kInvalidArgument, "alias: " + std::to_string(kMinAliasLength) +
                                                         " to " + std::to_string(kMaxAliasLength) +
                                                         " characters");
  }
  auto bad = std::find_if_not(alias.begin(), alias.end(), IsAliasChar);
  if (bad != alias.end()) {
    return core::Error(core::Code::kInvalidArgument,
                       "alias: only letters, digits, '_' and '-' (character " +
                           std::to_string(bad - alias.begin() + 1) + " is not)");
  }
  if (IsReservedAlias(alias)) {
    return core::Error(core::Code::kInvalidArgument,
                       "alias: '" + std::string(alias) + "' is reserved");
  }
  return {};
}

}  // namespace shortener
