#include "05_observability_basics_mini/metrics/request_metrics.hpp"

#include <array>

#include "core/base/decimal.hpp"

namespace obs {

std::string_view NormalizeMethod(std::string_view method) noexcept {
  static constexpr std::array<std::string_view, 9> kMethods = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  for (const std::string_view m : kMethods) {
    if (m == method) return m;
  }
  return "OTHER";
}

RequestMetrics::RequestMetrics(Registry& registry, const RequestMetricsOptions& options)
    : requests_(registry.AddCounter(
          {.name = "http_requests_total",
           .help = "HTTP requests handled, by method, route template and status code.",
           .label_names = {"method", "route", "code"}})),
      duration_(
          registry.AddHistogram({.name = "http_request_duration_seconds",
                                 .help = "Time from request parsed to response ready, in seconds.",
                                 .label_names = {"method", "route"}},
                                options.duration_buckets)),
      in_flight_(registry
                     .AddGauge({.name = "http_requests_in_flight",
                                .help = "HTTP requests being handled right now."})
                     .WithLabelValues({})) {}

void RequestMetrics::Record(std::string_view method, std::string_view route, int status,
                            double seconds) {
  method = NormalizeMethod(method);
  if (route.empty()) route = "unmatched";
  const core::DecimalText status_text(status);
  const bool known = status >= 100 && status <= 599;
  requests_.WithLabelValues({method, route, known ? status_text.view() : "other"}).Inc();
  duration_.WithLabelValues({method, route}).Observe(seconds);
}

}  // namespace obs
