// sd-shortener's HTTP surface: the seed's two calls and the full /v1/links API, translating
// between HTTP and the Shortener service (no rule lives here).
//
//   POST   /shorten                 {"url"} → 201 {"code","short_url"}          (the seed's API)
//   GET    /r/{code}                → 302 (or the link's 301/307/308) + Location; 404 unknown;
//                                     410 expired, deleted or used up; HEAD too (not counted)
//   POST   /v1/links                → 201 link (200 + the existing link with find_if_exists)
//   GET    /v1/links/{code}         → 200 link (tombstones too: state "deleted"); 404
//   DELETE /v1/links/{code}         → 204 (again 204 once deleted); 404
//   GET    /v1/links/{code}/stats   → 200 visits per day, top referrer hosts, bot share; 404
//
// Redirects carry Cache-Control: temporary ones `private, max-age=N` (a browser may reuse the
// answer for N seconds, shared caches may not), permanent ones `public, max-age=M`: after a 301 a
// browser never asks again within M, so its clicks are not counted and a delete does not reach it.
#pragma once

#include <functional>
#include <string>

#include "02_url_shortener_service_mini/service/shortener.hpp"
#include "02_url_shortener_service_mini/service/store_health.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "core/http/router.hpp"

namespace shortener {

struct LinksApiOptions {
  // Base of every short_url ("https://sho.rt"); empty = "http://" + the request's Host.
  std::string public_url;
  int temporary_max_age = 90;     // seconds, Cache-Control of 302/307
  int permanent_max_age = 86400;  // seconds, Cache-Control of 301/308
};

class LinksApi {
 public:
  // All borrowed; they must outlive the router the routes are added to.
  LinksApi(Shortener& service, StoreHealth& health, const cache::WallClock& wall,
           LinksApiOptions options);

  void Register(core::Router& router);

  core::Task<void> Shorten(core::Exchange& ex);
  core::Task<void> CreateLink(core::Exchange& ex);
  core::Task<void> Redirect(core::Exchange& ex);
  core::Task<void> GetLink(core::Exchange& ex);
  core::Task<void> DeleteLink(core::Exchange& ex);
  core::Task<void> LinkStats(core::Exchange& ex);

  // The short URL of `code` for a request that arrived with Host `host`.
  std::string ShortUrl(std::string_view code, std::string_view host) const;

 private:
  core::Task<void> Create(core::Exchange& ex, bool seed);
  void WriteResolution(core::Exchange& ex, const Resolution& r, std::string_view code) const;
  // Fails the exchange with `error`, telling the health state about an unavailable store first.
  void Fail(core::Exchange& ex, const core::Error& error);

  Shortener& service_;
  StoreHealth& health_;
  const cache::WallClock& wall_;
  LinksApiOptions options_;
  std::string temporary_cache_control_;
  std::string permanent_cache_control_;
};

// The host part of a Host header value ("example.com:8080" → "example.com", "[::1]:80" → "::1").
std::string_view HostWithoutPort(std::string_view host_header) noexcept;

}  // namespace shortener
