// A short link and the rules of its life: active, expired (a deadline or a visit cap reached) or
// deleted. Times are Unix seconds from the wall clock, because expiry dates are promises made to
// people ("valid until Friday"), not durations.
//
// Deleted links stay as tombstones: a code is never handed out twice, or an old link that is still
// printed on a poster would start sending people to somebody else's target.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shortener {

// The redirect statuses a link may ask for; 0 means "the service's default" (--redirect-status).
bool IsRedirectStatus(int status) noexcept;

struct Link {
  std::string code;
  std::string url;
  std::int64_t created_at = 0;             // Unix seconds
  std::optional<std::int64_t> expires_at;  // Unix seconds; none = never
  std::optional<std::int64_t> max_visits;  // none = unlimited
  int redirect = 0;                        // 301, 302, 307, 308, or 0 for the service default
  bool custom = false;                     // an alias the caller chose
  std::int64_t visits = 0;                 // as counted so far (may lag: visits are batched)
  std::int64_t cap_used = 0;               // visits taken from max_visits (exact, not batched)
  std::optional<std::int64_t> deleted_at;  // Unix seconds; set = a tombstone

  friend bool operator==(const Link&, const Link&) = default;
};

// What a new link is stored with; the store fills created/visits.
struct NewLink {
  std::string code;
  std::string url;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> max_visits;
  int redirect = 0;
  bool custom = false;
};

enum class LinkState {
  kActive,
  kExpired,    // expires_at has passed
  kExhausted,  // max_visits reached
  kDeleted,
};

std::string_view NameOf(LinkState state) noexcept;

// The state of `link` at `now` (Unix seconds). A link expires at the start of its expires_at
// second.
LinkState StateAt(const Link& link, std::int64_t now) noexcept;

}  // namespace shortener
