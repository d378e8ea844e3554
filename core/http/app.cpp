#include "core/http/app.hpp"

#include <cstdio>
#include <ranges>

#include "core/base/log.hpp"

namespace core {

App::App(ServiceInfo info, ClientOptions client_options)
    : cli_(std::move(info)), client_(client_options) {}

App& App::Add(Module& module) {
  modules_.push_back(&module);
  return *this;
}

int ConfigError(const ServiceInfo& info, std::string_view message) {
  std::fprintf(stderr, "%s: %.*s\n", info.name.c_str(), static_cast<int>(message.size()),
               message.data());
  return 2;
}

int App::Run(int argc, char** argv) {
  for (Module* m : modules_) m->AddFlags(cli_);
  if (auto rc = cli_.Parse(argc, argv)) return *rc;
  for (Module* m : modules_) {
    if (auto installed = m->Install(*this); !installed) {
      return ConfigError(info(), installed.error().detail);
    }
  }
  AddHealthRoutes(router_, readiness_);

  log::Init(info().name, cli_.log_level());
  Server server(server_options(), pipeline_);
  auto fail = [&](const Error& error) {
    log::Error("cannot start", {{"error", error.detail}});
    for (Module* m : std::views::reverse(modules_)) m->Stop();
    log::Shutdown();
    return ConfigError(info(), error.detail);
  };
  if (auto listening = server.Listen(); !listening) return fail(listening.error());
  server.HandleSignals();
  server.OnShutdown([this] {
    readiness_.SetServing(false);
    for (Module* m : std::views::reverse(modules_)) m->Stop();
  });
  server.OnStopped([this] {
    for (Module* m : std::views::reverse(modules_)) m->Release();
    client_.CloseIdle();
  });
  for (Module* m : modules_) {
    if (auto started = m->Start(server); !started) return fail(started.error());
  }
  readiness_.SetServing(true);
  const auto& o = server_options();
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
