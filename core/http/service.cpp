#include "core/http/service.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <thread>

namespace core {

std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || value < 0) return std::nullopt;
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  std::int64_t scale = 0;
  if (unit.empty() || unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60 * 1000;
  } else {
    return std::nullopt;
  }
  if (value > INT64_MAX / scale / 1000) return std::nullopt;  // keep room for µs arithmetic
  return std::chrono::milliseconds(value * scale);
}

namespace {

std::string FormatDuration(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

}  // namespace

ServiceCli::ServiceCli(ServiceInfo info)
    : info_(std::move(info)), app_(info_.description, info_.name) {
  options_.port = info_.default_port;
  options_.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  idle_timeout_ = FormatDuration(options_.idle_timeout);
  header_timeout_ = FormatDuration(options_.header_timeout);
  body_timeout_ = FormatDuration(options_.body_timeout);
  write_timeout_ = FormatDuration(options_.write_timeout);
  shutdown_timeout_ = FormatDuration(options_.shutdown_timeout);

  app_.set_version_flag("--version", std::string(SD_VERSION));
  app_.option_defaults()->always_capture_default();
  app_.add_option("--host", options_.host, "Address to listen on")->envname(Env("host"));
  app_.add_option("--port", options_.port, "TCP port (0 = any free port)")
      ->envname(Env("port"))
      ->check(CLI::Range(0, 65535));
  app_.add_option("--threads", options_.threads, "Worker threads")
      ->envname(Env("threads"))
      ->check(CLI::Range(1, 256));
  app_.add_option("--log-level", log_level_text_, "trace|debug|info|warn|error|off")
      ->envname(Env("log-level"));
  app_.add_option("--io-model", io_model_,
                  "reuseport: an io_context and listener per thread; shared: one io_context")
      ->envname(Env("io-model"))
      ->check(CLI::IsMember({"reuseport", "shared"}));
  app_.add_option("--max-header-bytes", options_.max_header_bytes,
                  "Request line + headers limit (431 above)")
      ->envname(Env("max-header-bytes"))
      ->check(CLI::Range(std::size_t{256}, std::size_t{1} << 24));
  app_.add_option("--max-body-bytes", options_.max_body_bytes, "Request body limit (413 above)")
      ->envname(Env("max-body-bytes"))
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 32));
  app_.add_option("--max-connections", options_.max_connections,
                  "Concurrent connections (503 above)")
      ->envname(Env("max-connections"))
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  app_.add_option("--idle-timeout", idle_timeout_, "Keep-alive idle limit (e.g. 60s)")
      ->envname(Env("idle-timeout"));
  app_.add_option("--header-timeout", header_timeout_, "Time to receive the headers (408 after)")
      ->envname(Env("header-timeout"));
  app_.add_option("--body-timeout", body_timeout_, "Time to receive the body (408 after)")
      ->envname(Env("body-timeout"));
  app_.add_option("--write-timeout", write_timeout_, "Time to write one response")
      ->envname(Env("write-timeout"));
  app_.add_option("--shutdown-timeout", shutdown_timeout_,
                  "Grace period for in-flight requests on SIGTERM")
      ->envname(Env("shutdown-timeout"));
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
  struct {
    const char* flag;
    const std::string* text;
    std::chrono::milliseconds* out;
  } durations[] = {
      {"--idle-timeout", &idle_timeout_, &options_.idle_timeout},
      {"--header-timeout", &header_timeout_, &options_.header_timeout},
      {"--body-timeout", &body_timeout_, &options_.body_timeout},
      {"--write-timeout", &write_timeout_, &options_.write_timeout},
      {"--shutdown-timeout", &shutdown_timeout_, &options_.shutdown_timeout},
  };
  for (auto& d : durations) {
    auto parsed = ParseDuration(*d.text);
    if (!parsed || parsed->count() == 0) {
      return fail(std::string(d.flag) + ": '" + *d.text +
                  "' is not a positive duration like 500ms, 10s or 2m");
    }
    *d.out = *parsed;
  }
  return std::nullopt;
}

int RunService(const ServiceCli& cli, const Pipeline& pipeline, Readiness& readiness,
               const std::function<void(Server&)>& on_listening) {
  log::Init(cli.info().name, cli.log_level());
  Server server(cli.server_options(), pipeline);
  if (auto r = server.Listen(); !r) {
    log::Error("cannot start", {{"error", r.error().detail}});
    log::Shutdown();
    std::fprintf(stderr, "%s: %s\n", cli.info().name.c_str(), r.error().detail.c_str());
    return 2;
  }
  server.HandleSignals();
  server.OnShutdown([&readiness] { readiness.SetServing(false); });
  if (on_listening) on_listening(server);
  readiness.SetServing(true);
  const auto& o = cli.server_options();
  log::Info("listening", {{"host", o.host},
                          {"port", server.port()},
                          {"threads", o.threads},
                          {"io_model", o.io_model == IoModel::kShared ? "shared" : "reuseport"}});
  const bool v6 = o.host.find(':') != std::string::npos;  // an IPv6 literal needs brackets in a URL
  std::printf("listening on http://%s%s%s:%u\n", v6 ? "[" : "", o.host.c_str(), v6 ? "]" : "",
              static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  server.Run();
  log::Info("stopped");
  log::Shutdown();
  return 0;
}

}  // namespace core
