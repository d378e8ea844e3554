// Hit-ratio simulator: replays generated traces through the real Cache (one shard, byte budget
// sized to N items) for each policy and cache size, and prints miss ratios as a table, plus CSV
// for plotting. Look-aside use: get, and on a miss set.
//
//   hit_ratio_sim [--keys 100000] [--requests 2000000] [--sizes 1,2,5,10,20,50]
//                 [--policies lru,s3fifo,sieve,wtinylfu] [--csv out.csv]
// A policy may be written s3fifo:2 to set S3-FIFO's promotion threshold (s3fifo:1:0.2 also sets
// the small queue's share of the bytes), and wtinylfu:doorkeeper to add the TinyLFU paper's
// doorkeeper.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "04_cache_service_mini/cache/cache.hpp"
#include "04_cache_service_mini/workload/workload.hpp"
#include "core/base/clock.hpp"

namespace {

using cache::Cache;
using cache::CacheOptions;
using cache::Expiry;
using cache::PolicyOptions;

struct PolicyChoice {
  std::string label;
  PolicyOptions options;
};

PolicyChoice ParseChoice(const std::string& text) {
  const std::size_t colon = text.find(':');
  const auto kind = cache::ParsePolicy(text.substr(0, colon));
  if (!kind) throw CLI::ValidationError("--policies", "unknown policy " + text);
  PolicyChoice choice{text, {}};
  choice.options.kind = *kind;
  if (colon == std::string::npos) return choice;
  const std::string suffix = text.substr(colon + 1);
  if (*kind == cache::PolicyKind::kWTinyLfu) {
    if (suffix != "doorkeeper") throw CLI::ValidationError("--policies", "unknown option " + text);
    choice.options.wtinylfu_doorkeeper = true;
  } else {
    const std::size_t second = suffix.find(':');
    choice.options.s3fifo_promote_threshold = std::stoi(suffix.substr(0, second));
    if (second != std::string::npos) {
      choice.options.s3fifo_small_ratio = std::stod(suffix.substr(second + 1));
    }
  }
  return choice;
}

struct Outcome {
  std::uint64_t misses = 0;
  std::uint64_t reuse_requests = 0;  // requests for non-scan keys (ones that can ever hit)
  std::uint64_t reuse_misses = 0;
};

Outcome Replay(const std::vector<std::uint64_t>& trace, const PolicyOptions& policy,
               std::uint64_t capacity_items) {
  static const std::string kValue(32, 'v');
  core::FakeClock clock;
  CacheOptions options;
  options.shards = 1;
  options.policy = policy;
  options.max_bytes = capacity_items * cache::ItemCharge(16, kValue.size());
  Cache cache(options, clock);
  Outcome outcome;
  for (std::uint64_t id : trace) {
    const std::string key = cache::KeyText(id);
    const bool scan_key = id >= cache::kScanKeyBase;
    outcome.reuse_requests += scan_key ? 0 : 1;
    if (!cache.Get(key)) {
      ++outcome.misses;
      outcome.reuse_misses += scan_key ? 0 : 1;
      cache.Store(cache::StoreMode::kSet, key, kValue, 0, Expiry::Never());
    }
  }
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Replays synthetic traces through each eviction policy and prints miss ratios."};
  std::uint64_t keys = 100'000;
  std::uint64_t requests = 2'000'000;
  std::vector<double> sizes = {1, 2, 5, 10, 20, 50};
  std::vector<std::string> policy_names = {"lru", "s3fifo", "sieve", "wtinylfu"};
  std::string csv_path;
  std::vector<std::string> only;
  app.add_option("--keys", keys, "Zipf universe (the working set)");
  app.add_option("--requests", requests, "requests per trace");
  app.add_option("--sizes", sizes, "cache sizes, % of the working set")->delimiter(',');
  app.add_option("--policies", policy_names,
                 "lru, s3fifo[:threshold], sieve, wtinylfu[:doorkeeper]")
      ->delimiter(',');
  app.add_option("--workloads", only, "subset of workload names")->delimiter(',');
  app.add_option("--csv", csv_path, "also write CSV here");
  CLI11_PARSE(app, argc, argv);

  std::vector<PolicyChoice> policies;
  try {
    for (const std::string& name : policy_names) policies.push_back(ParseChoice(name));
  } catch (const CLI::Error& e) {
    return app.exit(e);
  }

  std::ofstream csv;
  if (!csv_path.empty()) {
    csv.open(csv_path);
    csv << "workload,alpha,keys,requests,size_pct,capacity_items,policy,misses,miss_ratio,"
           "nonscan_miss_ratio\n";
  }
  const auto started = std::chrono::steady_clock::now();
  for (const cache::WorkloadSpec& spec : cache::StandardWorkloads(keys, requests)) {
    if (!only.empty() && std::find(only.begin(), only.end(), spec.name) == only.end()) continue;
    const std::vector<std::uint64_t> trace = cache::GenerateTrace(spec);
    std::printf("\n%s (alpha %.1f, %llu keys, %llu requests): miss ratio\n", spec.name.c_str(),
                spec.alpha, static_cast<unsigned long long>(spec.keys),
                static_cast<unsigned long long>(trace.size()));
    std::printf("%8s", "size");
    for (const PolicyChoice& p : policies) std::printf(" %10s", p.label.c_str());
    for (std::size_t i = 1; i < policies.size(); ++i) {
      std::printf(" %12s", (policies[i].label + "/" + policies[0].label).c_str());
    }
    std::printf("\n");
    for (double pct : sizes) {
      const auto capacity = static_cast<std::uint64_t>(static_cast<double>(spec.keys) * pct / 100);
      std::vector<double> ratios;
      for (const PolicyChoice& p : policies) {
        const Outcome outcome = Replay(trace, p.options, capacity);
        ratios.push_back(static_cast<double>(outcome.misses) / static_cast<double>(trace.size()));
        if (csv.is_open()) {
          // Scan keys miss under every policy; the second ratio leaves them out.
          csv << spec.name << ',' << spec.alpha << ',' << spec.keys << ',' << trace.size() << ','
              << pct << ',' << capacity << ',' << p.label << ',' << outcome.misses << ','
              << ratios.back() << ','
              << static_cast<double>(outcome.reuse_misses) /
                     static_cast<double>(outcome.reuse_requests)
              << '\n';
        }
      }
      std::printf("%7.0f%%", pct);
      for (double r : ratios) std::printf(" %10.4f", r);
      for (std::size_t i = 1; i < ratios.size(); ++i) std::printf(" %12.3f", ratios[i] / ratios[0]);
      std::printf("\n");
      std::fflush(stdout);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("\n(%.1f s)\n", seconds);
  return 0;
}
