// The limiter's JSON configuration file: the rules and the proxies whose X-Forwarded-For we trust.
//
//   {
//     "rules": [
//       {"name": "ping", "algorithm": "token_bucket", "rate": "2/s", "burst": 5, "key": "ip",
//        "shadow": false, "failure_mode": "open"}
//     ],
//     "trusted_proxies": ["10.0.0.0/8", "::1"]
//   }
//
// Strict on purpose: unknown members are errors (a typo like "brust" must not silently become the
// default), and every error names its field, e.g. "rules[1].rate: ...".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "01_rate_limiter_service_mini/limiter/client_ip.hpp"
#include "01_rate_limiter_service_mini/limiter/rule.hpp"
#include "core/base/error.hpp"

namespace ratelimit {

struct Config {
  std::vector<Rule> rules;  // non-empty, unique names
  TrustedProxies trusted_proxies;
};

// Parses the JSON text. Errors: kInvalidArgument with the offending field named (or the JSON
// syntax error and its offset).
core::Result<Config> ParseConfig(std::string_view json_text);

// Reads and parses a file. Errors: kInvalidArgument naming the path if it cannot be read, else as
// ParseConfig.
core::Result<Config> LoadConfigFile(const std::string& path);

// Checks a rule list as a Limiter needs it: non-empty, names unique. Error names the duplicate.
core::Result<void> ValidateRules(const std::vector<Rule>& rules);

}  // namespace ratelimit
