#include "02_url_shortener_service_mini/http/links_api.hpp"

#include "02_url_shortener_service_mini/http/link_json.hpp"

namespace shortener {
namespace {

using core::http::field;
using core::http::status;

// A Host header we would put in a short_url must look like one: letters, digits, '.', '-', ':',
// and brackets for IPv6. Anything else (a client's junk) falls back to "localhost".
bool PlausibleHost(std::string_view host) noexcept {
  if (host.empty() || host.size() > 255) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view HostWithoutPort(std::string_view host) noexcept {
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  const auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

LinksApi::LinksApi(Shortener& service, StoreHealth& health, const cache::WallClock& wall,
                   LinksApiOptions options)
    : service_(service),
      health_(health),
      wall_(wall),
      options_(std::move(options)),
      temporary_cache_control_("private, max-age=" + std::to_string(options_.temporary_max_age)),
      permanent_cache_control_("public, max-age=" + std::to_string(options_.permanent_max_age)) {
  while (!options_.public_url.empty() && options_.public_url.back() == '/') {
    options_.public_url.pop_back();
  }
}

void LinksApi::Register(core::Router& router) {
  router.Post("/shorten", [this](core::Exchange& ex) { return Shorten(ex); });
  router.Get("/r/{code}", [this](core::Exchange& ex) { return Redirect(ex); });
  router.Post("/v1/links", [this](core::Exchange& ex) { return CreateLink(ex); });
  router.Get("/v1/links/{code}", [this](core::Exchange& ex) { return GetLink(ex); });
  router.Delete("/v1/links/{code}", [this](core::Exchange& ex) { return DeleteLink(ex); });
  router.Get("/v1/links/{code}/stats", [this](core::Exchange& ex) { return LinkStats(ex); });
}

std::string LinksApi::ShortUrl(std::string_view code, std::string_view host) const {
  std::string url;
  if (!options_.public_url.empty()) {
    url = options_.public_url;
  } else {
    url = "http://";
    url += PlausibleHost(host) ? host : std::string_view("localhost");
  }
  url += "/r/";
  url += code;
  return url;
}

void LinksApi::Fail(core::Exchange& ex, const core::Error& error) {
  health_.Report(error);
  ex.Fail(error);
}

core::Task<void> LinksApi::Shorten(core::Exchange& ex) { return Create(ex, /*seed=*/true); }

core::Task<void> LinksApi::CreateLink(core::Exchange& ex) { return Create(ex, /*seed=*/false); }

core::Task<void> LinksApi::Create(core::Exchange& ex, bool seed) {
  core::Result<CreateRequest> request = ParseCreateRequest(ex.request.body(), seed);
  if (!request) {
    ex.Fail(request.error());
    co_return;
  }
  const std::string host(ex.request[field::host]);
  request->request_host = std::string(HostWithoutPort(host));
  core::Result<CreateResult> made = co_await service_.Create(std::move(*request));
  if (!made) {
    Fail(ex, made.error());
    co_return;
  }
  health_.Report(core::Result<void>());
  const Link& link = made->link;
  const std::string short_url = ShortUrl(link.code, host);
  if (seed) {
    ex.Json(status::created,
            R"({"code":")" + link.code + R"(","short_url":")" + short_url + R"("})");
  } else {
    ex.Json(made->created ? status::created : status::ok,
            LinkJson(link, short_url, service_.RedirectFor(link), wall_.UnixSeconds()));
  }
  ex.response.set(field::location, "/v1/links/" + link.code);
}

void LinksApi::WriteResolution(core::Exchange& ex, const Resolution& r,
                               std::string_view code) const {
  switch (r.outcome) {
    case Outcome::kRedirect:
      ex.response.result(static_cast<unsigned>(r.status));
      ex.response.set(field::location, r.url);
      ex.response.set(field::cache_control, r.status == 301 || r.status == 308
                                                ? permanent_cache_control_
                                                : temporary_cache_control_);
      return;
    case Outcome::kGone:
      ex.Fail(core::Error(core::Code::kGone,
                          "link '" + std::string(code) + "' has expired, was deleted or used up"));
      return;
    case Outcome::kNotFound:
      ex.Fail(core::Error(core::Code::kNotFound, "no link with code '" + std::string(code) + "'"));
      return;
  }
}

core::Task<void> LinksApi::Redirect(core::Exchange& ex) {
  const std::string_view code = ex.params.Get("code");
  const bool count = ex.request.method() == core::http::verb::get;  // HEAD checks are not visits
  const std::string_view referer = ex.request[field::referer];
  const std::string_view agent = ex.request[field::user_agent];
  // The hot path: answered from memory without suspending.
  if (auto cached = service_.ResolveFromCache(code, referer, agent, count)) {
    WriteResolution(ex, *cached, code);
    co_return;
  }
  std::string owned_code(code), owned_referer(referer), owned_agent(agent);
  core::Result<Resolution> resolved = co_await service_.Resolve(
      std::move(owned_code), std::move(owned_referer), std::move(owned_agent), count);
  if (!resolved) {
    Fail(ex, resolved.error());
    co_return;
  }
  WriteResolution(ex, *resolved, code);
}

core::Task<void> LinksApi::GetLink(core::Exchange& ex) {
  const std::string code(ex.params.Get("code"));
  core::Result<Link> link = co_await service_.Get(code);
  if (!link) {
    Fail(ex, link.error());
    co_return;
  }
  ex.Json(status::ok, LinkJson(*link, ShortUrl(code, ex.request[field::host]),
                               service_.RedirectFor(*link), wall_.UnixSeconds()));
}

core::Task<void> LinksApi::DeleteLink(core::Exchange& ex) {
  const std::string code(ex.params.Get("code"));
  core::Result<Link> deleted = co_await service_.Delete(code);
  if (!deleted) {
    Fail(ex, deleted.error());
    co_return;
  }
  ex.response.result(status::no_content);
}

core::Task<void> LinksApi::LinkStats(core::Exchange& ex) {
  const std::string code(ex.params.Get("code"));
  core::Result<shortener::LinkStats> stats = co_await service_.Stats(code);
  if (!stats) {
    Fail(ex, stats.error());
    co_return;
  }
  ex.Json(status::ok, StatsJson(code, *stats));
}

}  // namespace shortener
