#include "01_rate_limiter_service_mini/http/http_api.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "01_rate_limiter_service_mini/limiter/keys.hpp"

namespace ratelimit {
namespace {

core::Error Invalid(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

std::int64_t CeilMillis(std::chrono::nanoseconds d) {
  if (d.count() <= 0) return 0;
  return (d.count() + 999'999) / 1'000'000;
}

}  // namespace

core::Result<CheckRequest> ParseCheckRequest(std::string_view body, const Limiter& limiter,
                                             const Rule& default_rule) {
  boost::system::error_code ec;
  auto doc = boost::json::parse(body, ec);
  if (ec) return Invalid("body is not valid JSON: " + ec.message());
  const auto* obj = doc.if_object();
  if (!obj) return Invalid("body must be a JSON object {key, rule, cost}");

  CheckRequest req;
  req.rule = &default_rule;
  if (const auto* rule = obj->if_contains("rule")) {
    if (!rule->is_string()) return Invalid("rule: must be a string");
    req.rule = limiter.FindRule(rule->as_string());
    if (!req.rule) return Invalid("rule: no rule named '" + std::string(rule->as_string()) + "'");
  }

  const auto* key = obj->if_contains("key");
  if (const auto* descriptors = obj->if_contains("descriptors")) {
    if (key) return Invalid("key: give either key or descriptors, not both");
    auto parsed = ParseDescriptors(*descriptors);
    if (!parsed) return parsed.error();
    req.key = DescriptorKey(*parsed);
  } else {
    if (!key || !key->is_string() || key->as_string().empty()) {
      return Invalid("key: a non-empty string is required");
    }
    req.key = std::string(key->as_string());
  }
  if (auto ok = ValidateClientKey(req.key, "key"); !ok) return ok.error();

  if (const auto* cost = obj->if_contains("cost")) {
    if (cost->is_int64() && cost->as_int64() >= 0 && cost->as_int64() <= kMaxCost) {
      req.cost = cost->as_int64();
    } else if (cost->is_uint64() && cost->as_uint64() <= static_cast<std::uint64_t>(kMaxCost)) {
      req.cost = static_cast<std::int64_t>(cost->as_uint64());
    } else {
      return Invalid("cost: an integer from 0 to " + std::to_string(kMaxCost) + " is required");
    }
  }
  return req;
}

std::string VerdictJson(const Rule& rule, const Verdict& verdict) {
  const Decision& d = verdict.decision;
  boost::json::object o;
  o["allowed"] = !verdict.Blocked();
  o["outcome"] = NameOf(verdict.outcome);
  o["rule"] = rule.name;
  o["limit"] = d.limit;
  o["remaining"] = d.remaining;
  o["reset_after_ms"] = CeilMillis(d.reset_after);
  o["retry_after_ms"] = d.RetryNever() ? std::int64_t{-1} : CeilMillis(d.retry_after);
  return boost::json::serialize(o);
}

core::Task<void> HandleCheck(Decider* decider, const Rule* default_rule, core::Exchange& ex) {
  auto req = ParseCheckRequest(ex.request.body(), decider->limiter(), *default_rule);
  if (!req) {
    ex.Fail(req.error());
    co_return;
  }
  auto verdict = co_await decider->Decide(*req->rule, std::move(req->key), req->cost);
  if (!verdict) {
    ex.Fail(verdict.error());
    co_return;
  }
  ex.Json(core::http::status::ok, VerdictJson(*req->rule, *verdict));
}

}  // namespace ratelimit
