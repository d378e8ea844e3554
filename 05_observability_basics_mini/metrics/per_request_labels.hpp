// Label values the benchmarks cycle through: 2 methods x 4 routes x 3 codes = 24 series, what a
// small service sees. Shared by our benchmarks and the prometheus-cpp comparison so both do the
// same work.
#pragma once

#include <array>
#include <string_view>

namespace obs::bench {

struct RequestLabels {
  std::string_view method, route, code;
};

inline constexpr std::array<std::string_view, 2> kMethods = {"GET", "POST"};
inline constexpr std::array<std::string_view, 4> kRoutes = {"/hello", "/r/{code}", "/shorten",
                                                            "/metrics"};
inline constexpr std::array<std::string_view, 3> kCodes = {"200", "404", "500"};

inline constexpr std::array<RequestLabels, 24> MakeLabels() {
  std::array<RequestLabels, 24> all{};
  std::size_t i = 0;
  for (auto m : kMethods)
    for (auto r : kRoutes)
      for (auto c : kCodes) all[i++] = {m, r, c};
  return all;
}
inline constexpr std::array<RequestLabels, 24> kLabels = MakeLabels();

// A latency in seconds spread over the default buckets.
inline double Latency(std::size_t i) { return 0.0007 * static_cast<double>(i % 64); }

}  // namespace obs::bench
