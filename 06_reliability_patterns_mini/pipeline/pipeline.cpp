#include "06_reliability_patterns_mini/pipeline/pipeline.hpp"

namespace reliability {

core::Result<std::unique_ptr<Pipeline>> Pipeline::Create(std::string name,
                                                         const PipelineOptions& options,
                                                         PipelineDeps deps) {
  if (auto ok = ValidatePipelineOptions(options); !ok) return ok.error();
  if (!deps.clock || !deps.random || !deps.timers) {
    return core::Error(core::Code::kInvalidArgument, "pipeline: clock, random and timers needed");
  }
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(name), options, deps));
}

Pipeline::Pipeline(std::string name, const PipelineOptions& options, PipelineDeps deps)
    : name_(std::move(name)), options_(options), deps_(deps) {
  if (options_.budget) budget_ = std::make_unique<RetryBudget>(*options_.budget, *deps_.clock);
  if (options_.breaker) {
    breaker_ = std::make_unique<CircuitBreaker>(*options_.breaker, *deps_.clock,
                                                deps_.on_breaker_transition);
  }
  if (options_.bulkhead) bulkhead_ = std::make_unique<Bulkhead>(*options_.bulkhead);
  if (options_.hedge) latency_ = std::make_unique<LatencyTracker>(*options_.hedge);
  if (options_.throttle) {
    throttle_ = std::make_unique<AdaptiveThrottle>(*options_.throttle, *deps_.clock);
  }
}

Pipeline::~Pipeline() = default;

int Pipeline::max_attempts_per_call() const noexcept {
  return options_.retry.max_attempts + (options_.hedge ? options_.hedge->max_hedges : 0);
}

PipelineStats Pipeline::Stats() const noexcept {
  PipelineStats s;
#define SD_PIPELINE_COPY(name, meaning) s.name = counters_.name.load(std::memory_order_relaxed);
  SD_PIPELINE_COUNTERS(SD_PIPELINE_COPY)
#undef SD_PIPELINE_COPY
  return s;
}

}  // namespace reliability
