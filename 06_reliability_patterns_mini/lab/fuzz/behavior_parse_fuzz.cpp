// libFuzzer target for the lab's behaviour JSON (PUT /v1/upstreams/{name} bodies come from the
// network). Oracles beyond "no crash, no UB": a parsed behaviour draws latencies within the 60 s
// cap, and survives a round trip through its JSON unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "06_reliability_patterns_mini/lab/upstream_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace reliability;  // NOLINT: a fuzz harness
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const core::Clock::time_point now{std::chrono::hours(1000)};
  auto behavior = lab::ParseBehavior(text, now);
  if (!behavior) return 0;
  SeededRandom random(size);
  for (int i = 0; i < 4; ++i) {
    const auto d = lab::UpstreamModel::DrawLatency(behavior->latency, random);
    if (d.count() < 0 || d > lab::kMaxLatency) std::abort();
  }
  const std::string json = lab::BehaviorToJson(*behavior, now);
  auto again = lab::ParseBehavior(json, now);
  if (!again || lab::BehaviorToJson(*again, now) != json) std::abort();
  return 0;
}
