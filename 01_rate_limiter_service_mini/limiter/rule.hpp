// A rate-limit rule: what to count (key source), how fast (algorithm, rate, burst), and what to do
// when over the limit (enforce or only count: shadow) or when the shared store is down (fail open
// or closed). Built once from config or a command-line flag, then shared read-only.
//
// Both config forms — JSON (config.hpp) and the flag string below — fill the same RuleFields and
// go through one validator, so they accept the same values and report errors the same way: as
// core::Error{kInvalidArgument} whose detail starts with the offending field ("rules[0].burst:
// ...").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "01_rate_limiter_service_mini/algorithms/algorithm.hpp"
#include "01_rate_limiter_service_mini/algorithms/quota.hpp"
#include "core/base/error.hpp"

namespace ratelimit {

// Where a request's key comes from (the middleware builds it with keys.hpp).
enum class KeySource {
  kIp,          // the client address (ClientIp), never ip:port
  kHeader,      // a request header's value, e.g. an API key (Rule::header names it)
  kRoute,       // the matched route: one shared budget per endpoint
  kDescriptor,  // caller-supplied descriptors (POST /v1/check), Envoy ratelimit style
};

// What a rule does when its store fails (only a remote store can fail).
enum class FailureMode {
  kOpen,    // allow: availability over protection (the default)
  kClosed,  // refuse: protection over availability
};

struct Rule {
  std::string name = "default";  // 1..64 of [A-Za-z0-9_.-]; unique within a config
  Algorithm algorithm = Algorithm::kTokenBucket;
  Quota quota;  // rate + burst (for sliding_window, burst == rate.count)
  KeySource key_source = KeySource::kIp;
  std::string header;   // lower-case field name when key_source == kHeader, else empty
  bool shadow = false;  // count would-be rejections, never reject
  FailureMode failure_mode = FailureMode::kOpen;
};

// The seed's limit: token bucket, 2 tokens/s, burst 5, keyed by client IP, named "default".
Rule DefaultRule();

// Rule fields as written, before validation. Absent optional = use the default:
// algorithm token_bucket, burst = rate count, key ip, shadow false, failure_mode open.
// name and rate are required.
struct RuleFields {
  std::optional<std::string> name;
  std::optional<std::string> algorithm;  // token_bucket | gcra | sliding_window
  std::optional<std::string> rate;       // see ParseRate: "2/s", "100/m"
  std::optional<std::int64_t> burst;
  std::optional<std::string> key;  // ip | header:<name> | route | descriptor
  std::optional<bool> shadow;
  std::optional<std::string> failure_mode;  // open | closed
};

// Validates and builds a rule. `where` prefixes error details ("rules[2]", "--rule").
// Errors (kInvalidArgument) name the field: "rules[2].rate: ...".
core::Result<Rule> MakeRule(const RuleFields& fields, std::string_view where);

// Parses the flag form: comma-separated key=value pairs, e.g.
//   "name=ping,algo=token_bucket,rate=2/s,burst=5,key=ip,shadow=false,failure=open"
// Keys: name, algo|algorithm, rate, burst, key, shadow (true|false), failure|failure_mode.
// Unknown or repeated keys are errors.
core::Result<Rule> ParseRuleFlag(std::string_view text);

// The canonical flag form of a rule; ParseRuleFlag(FormatRuleFlag(r)) reproduces r.
std::string FormatRuleFlag(const Rule& rule);

std::string_view NameOf(FailureMode mode) noexcept;
// "ip", "header:<name>", "route" or "descriptor".
std::string KeySpecOf(const Rule& rule);

}  // namespace ratelimit
