// The composition-root helpers every service's main.cpp uses, so that all seven binaries take the
// same flags, read the same environment variables, log the same way and shut down the same way.
//
//   core::ServiceCli cli({"sd-cache", "TTL + eviction cache", 9004});
//   cli.app().add_option("--capacity-bytes", capacity, "memory budget");  // the service's own
//   if (auto rc = cli.Parse(argc, argv)) return *rc;
//   ... build router, pipeline ...
//   return core::RunService(cli, pipeline, readiness);
//
// Every flag can also come from the environment: `--max-body-bytes` of sd-cache is
// SD_CACHE_MAX_BODY_BYTES. Exit codes: 0 clean shutdown (and --help/--version), 2 bad flags or
// config.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/log.hpp"
#include "core/http/health.hpp"
#include "core/http/middleware.hpp"
#include "core/http/server.hpp"
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
  std::string idle_timeout_, header_timeout_, body_timeout_, write_timeout_, shutdown_timeout_;
};

// Parses "250ms", "10s", "2m" or a bare number of milliseconds.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// Starts logging, listens, prints "listening on http://HOST:PORT" on stdout (the contract harness
// waits for that line), serves until SIGINT/SIGTERM, drains, and returns the exit code.
// `on_listening` runs after the bind, before serving (register shutdown hooks there).
int RunService(const ServiceCli& cli, const Pipeline& pipeline, Readiness& readiness,
               const std::function<void(Server&)>& on_listening = {});

}  // namespace core
