// Prints a realistic registry's exposition to stdout and checks it with LintExposition.
//
// The registry holds what a service built on this folder exports: the RED metrics after traffic
// from two threads, process metrics, build info, a callback gauge, and label values that need
// escaping. CTest pipes the output into `promtool check metrics` (promtool_check.py); this program
// itself exits 1 if our own invariant checks (exposition_lint.hpp) find anything.
#include <iostream>
#include <thread>
#include <vector>

#include "05_observability_basics_mini/metrics/exposition_lint.hpp"
#include "05_observability_basics_mini/metrics/process_metrics.hpp"
#include "05_observability_basics_mini/metrics/registry.hpp"
#include "05_observability_basics_mini/metrics/request_metrics.hpp"

int main() {
  obs::Registry registry;
  obs::RequestMetrics http(registry);
  obs::RegisterProcessMetrics(registry);
  obs::RegisterBuildInfo(registry);
  registry.AddCallbackGauge("sd_queue_depth", "Jobs waiting in the queue.", [] { return 3.0; });
  auto& odd = registry.AddGauge({.name = "sd_label_escaping_demo",
                                 .help = "Label values that need escaping: \\ \" and a\nnewline.",
                                 .label_names = {"value"}});
  odd.WithLabelValues({"back\\slash \"quoted\"\nnew line"}).Set(1);
  odd.WithLabelValues({"utf-8 \xc3\xa9t\xc3\xa9"}).Set(2);
  odd.WithLabelValues({"bad utf-8 \xff"}).Set(3);

  std::vector<std::thread> threads;
  threads.reserve(2);
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&http, t] {
      for (int i = 0; i < 5000; ++i) {
        const int status = i % 10 == 0 ? 500 : (i % 7 == 0 ? 404 : 200);
        const char* route = i % 7 == 0 ? "" : (i % 2 == 0 ? "/hello" : "/r/{code}");
        http.Record(i % 3 == 0 ? "POST" : "GET", route, status, 0.0001 * (i % 200) * (t + 1));
      }
    });
  }
  for (auto& thread : threads) thread.join();

  const std::string text = registry.ExposeText();
  std::cout << text;
  const auto problems = obs::LintExposition(text);
  for (const auto& problem : problems) std::cerr << "lint: " << problem << "\n";
  return problems.empty() ? 0 : 1;
}
