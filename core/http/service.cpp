#include "core/http/service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <thread>

#include "core/base/version.hpp"

namespace core {

ServiceCli::ServiceCli(ServiceInfo info)
    : info_(std::move(info)), app_(info_.description, info_.name) {
  options_.port = info_.default_port;
  options_.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  app_.set_version_flag("--version", std::string(kVersion));
  app_.option_defaults()->always_capture_default();
  AddOption("host", options_.host, "Address to listen on");
  AddOption("port", options_.port, "TCP port (0 = any free port)")->check(CLI::Range(0, 65535));
  AddOption("threads", options_.threads, "Worker threads")->check(CLI::Range(1, 256));
  AddOption("log-level", log_level_text_, "trace|debug|info|warn|error|off");
  AddOption("io-model", io_model_,
            "reuseport: an io_context and listener per thread; shared: one io_context")
      ->check(CLI::IsMember({"reuseport", "shared"}));
  AddOption("max-header-bytes", options_.max_header_bytes,
            "Request line + headers limit (431 above)")
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 24));
  AddOption("max-body-bytes", options_.max_body_bytes, "Request body limit (413 above)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 32));
  AddOption("max-body-bytes-in-flight", options_.max_body_bytes_in_flight,
            "Request body bytes all connections may hold together (503 above; 0 = no limit)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 40));
  AddOption("max-connections", options_.max_connections,
            "Concurrent connections (an idle one is reclaimed, else 503)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  AddDuration("idle-timeout", options_.idle_timeout, "Keep-alive idle limit (e.g. 60s)");
  AddDuration("header-timeout", options_.header_timeout, "Time to receive the headers (408 after)");
  AddDuration("body-timeout", options_.body_timeout, "Time to receive the body (408 after)");
  AddDuration("write-timeout", options_.write_timeout, "Time to write one response");
  AddDuration("shutdown-timeout", options_.shutdown_timeout,
              "Grace period for in-flight requests on SIGTERM");
}

CLI::Option* ServiceCli::AddDuration(std::string_view flag, std::chrono::milliseconds& out,
                                     std::string description, bool allow_zero) {
  const std::string name = "--" + std::string(flag);
  auto* option = app_.add_option_function<std::string>(
      name,
      [&out, name, allow_zero](const std::string& text) {
        auto parsed = ParseDuration(text);
        if (!parsed || (!allow_zero && parsed->count() == 0)) {
          throw CLI::ValidationError(name, "'" + text + "' is not a " +
                                               (allow_zero ? "" : "positive ") +
                                               "duration like 500ms, 10s or 2m (at most 10 years)");
        }
        out = *parsed;
      },
      std::move(description));
  option->default_str(FormatDuration(out))->envname(Env(flag));
  return option;
}

std::string ServiceCli::Env(std::string_view flag) const {
  std::string name = info_.name + "_" + std::string(flag);
  for (char& c : name) {
    c = (c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

std::optional<int> ServiceCli::Parse(int argc, char** argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app_.exit(e);  // prints help, version or the error
    return rc == 0 ? 0 : 2;
  }
  auto fail = [&](const std::string& message) -> std::optional<int> {
    std::fprintf(stderr, "%s: %s\nRun with --help for more information.\n", info_.name.c_str(),
                 message.c_str());
    return 2;
  };
  auto level = log::ParseLevel(log_level_text_);
  if (!level) return fail("--log-level: unknown level '" + log_level_text_ + "'");
  log_level_ = *level;
  options_.io_model = io_model_ == "shared" ? IoModel::kShared : IoModel::kReusePort;
  return std::nullopt;
}

}  // namespace core
