// sd-shortener: the seed's POST /shorten + GET /r/{code} (now a real redirect) and the /v1/links
// API, on SQLite (default) or PostgreSQL (--postgres), with redirects served from memory, link
// creation rate-limited per client by 01's module (--rule; redirects are never limited), and 05's
// observability. Composition root only: the shortener is http/shortener_module.hpp.
#include "01_rate_limiter_service_mini/http/ratelimit_module.hpp"
#include "02_url_shortener_service_mini/http/shortener_module.hpp"
#include "05_observability_basics_mini/http/observability_middleware.hpp"
#include "core/http/app.hpp"

int main(int argc, char** argv) {
  core::App app({"sd-shortener", "URL shortener: shorten, redirect, count visits", 9002});
  obs::HttpObservability o11y;
  ratelimit::RateLimitModule creation_limit(
      o11y.registry(), {.guarded_routes = {"/shorten", "/v1/links"}, .check_api = false});
  shortener::ShortenerModule links(o11y.registry());
  app.Add(o11y).Add(creation_limit).Add(links);
  return app.Run(argc, argv);
}
