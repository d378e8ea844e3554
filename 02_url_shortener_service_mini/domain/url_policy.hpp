// Which target URLs the shortener accepts. A shortener launders URLs — a link hides its target
// until it is clicked — so what it will redirect to is a security decision, made here once.
//
// Parsed with Boost.URL (RFC 3986), never with ad-hoc string checks: only absolute http/https URLs
// with a host, at most max_bytes long, optionally without credentials ("https://bank.com@evil.io"
// reads as bank.com to a human), not on a blocklisted host or a subdomain of one, and not pointing
// back at the shortener itself (a redirect loop). The shortener never fetches a target, so there is
// no SSRF surface to guard and private addresses are allowed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/base/error.hpp"

namespace shortener {

enum class UrlRejection {
  kNone,
  kEmpty,        // no URL at all
  kTooLong,      // over max_bytes
  kMalformed,    // not an absolute URI by RFC 3986 (spaces, control characters, no scheme, ...)
  kScheme,       // not http or https (javascript:, data:, file:, ftp:, ...)
  kNoHost,       // "http:///path", "http:path"
  kBadHost,      // a host that is not a DNS name or an IP literal (too long, odd characters)
  kBadPort,      // a port above 65535 or not a number
  kCredentials,  // user:password@ and credentials are refused
  kBlockedHost,  // on the blocklist, or below a blocklisted domain
  kSelfLink,     // points at the shortener itself
};

// Stable snake_case name ("scheme", "blocked_host") used in error details and metrics.
std::string_view NameOf(UrlRejection reason) noexcept;

// Lowercase host names; a name blocks itself and every name below it ("evil.com" blocks
// "a.evil.com", not "notevil.com"). Immutable once built; thread-safe to read.
class HostBlocklist {
 public:
  HostBlocklist() = default;
  explicit HostBlocklist(const std::vector<std::string>& hosts);

  // Loads one host per line; blank lines and '#' comments are skipped, names are lowercased and a
  // trailing '.' dropped. Errors: kInvalidArgument naming the file when it cannot be read, is over
  // `max_bytes`, or holds a line that is not a host name.
  static core::Result<HostBlocklist> Load(const std::string& path,
                                          std::size_t max_bytes = std::size_t{64} << 20);

  // True when `host` (any case, optional trailing '.') or one of its parent domains is listed.
  bool Blocks(std::string_view host) const;
  std::size_t size() const noexcept { return hosts_.size(); }

 private:
  std::unordered_set<std::string> hosts_;
};

struct UrlPolicyOptions {
  std::size_t max_bytes = 2048;         // what every browser handles; longer is a sign of abuse
  bool reject_credentials = true;       // refuse user:password@ in the authority
  std::vector<std::string> self_hosts;  // the shortener's own host names (from its base URL)
};

class UrlPolicy {
 public:
  UrlPolicy(UrlPolicyOptions options, HostBlocklist blocklist);

  // kNone when `url` may be shortened, else the first reason it may not. `request_host` is the
  // host the request came in on (the Host header, without port): a self host too, so the default
  // set-up, without --public-url, still refuses loops. Thread-safe.
  UrlRejection Check(std::string_view url, std::string_view request_host = {}) const;
  // The same as a Result: kInvalidArgument with "url rejected (reason): explanation".
  core::Result<void> Validate(std::string_view url, std::string_view request_host = {}) const;

 private:
  UrlPolicyOptions options_;
  HostBlocklist blocklist_;
  HostBlocklist self_;  // the self hosts, matched exactly or as parents like the blocklist
};

// The lowercase host of `url` without a trailing '.', or "" when it has none (or is malformed).
std::string HostOf(std::string_view url);

}  // namespace shortener
