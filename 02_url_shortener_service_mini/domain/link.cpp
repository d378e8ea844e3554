#include "02_url_shortener_service_mini/domain/link.hpp"

namespace shortener {

bool IsRedirectStatus(int status) noexcept {
  return status == 301 || status == 302 || status == 307 || status == 308;
}

std::string_view NameOf(LinkState state) noexcept {
  switch (state) {
    case LinkState::kActive:
      return "active";
    case LinkState::kExpired:
      return "expired";
    case LinkState::kExhausted:
      return "exhausted";
    case LinkState::kDeleted:
      return "deleted";
  }
  return "unknown";
}

LinkState StateAt(const Link& link, std::int64_t now) noexcept {
  if (link.deleted_at) return LinkState::kDeleted;
  if (link.expires_at && now >= *link.expires_at) return LinkState::kExpired;
  if (link.max_visits && link.cap_used >= *link.max_visits) return LinkState::kExhausted;
  return LinkState::kActive;
}

}  // namespace shortener
