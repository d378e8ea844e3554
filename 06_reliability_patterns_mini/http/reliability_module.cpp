#include "06_reliability_patterns_mini/http/reliability_module.hpp"

#include <fstream>
#include <sstream>

#include "06_reliability_patterns_mini/http/reliability_metrics.hpp"

namespace reliability {
namespace {

core::Error Invalid(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

// "name=value" as --sim and --upstream spell it.
core::Result<std::pair<std::string, std::string>> SplitNamed(const std::string& text,
                                                             std::string_view flag) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Invalid("--" + std::string(flag) + ": expected name=..., got '" + text.substr(0, 80) +
                   "'");
  }
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

}  // namespace

core::Result<PipelineOptions> ParsePolicyFlag(const std::string& value) {
  if (value.empty()) return PipelineOptions{};
  std::string text = value;
  if (value.front() == '@') {
    std::ifstream in(value.substr(1), std::ios::binary);
    if (!in) return Invalid("--policy: cannot open '" + value.substr(1) + "'");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  auto options = ParsePipelineOptions(text);
  if (!options) return Invalid("--policy: " + options.error().detail);
  return options;
}

ReliabilityModule::ReliabilityModule(obs::Registry& registry) : registry_(registry) {}

ReliabilityModule::~ReliabilityModule() = default;

void ReliabilityModule::AddFlags(core::ServiceCli& cli) {
  cli.AddOption("policy", flags_.policy,
                "Pipeline options for every upstream: JSON, or @file (see README: policy JSON)");
  cli.AddOption("sim", flags_.sims,
                "A simulated upstream: name=JSON behaviour, e.g. "
                "flaky='{\"error_rate\":0.3}' (repeatable)");
  cli.AddOption("upstream", flags_.upstreams,
                "An external upstream: name=http://host:port/path (repeatable)");
  cli.AddOption("seed", flags_.seed, "Seed of the simulated upstreams' draws");
  cli.AddOption("max-upstreams", flags_.max_upstreams,
                "Upstreams the table may hold (PUT /v1/upstreams cannot grow it further)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000}));
}

core::Result<void> ReliabilityModule::Install(core::App& app) {
  auto policy = ParsePolicyFlag(flags_.policy);
  if (!policy) return policy.error();
  host_ = app.server_options().host;
  lab_ = std::make_unique<LabService>(
      LabOptions{.policy = *policy, .seed = flags_.seed, .max_upstreams = flags_.max_upstreams},
      app.client());
  core::Clock& clock = core::SystemClock::Instance();
  std::vector<std::string> sims = flags_.sims;
  if (sims.empty() && flags_.upstreams.empty()) {
    sims = {"ok={}", R"(flaky={"error_rate":0.3})",
            R"(slow={"latency":{"kind":"lognormal","median_ms":5,"p99_ms":200}})"};
  }
  for (const std::string& text : sims) {
    auto named = SplitNamed(text, "sim");
    if (!named) return named.error();
    auto behavior = lab::ParseBehavior(named->second, clock.Now());
    if (!behavior) return Invalid("--sim " + named->first + ": " + behavior.error().detail);
    if (auto ok = lab_->AddSimulated(named->first, *behavior); !ok) {
      return Invalid("--sim: " + ok.error().detail);
    }
  }
  for (const std::string& text : flags_.upstreams) {
    auto named = SplitNamed(text, "upstream");
    if (!named) return named.error();
    if (auto ok = lab_->AddExternal(named->first, named->second); !ok) {
      return Invalid("--upstream " + named->first + ": " + ok.error().detail);
    }
  }
  lab_->Install(app.router());
  RegisterLabMetrics(registry_, *lab_);
  return {};
}

core::Result<void> ReliabilityModule::Start(core::Server& server) {
  // Simulated upstreams are this process: reach it on loopback when it listens on every address.
  std::string host = host_;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  lab_->SetSelf({host, server.port()});
  return {};
}

}  // namespace reliability
