#include "01_rate_limiter_service_mini/limiter/config.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <fstream>
#include <limits>
#include <sstream>

namespace ratelimit {
namespace {

namespace json = boost::json;

core::Error Invalid(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

core::Result<std::string> GetString(const json::value& v, const std::string& where) {
  if (!v.is_string()) return Invalid(where + ": must be a string");
  return std::string(v.get_string());
}

core::Result<Rule> ParseRuleObject(const json::value& v, const std::string& where) {
  if (!v.is_object()) return Invalid(where + ": must be an object");
  RuleFields f;
  for (const json::key_value_pair& kv : v.get_object()) {
    // Named references rather than a structured binding: clang 14 cannot capture those.
    const json::string_view k = kv.key();
    const json::value& member = kv.value();
    const std::string field = where + "." + std::string(k);
    auto str = [&](std::optional<std::string>& slot) -> core::Result<void> {
      auto s = GetString(member, field);
      if (!s) return s.error();
      slot = std::move(*s);
      return {};
    };
    core::Result<void> ok;
    if (k == "name") {
      ok = str(f.name);
    } else if (k == "algorithm") {
      ok = str(f.algorithm);
    } else if (k == "rate") {
      ok = str(f.rate);
    } else if (k == "key") {
      ok = str(f.key);
    } else if (k == "failure_mode") {
      ok = str(f.failure_mode);
    } else if (k == "burst") {
      if (!member.is_int64() && !member.is_uint64()) return Invalid(field + ": must be an integer");
      if (member.is_uint64() &&
          member.get_uint64() > std::uint64_t{std::numeric_limits<std::int64_t>::max()}) {
        return Invalid(field + ": too large");
      }
      f.burst =
          member.is_int64() ? member.get_int64() : static_cast<std::int64_t>(member.get_uint64());
    } else if (k == "shadow") {
      if (!member.is_bool()) return Invalid(field + ": must be true or false");
      f.shadow = member.get_bool();
    } else {
      return Invalid(field +
                     ": unknown member (expected name, algorithm, rate, burst, key, shadow, "
                     "failure_mode)");
    }
    if (!ok) return ok.error();
  }
  return MakeRule(f, where);
}

}  // namespace

core::Result<void> ValidateRules(const std::vector<Rule>& rules) {
  if (rules.empty()) return Invalid("rules: at least one rule is required");
  for (std::size_t i = 0; i < rules.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (rules[i].name == rules[j].name) {
        return Invalid("rules[" + std::to_string(i) + "].name: duplicate rule name '" +
                       rules[i].name + "'");
      }
    }
  }
  return {};
}

core::Result<Config> ParseConfig(std::string_view json_text) {
  boost::system::error_code ec;
  const json::value root = json::parse(json_text, ec);
  if (ec) return Invalid("config: invalid JSON: " + ec.message());
  if (!root.is_object()) return Invalid("config: must be a JSON object");

  Config config;
  bool saw_rules = false;
  for (const auto& [k, member] : root.get_object()) {
    if (k == "rules") {
      saw_rules = true;
      if (!member.is_array()) return Invalid("rules: must be an array");
      const auto& arr = member.get_array();
      for (std::size_t i = 0; i < arr.size(); ++i) {
        auto rule = ParseRuleObject(arr[i], "rules[" + std::to_string(i) + "]");
        if (!rule) return rule.error();
        config.rules.push_back(std::move(*rule));
      }
    } else if (k == "trusted_proxies") {
      if (!member.is_array()) return Invalid("trusted_proxies: must be an array of strings");
      std::vector<std::string> cidrs;
      for (std::size_t i = 0; i < member.get_array().size(); ++i) {
        auto s = GetString(member.get_array()[i], "trusted_proxies[" + std::to_string(i) + "]");
        if (!s) return s.error();
        cidrs.push_back(std::move(*s));
      }
      auto trusted = TrustedProxies::Parse(cidrs);
      if (!trusted) return trusted.error();
      config.trusted_proxies = std::move(*trusted);
    } else {
      return Invalid(std::string(k) + ": unknown member (expected rules, trusted_proxies)");
    }
  }
  if (!saw_rules) return Invalid("rules: is required");
  if (auto ok = ValidateRules(config.rules); !ok) return ok.error();
  return config;
}

core::Result<Config> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Invalid("config file '" + path + "': cannot be opened");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Invalid("config file '" + path + "': read error");
  auto config = ParseConfig(text.str());
  if (!config) return Invalid("config file '" + path + "': " + config.error().detail);
  return config;
}

}  // namespace ratelimit
