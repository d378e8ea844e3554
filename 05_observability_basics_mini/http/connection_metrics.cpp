#include "05_observability_basics_mini/http/connection_metrics.hpp"

#include <string>

namespace obs {

void RegisterConnectionMetrics(Registry& registry, std::string_view server,
                               std::function<core::TcpServerStats()> stats) {
  const std::string prefix = "sd_" + std::string(server) + "_";
  struct CounterField {
    const char* name;
    const char* help;
    std::uint64_t core::TcpServerStats::*field;
  };
  const CounterField counters[] = {
      {"connections_accepted_total", "Connections accepted and served",
       &core::TcpServerStats::accepted},
      {"connections_refused_total", "Connections refused: every slot busy, or draining",
       &core::TcpServerStats::refused},
      {"connections_reclaimed_total", "Idle connections closed to make room at the cap",
       &core::TcpServerStats::reclaimed},
      {"accept_no_descriptor_total", "Accepts that failed for want of a file descriptor",
       &core::TcpServerStats::fd_exhausted},
  };
  for (const auto& c : counters) {
    registry.AddCallbackCounter(prefix + c.name, c.help, [stats, field = c.field] {
      return static_cast<double>(stats().*field);
    });
  }
  registry.AddCallbackGauge(prefix + "connections_active", "Open connections",
                            [stats] { return static_cast<double>(stats().active); });
}

void RegisterBodyBudgetMetrics(Registry& registry, const core::ByteBudget& budget) {
  registry.AddCallbackGauge(
      "sd_http_request_body_bytes_in_flight",
      "Request body bytes held by all connections (--max-body-bytes-in-flight)",
      [&budget] { return static_cast<double>(budget.used()); });
  registry.AddCallbackCounter("sd_http_request_body_refused_total",
                              "Request bodies refused (503) because the in-flight budget was spent",
                              [&budget] { return static_cast<double>(budget.refusals()); });
}

}  // namespace obs
