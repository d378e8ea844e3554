// The shortener's JSON: request bodies in (validated field by field, each failure a 400 naming the
// field), links and stats out. Times are Unix seconds (integers) both ways: one unambiguous form.
//
//   POST /v1/links  {"url": "...", "alias": "...", "ttl": 3600 | "expires_at": 1767225600,
//                    "max_visits": 100, "redirect": 301|302|307|308, "find_if_exists": true}
//   → {"code","short_url","url","created_at","expires_at","max_visits","redirect","custom",
//      "visits","state","deleted_at"}
#pragma once

#include <string>
#include <string_view>

#include "02_url_shortener_service_mini/domain/link.hpp"
#include "02_url_shortener_service_mini/domain/visit.hpp"
#include "02_url_shortener_service_mini/service/shortener.hpp"
#include "core/base/error.hpp"

namespace shortener {

// Parses a POST /v1/links body. With `seed_only` (POST /shorten) only "url" is read. Unknown
// members are ignored (clients may be newer than the server). Errors: kInvalidArgument naming
// the member ("ttl: an integer number of seconds").
core::Result<CreateRequest> ParseCreateRequest(std::string_view body, bool seed_only);

// A link as the API shows it; `short_url` is the full short URL, `redirect` the effective status.
std::string LinkJson(const Link& link, std::string_view short_url, int redirect, std::int64_t now);

// GET /v1/links/{code}/stats: totals, bot share, visits per day ("2024-05-17"), top referrer hosts
// (null = direct).
std::string StatsJson(std::string_view code, const LinkStats& stats);

}  // namespace shortener
