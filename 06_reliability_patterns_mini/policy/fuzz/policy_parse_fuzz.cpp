// libFuzzer target for what this library parses from outside: the Retry-After header an upstream
// sends, and the policy JSON an operator (or the gateway's config) supplies. The first byte picks
// the parser. Oracles beyond "no crash, no UB": a parsed wait is within [0, kMaxRetryAfter]; a
// parsed policy passes validation and survives a round trip through its canonical JSON unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "06_reliability_patterns_mini/policy/pipeline_options.hpp"
#include "06_reliability_patterns_mini/policy/retry_after.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 0) {
    const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    if (auto wait = reliability::ParseRetryAfter(text, now)) {
      if (wait->count() < 0 || *wait > reliability::kMaxRetryAfter) std::abort();
    }
    return 0;
  }
  auto options = reliability::ParsePipelineOptions(text);
  if (!options) return 0;
  if (!reliability::ValidatePipelineOptions(*options)) std::abort();
  const std::string canonical = reliability::PipelineOptionsToJson(*options);
  auto again = reliability::ParsePipelineOptions(canonical);
  if (!again || reliability::PipelineOptionsToJson(*again) != canonical) std::abort();
  return 0;
}
