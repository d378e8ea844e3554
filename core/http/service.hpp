// The composition-root helpers every service's main.cpp uses, so that all seven binaries take the
// same flags, read the same environment variables, log the same way and shut down the same way.
//
//   ```cpp
//   int main(int argc, char** argv) {
//     std::size_t capacity = 64 << 20;
//     std::chrono::milliseconds interval{1000};
//     core::ServiceCli cli({"sd-cache", "TTL + eviction cache", 9004});
//     cli.AddOption("capacity-bytes", capacity, "Memory budget");  // also SD_CACHE_CAPACITY_BYTES
//     cli.AddDuration("expiry-interval", interval, "Active expiry period");
//     if (auto rc = cli.Parse(argc, argv)) return *rc;
//     return 0;  // ...serve with cli.server_options()
//   }
//   ```
//
// core::App (app.hpp) drives this for every service: modules add their flags in AddFlags.
//
// Every flag can also come from the environment: `--max-body-bytes` of sd-cache is
// SD_CACHE_MAX_BODY_BYTES. Exit codes: 0 clean shutdown (and --help/--version), 2 bad flags or
// config.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/duration.hpp"
#include "core/base/log.hpp"
#include "core/http/server_options.hpp"

namespace core {

struct ServiceInfo {
  std::string name;         // binary name, e.g. "sd-cache"; also the log `service` field
  std::string description;  // one line for --help
  std::uint16_t default_port = 0;
};

class ServiceCli {
 public:
  explicit ServiceCli(ServiceInfo info);

  // Add the service's own flags here before Parse; use Env() for their environment names.
  CLI::App& app() { return app_; }
  // "SD_CACHE_" + "MAX_BODY_BYTES" for flag "max-body-bytes".
  std::string Env(std::string_view flag) const;

  // Adds `--<flag>` into `value` (whose value is the default), also read from Env(flag). Chain
  // CLI11 checks on the result: `cli.AddOption("shards", shards, "...")->check(CLI::Range(1, 64))`.
  template <class T>
  CLI::Option* AddOption(std::string_view flag, T& value, std::string description) {
    return app_.add_option("--" + std::string(flag), value, std::move(description))
        ->envname(Env(flag));
  }
  // Adds the on/off pair `--<flag>` / `--no-<flag>` into `value`, also read from Env(flag).
  CLI::Option* AddSwitch(std::string_view flag, bool& value, std::string description) {
    const std::string name(flag);
    return app_.add_flag("--" + name + ",!--no-" + name, value, std::move(description))
        ->envname(Env(flag));
  }

  // Adds `--<flag>` taking a duration ("250ms", "10s", "2m", bare milliseconds; see
  // core/base/duration.hpp) into `out`, whose value is the default; also read from Env(flag). A
  // value that does not parse, or is 0 when `allow_zero` is false, is a usage error (exit 2).
  CLI::Option* AddDuration(std::string_view flag, std::chrono::milliseconds& out,
                           std::string description, bool allow_zero = false);

  // Parses the command line; returns an exit code when the program should exit right away.
  std::optional<int> Parse(int argc, char** argv);

  const ServiceInfo& info() const { return info_; }
  const ServerOptions& server_options() const { return options_; }
  log::Level log_level() const { return log_level_; }

 private:
  ServiceInfo info_;
  CLI::App app_;
  ServerOptions options_;
  std::string io_model_ = "reuseport";
  std::string log_level_text_ = "info";
  log::Level log_level_ = log::Level::kInfo;
};

}  // namespace core
