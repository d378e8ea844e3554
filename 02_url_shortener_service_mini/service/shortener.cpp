#include "02_url_shortener_service_mini/service/shortener.hpp"

#include "02_url_shortener_service_mini/domain/alias.hpp"
#include "02_url_shortener_service_mini/domain/codes.hpp"

namespace shortener {
namespace {

core::Error Invalid(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

}  // namespace

Shortener::Shortener(ShortenerOptions options, const UrlPolicy& policy, LinkStore& store,
                     LinkCache& cache, CodeSource& codes, VisitRecorder& visits,
                     const cache::WallClock& wall)
    : options_(options),
      policy_(policy),
      store_(store),
      cache_(cache),
      codes_(codes),
      visits_(visits),
      wall_(wall) {}

core::Result<void> Shortener::Validate(const CreateRequest& r, std::int64_t now) const {
  if (auto ok = policy_.Validate(r.url, r.request_host); !ok) return ok;
  if (r.alias) {
    if (auto ok = ValidateAlias(*r.alias); !ok) return ok;
  }
  if (r.ttl_seconds && r.expires_at) return Invalid("ttl and expires_at: give one, not both");
  if (r.ttl_seconds && (*r.ttl_seconds < 1 || *r.ttl_seconds > options_.max_ttl_seconds)) {
    return Invalid("ttl: 1 to " + std::to_string(options_.max_ttl_seconds) + " seconds");
  }
  if (r.expires_at && (*r.expires_at <= now || *r.expires_at - now > options_.max_ttl_seconds)) {
    return Invalid("expires_at: a Unix time in the future, at most " +
                   std::to_string(options_.max_ttl_seconds) + " seconds away");
  }
  if (r.max_visits && (*r.max_visits < 1 || *r.max_visits > options_.max_visits_limit)) {
    return Invalid("max_visits: 1 to " + std::to_string(options_.max_visits_limit));
  }
  if (r.redirect && !IsRedirectStatus(*r.redirect)) {
    return Invalid("redirect: one of 301, 302, 307, 308");
  }
  return {};
}

core::Task<core::Result<CreateResult>> Shortener::Create(CreateRequest request) {
  const std::int64_t now = wall_.UnixSeconds();
  if (auto ok = Validate(request, now); !ok) co_return ok.error();
  NewLink link;
  link.url = std::move(request.url);
  link.created_at = now;
  if (request.ttl_seconds) link.expires_at = now + *request.ttl_seconds;
  if (request.expires_at) link.expires_at = request.expires_at;
  link.max_visits = request.max_visits;
  link.redirect = request.redirect.value_or(0);
  link.custom = request.alias.has_value();

  // Reuse applies to plain links only: one with an alias, an expiry or a cap is a deliberate new
  // link. A lookup then an insert is not atomic: two concurrent calls may both create — harmless
  // (two codes for one URL), unlike a duplicate code, which the UNIQUE constraint rules out.
  const bool plain = !request.alias && !link.expires_at && !link.max_visits;
  if (request.find_if_exists && plain) {
    core::Result<std::optional<Link>> existing =
        co_await store_.FindReusable(link.url, link.redirect);
    if (!existing) co_return existing.error();
    if (*existing) {
      reused_.fetch_add(1, std::memory_order_relaxed);
      co_return CreateResult{std::move(**existing), false, 0};
    }
  }

  for (int attempt = 1; attempt <= options_.max_insert_attempts; ++attempt) {
    if (request.alias) {
      link.code = *request.alias;
    } else {
      core::Result<std::string> code = co_await codes_.Next();
      if (!code) co_return code.error();
      link.code = std::move(*code);
    }
    core::Result<Link> stored = co_await store_.Insert(link);
    if (stored) {
      cache_.Invalidate(stored->code);  // a cached "missing" for this code is now wrong
      created_.fetch_add(1, std::memory_order_relaxed);
      co_return CreateResult{std::move(*stored), true, attempt};
    }
    if (stored.error().code != core::Code::kConflict) co_return stored.error();
    if (request.alias) {
      co_return core::Error(core::Code::kConflict, "alias '" + *request.alias + "' is taken");
    }
    collisions_.fetch_add(1, std::memory_order_relaxed);
  }
  exhausted_.fetch_add(1, std::memory_order_relaxed);
  co_return core::Error(core::Code::kUnavailable,
                        "no free code after " + std::to_string(options_.max_insert_attempts) +
                            " attempts: the code space is nearly full (--code-length)");
}

Resolution Shortener::Answer(const Link& link, std::int64_t now) const {
  Resolution r;
  if (StateAt(link, now) != LinkState::kActive) {
    r.outcome = Outcome::kGone;
    return r;
  }
  r.outcome = Outcome::kRedirect;
  r.status = RedirectFor(link);
  r.url = link.url;
  return r;
}

std::optional<Resolution> Shortener::ResolveFromCache(std::string_view code,
                                                      std::string_view referer,
                                                      std::string_view user_agent, bool record) {
  CachedLink cached = cache_.Get(code);
  if (cached.kind() == CachedLink::Kind::kUnknown) return std::nullopt;
  if (cached.kind() == CachedLink::Kind::kMissing) {
    negative_hits_.fetch_add(1, std::memory_order_relaxed);
    return Resolution{Outcome::kNotFound, 0, {}};
  }
  if (cached.capped() && !cached.gone()) return std::nullopt;  // the store counts the visit
  cache_hits_.fetch_add(1, std::memory_order_relaxed);
  const std::int64_t now = wall_.UnixSeconds();
  if (cached.gone() || (cached.expires_at() != 0 && now >= cached.expires_at())) {
    return Resolution{Outcome::kGone, 0, {}};
  }
  if (record) visits_.Record(code, now, referer, user_agent);
  const int status = cached.redirect() != 0 ? cached.redirect() : options_.default_redirect;
  return Resolution{Outcome::kRedirect, status, std::string(cached.url())};
}

core::Task<core::Result<Resolution>> Shortener::Resolve(std::string code, std::string referer,
                                                        std::string user_agent, bool record) {
  if (auto answer = ResolveFromCache(code, referer, user_agent, record))
    co_return std::move(*answer);
  if (!IsPossibleCode(code)) co_return Resolution{};  // cannot exist: no store round trip
  store_lookups_.fetch_add(1, std::memory_order_relaxed);
  core::Result<std::optional<Link>> found = co_await store_.Find(code);
  if (!found) co_return found.error();
  const std::int64_t now = wall_.UnixSeconds();
  if (!*found) {
    cache_.PutMissing(code);
    co_return Resolution{};
  }
  Link& link = **found;
  cache_.Put(link, now);
  Resolution answer = Answer(link, now);
  if (answer.outcome == Outcome::kRedirect && link.max_visits) {
    // Capped links are counted exactly, in the store, before the redirect is given.
    core::Result<bool> taken = co_await store_.TakeCappedVisit(code);
    if (!taken) co_return taken.error();
    if (!*taken) {
      link.cap_used = *link.max_visits;
      cache_.Put(link, now);  // now gone
      co_return Resolution{Outcome::kGone, 0, {}};
    }
  }
  if (answer.outcome == Outcome::kRedirect && record) {
    visits_.Record(code, now, referer, user_agent);
  }
  co_return answer;
}

core::Task<core::Result<Link>> Shortener::Get(std::string code) {
  core::Result<std::optional<Link>> found = co_await store_.Find(code);
  if (!found) co_return found.error();
  if (!*found) co_return core::Error(core::Code::kNotFound, "no link with code '" + code + "'");
  co_return std::move(**found);
}

core::Task<core::Result<Link>> Shortener::Delete(std::string code) {
  core::Result<std::optional<Link>> before = co_await store_.Delete(code, wall_.UnixSeconds());
  if (!before) co_return before.error();
  if (!*before) co_return core::Error(core::Code::kNotFound, "no link with code '" + code + "'");
  cache_.Invalidate(code);
  co_return std::move(**before);
}

core::Task<core::Result<LinkStats>> Shortener::Stats(std::string code) {
  core::Result<std::optional<Link>> found = co_await store_.Find(code);
  if (!found) co_return found.error();
  if (!*found) co_return core::Error(core::Code::kNotFound, "no link with code '" + code + "'");
  co_return co_await store_.Stats(std::move(code), options_.top_referrers);
}

ShortenerStats Shortener::Counters() const {
  ShortenerStats s;
  s.created = created_.load(std::memory_order_relaxed);
  s.reused = reused_.load(std::memory_order_relaxed);
  s.collisions = collisions_.load(std::memory_order_relaxed);
  s.exhausted = exhausted_.load(std::memory_order_relaxed);
  s.cache_hits = cache_hits_.load(std::memory_order_relaxed);
  s.negative_hits = negative_hits_.load(std::memory_order_relaxed);
  s.store_lookups = store_lookups_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace shortener
