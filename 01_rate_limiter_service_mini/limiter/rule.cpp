#include "01_rate_limiter_service_mini/limiter/rule.hpp"

#include <algorithm>
#include <charconv>

namespace ratelimit {
namespace {

core::Error FieldError(std::string_view where, std::string_view field, std::string_view what) {
  std::string detail(where);
  if (!detail.empty() && detail.back() != ' ') detail += '.';
  detail += field;
  detail += ": ";
  detail += what;
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

// RFC 9110 token characters.
bool ValidHeaderName(std::string_view name) {
  constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kExtra.find(c) != std::string_view::npos;
  });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

Rule DefaultRule() {
  Rule rule;
  rule.name = "default";
  rule.algorithm = Algorithm::kTokenBucket;
  rule.quota = Quota::Make(Rate{2, std::chrono::seconds(1)}, 5).value();
  rule.key_source = KeySource::kIp;
  return rule;
}

core::Result<Rule> MakeRule(const RuleFields& f, std::string_view where) {
  Rule rule;
  if (!f.name) return FieldError(where, "name", "is required");
  if (!ValidName(*f.name)) {
    return FieldError(where, "name", "'" + *f.name + "' must be 1-64 of [A-Za-z0-9_.-]");
  }
  rule.name = *f.name;

  if (f.algorithm) {
    auto algo = ParseAlgorithm(*f.algorithm);
    if (!algo) {
      return FieldError(where, "algorithm",
                        "'" + *f.algorithm + "' must be token_bucket, gcra or sliding_window");
    }
    rule.algorithm = *algo;
  }

  if (!f.rate) return FieldError(where, "rate", R"(is required (e.g. "2/s", "100/m"))");
  auto rate = ParseRate(*f.rate);
  if (!rate) return FieldError(where, "rate", rate.error().detail);

  std::int64_t burst = f.burst.value_or(rate->count);
  if (rule.algorithm == Algorithm::kSlidingWindow && f.burst && *f.burst != rate->count) {
    return FieldError(where, "burst",
                      "sliding_window has no separate burst: its limit is the rate's count (" +
                          std::to_string(rate->count) + "); omit burst");
  }
  auto quota = Quota::Make(*rate, burst);
  if (!quota) return FieldError(where, "burst", quota.error().detail);
  rule.quota = *quota;

  if (f.key) {
    const std::string& key = *f.key;
    if (key == "ip") {
      rule.key_source = KeySource::kIp;
    } else if (key == "route") {
      rule.key_source = KeySource::kRoute;
    } else if (key == "descriptor") {
      rule.key_source = KeySource::kDescriptor;
    } else if (key.rfind("header:", 0) == 0) {
      const std::string_view header = std::string_view(key).substr(7);
      if (!ValidHeaderName(header)) {
        return FieldError(where, "key", "'" + key + "': header name must be an HTTP token");
      }
      rule.key_source = KeySource::kHeader;
      rule.header = Lower(header);
    } else {
      return FieldError(where, "key",
                        "'" + key + "' must be ip, header:<name>, route or descriptor");
    }
  }

  rule.shadow = f.shadow.value_or(false);

  if (f.failure_mode) {
    if (*f.failure_mode == "open") {
      rule.failure_mode = FailureMode::kOpen;
    } else if (*f.failure_mode == "closed") {
      rule.failure_mode = FailureMode::kClosed;
    } else {
      return FieldError(where, "failure_mode", "'" + *f.failure_mode + "' must be open or closed");
    }
  }
  return rule;
}

core::Result<Rule> ParseRuleFlag(std::string_view text) {
  constexpr std::string_view kWhere = "--rule ";
  RuleFields f;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view pair = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      return FieldError(kWhere, pair, "expected key=value");
    }
    const std::string_view k = pair.substr(0, eq);
    const std::string value(pair.substr(eq + 1));
    auto set = [&](auto& slot, auto v) -> core::Result<void> {
      if (slot) return FieldError(kWhere, k, "given twice");
      slot = std::move(v);
      return {};
    };
    core::Result<void> ok;
    if (k == "name") {
      ok = set(f.name, value);
    } else if (k == "algo" || k == "algorithm") {
      ok = set(f.algorithm, value);
    } else if (k == "rate") {
      ok = set(f.rate, value);
    } else if (k == "key") {
      ok = set(f.key, value);
    } else if (k == "failure" || k == "failure_mode") {
      ok = set(f.failure_mode, value);
    } else if (k == "shadow") {
      if (value != "true" && value != "false")
        return FieldError(kWhere, k, "must be true or false");
      ok = set(f.shadow, value == "true");
    } else if (k == "burst") {
      std::int64_t burst = 0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), burst);
      if (ec != std::errc() || end != value.data() + value.size()) {
        return FieldError(kWhere, k, "'" + value + "' must be an integer");
      }
      ok = set(f.burst, burst);
    } else {
      return FieldError(kWhere, k,
                        "unknown key (use name, algo, rate, burst, key, shadow, failure)");
    }
    if (!ok) return ok.error();
  }
  return MakeRule(f, kWhere);
}

std::string_view NameOf(FailureMode mode) noexcept {
  return mode == FailureMode::kOpen ? "open" : "closed";
}

std::string KeySpecOf(const Rule& rule) {
  switch (rule.key_source) {
    case KeySource::kIp:
      return "ip";
    case KeySource::kHeader:
      return "header:" + rule.header;
    case KeySource::kRoute:
      return "route";
    case KeySource::kDescriptor:
      return "descriptor";
  }
  return "ip";
}

std::string FormatRuleFlag(const Rule& rule) {
  std::string out = "name=" + rule.name;
  out += ",algo=";
  out += NameOf(rule.algorithm);
  out += ",rate=" + FormatRate(rule.quota.rate());
  out += ",burst=" + std::to_string(rule.quota.burst());
  out += ",key=" + KeySpecOf(rule);
  out += rule.shadow ? ",shadow=true" : ",shadow=false";
  out += ",failure=";
  out += NameOf(rule.failure_mode);
  return out;
}

}  // namespace ratelimit
