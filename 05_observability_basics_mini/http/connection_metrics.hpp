// What a TcpServer did with its connections, as Prometheus families read at scrape time from the
// server's own counters — so a flood that hits the connection cap or runs the process out of
// descriptors shows on a dashboard, not only in a (throttled) log line:
//   sd_<server>_connections_accepted_total, sd_<server>_connections_refused_total,
//   sd_<server>_connections_reclaimed_total, sd_<server>_accept_no_descriptor_total,
//   sd_<server>_connections_active
#pragma once

#include <functional>
#include <string_view>

#include "05_observability_basics_mini/metrics/registry.hpp"
#include "core/base/byte_budget.hpp"
#include "core/net/tcp_server.hpp"

namespace obs {

// `server` names the families ("http", "memcached"); `stats` must stay callable while the registry
// is scraped.
void RegisterConnectionMetrics(Registry& registry, std::string_view server,
                               std::function<core::TcpServerStats()> stats);

// sd_http_request_body_bytes_in_flight and sd_http_request_body_refused_total from the server's
// body budget, which must outlive the registry's scrapes.
void RegisterBodyBudgetMetrics(Registry& registry, const core::ByteBudget& budget);

}  // namespace obs
