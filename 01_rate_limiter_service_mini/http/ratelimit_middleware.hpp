// The rate limiter as HTTP middleware (the seed's design, fixed), mountable by any service and by
// the gateway: one rule, applied to some routes or to all, keyed by client IP (X-Forwarded-For
// believed only from trusted proxies), an API-key header, or the route.
//
// Allowed requests go on and come back with the IETF RateLimit-Policy / RateLimit fields; refused
// ones get 429 + Retry-After + a problem+json body and never reach the handler. A shadow rule only
// counts. Decisions go through the service layer's Decider (service/decider.hpp): the local
// sharded store, or Redis when several instances must share one limit (the rule's failure mode
// decides when Redis does not answer).
#pragma once

#include <string>
#include <vector>

#include "01_rate_limiter_service_mini/limiter/client_ip.hpp"
#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "01_rate_limiter_service_mini/service/decider.hpp"
#include "core/http/middleware.hpp"

namespace ratelimit {

struct RateLimitScope {
  const Rule* rule = nullptr;       // from Limiter::FindRule; must not be a descriptor rule
  std::vector<std::string> routes;  // route templates it guards; empty = every route
  TrustedProxies trusted_proxies;   // whose X-Forwarded-For to believe
};

class RateLimitMiddleware final : public core::Middleware {
 public:
  // Throws std::invalid_argument for a missing rule or a descriptor-keyed one (a start-up error).
  RateLimitMiddleware(Decider& decider, RateLimitScope scope);

  core::Task<void> Handle(core::Exchange& ex, core::Next next) override;

  // The key this middleware would use for `ex` (exposed for tests). Errors: an API-key header
  // over kMaxKeyBytes (HeaderKey).
  core::Result<std::string> KeyFor(const core::Exchange& ex) const;

 private:
  bool Covers(std::string_view route) const;

  Decider& decider_;
  RateLimitScope scope_;
  std::string policy_header_;  // RateLimit-Policy never changes for a rule: format it once
};

// Writes the 429 for a refused verdict: problem+json, Retry-After, and the RateLimit fields.
void SetRateLimited(core::Exchange& ex, const Rule& rule, const Verdict& verdict,
                    std::string_view policy_header);

}  // namespace ratelimit
