#include "01_rate_limiter_service_mini/http/ratelimit_middleware.hpp"

#include <algorithm>
#include <stdexcept>

#include "01_rate_limiter_service_mini/limiter/keys.hpp"
#include "01_rate_limiter_service_mini/limiter/rate_limit_headers.hpp"
#include "core/net/peer_address.hpp"

namespace ratelimit {
namespace {

std::string_view kRateLimitPolicy = "RateLimit-Policy";
std::string_view kRateLimit = "RateLimit";

}  // namespace

RateLimitMiddleware::RateLimitMiddleware(Decider& decider, RateLimitScope scope)
    : decider_(decider), scope_(std::move(scope)) {
  if (scope_.rule == nullptr) throw std::invalid_argument("rate limit middleware needs a rule");
  if (scope_.rule->key_source == KeySource::kDescriptor) {
    throw std::invalid_argument("rule " + scope_.rule->name +
                                " is keyed by descriptors, which only POST /v1/check supplies");
  }
  const QuotaPolicy policy = PolicyOf(*scope_.rule);
  policy_header_ = FormatRateLimitPolicy(std::span(&policy, 1));
}

bool RateLimitMiddleware::Covers(std::string_view route) const {
  if (scope_.routes.empty()) return true;
  return std::find(scope_.routes.begin(), scope_.routes.end(), route) != scope_.routes.end();
}

core::Result<std::string> RateLimitMiddleware::KeyFor(const core::Exchange& ex) const {
  const Rule& rule = *scope_.rule;
  if (rule.key_source == KeySource::kRoute) return RouteKey(ex.route);
  if (rule.key_source == KeySource::kHeader) {
    auto key = HeaderKey(rule.header, ex.request[rule.header]);
    if (!key || !key->empty()) return key;
    // No API key: fall back to the client address rather than one shared bucket for all of them.
  }
  const core::IpAddress peer = core::ToIpAddress(ex.peer);
  if (scope_.trusted_proxies.empty()) return IpKey(peer);
  std::vector<std::string_view> xff;
  auto [first, last] = ex.request.equal_range("X-Forwarded-For");
  for (auto it = first; it != last; ++it) xff.push_back(it->value());
  return IpKey(ClientIp(peer, xff, scope_.trusted_proxies));
}

core::Task<void> RateLimitMiddleware::Handle(core::Exchange& ex, core::Next next) {
  if (!Covers(ex.route)) {
    co_await next(ex);
    co_return;
  }
  const Rule& rule = *scope_.rule;
  auto keyed = KeyFor(ex);
  if (!keyed) {  // an API-key header over the limit
    ex.Fail(keyed.error());
    co_return;
  }
  std::string key = std::move(*keyed);
  auto decided = decider_.DecideLocally(rule, key, 1);
  if (!decided) {  // a remote store: g++ 12 wants the co_await in its own statement
    auto remote = co_await decider_.Decide(rule, std::move(key), 1);
    decided.emplace(std::move(remote));
  }
  const core::Result<Verdict>& verdict = *decided;
  if (!verdict) {  // only a key over the limiter's backstop gets here (KeyFor refused the rest)
    ex.Fail(verdict.error());
    co_return;
  }
  if (verdict->Blocked()) {
    SetRateLimited(ex, rule, *verdict, policy_header_);
    co_return;
  }
  co_await next(ex);
  // Shadow rules are invisible to clients, and a decision made up by the failure mode has no
  // real numbers to report.
  if (rule.shadow || verdict->store_failed) co_return;
  ex.response.set(kRateLimitPolicy, policy_header_);
  ex.response.set(kRateLimit, FormatRateLimit(rule.name, verdict->decision));
}

void SetRateLimited(core::Exchange& ex, const Rule& rule, const Verdict& verdict,
                    std::string_view policy_header) {
  ex.Fail(core::Error(core::Code::kRateLimited, "rate limit exceeded"));
  if (verdict.store_failed) {
    ex.response.set(core::http::field::retry_after, "1");  // fail-closed: come back soon
    return;
  }
  if (auto retry = RetryAfterValue(verdict.decision)) {
    ex.response.set(core::http::field::retry_after, *retry);
  }
  ex.response.set(kRateLimitPolicy, policy_header);
  ex.response.set(kRateLimit, FormatRateLimit(rule.name, verdict.decision));
}

}  // namespace ratelimit
