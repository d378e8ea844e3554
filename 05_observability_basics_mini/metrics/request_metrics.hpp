// The RED metrics (rate, errors, duration) of an HTTP service, as one object its middleware calls
// once per request:
//   http_requests_total{method,route,code}            counter
//   http_request_duration_seconds{method,route}       histogram (default latency buckets)
//   http_requests_in_flight                            gauge
// Labels are bounded by construction: `route` is the matched route *template* ("/r/{code}"),
// never the raw path; methods outside the standard nine become "OTHER"; codes are "100".."599".
// Record() costs two thread-local cache lookups plus lock-free updates (see family.hpp).
#pragma once

#include <string_view>
#include <vector>

#include "05_observability_basics_mini/metrics/registry.hpp"

namespace obs {

struct RequestMetricsOptions {
  std::vector<double> duration_buckets = DefaultLatencyBuckets();  // seconds
};

class RequestMetrics {
 public:
  // Registers the three families in `registry` (which must outlive this object). Throws
  // std::invalid_argument if they clash with different families already there.
  explicit RequestMetrics(Registry& registry, const RequestMetricsOptions& options = {});

  // One finished request. `route` empty (no route matched) is recorded as "unmatched"; a status
  // outside 100..599 as "other". Thread-safe; no lock after this thread's first call per label set.
  void Record(std::string_view method, std::string_view route, int status, double seconds);

  // The in-flight gauge; pair every Started() with one Finished(). Thread-safe.
  void Started() noexcept { in_flight_.Inc(); }
  void Finished() noexcept { in_flight_.Dec(); }

 private:
  CounterFamily& requests_;
  HistogramFamily& duration_;
  Gauge& in_flight_;
};

// "GET" etc. for the nine RFC 9110 methods (case-sensitive, as HTTP methods are), else "OTHER".
std::string_view NormalizeMethod(std::string_view method) noexcept;

}  // namespace obs
