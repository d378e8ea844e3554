#include "06_reliability_patterns_mini/pipeline/call_trace.hpp"

namespace reliability {

std::string_view NameOf(Refusal refusal) noexcept {
  switch (refusal) {
    case Refusal::kNone:
      return "none";
    case Refusal::kBulkheadFull:
      return "bulkhead_full";
    case Refusal::kBulkheadTimeout:
      return "bulkhead_timeout";
    case Refusal::kBreakerOpen:
      return "breaker_open";
    case Refusal::kThrottled:
      return "throttled";
    case Refusal::kDeadline:
      return "deadline";
    case Refusal::kCancelled:
      return "cancelled";
  }
  return "none";
}

}  // namespace reliability
