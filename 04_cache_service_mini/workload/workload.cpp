#include "04_cache_service_mini/workload/workload.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cache {

namespace {

// 53 random bits -> [0, 1), identical on every standard library (unlike uniform_real_distribution).
double Uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
}  // namespace

ZipfGenerator::ZipfGenerator(std::uint64_t n, double alpha, std::uint64_t seed)
    : cdf_(n), rng_(seed) {
  double sum = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    sum += 1.0 / std::pow(static_cast<double>(i + 1), alpha);
    cdf_[i] = sum;
  }
  for (double& c : cdf_) c /= sum;
}

std::uint64_t ZipfGenerator::Next() {
  const double u = Uniform(rng_);
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  return std::min<std::uint64_t>(static_cast<std::uint64_t>(it - cdf_.begin()), cdf_.size() - 1);
}

std::vector<std::uint64_t> GenerateTrace(const WorkloadSpec& spec) {
  std::vector<std::uint64_t> trace;
  trace.reserve(spec.requests);
  ZipfGenerator zipf(spec.keys, spec.alpha, spec.seed);
  std::uint64_t next_scan_key = kScanKeyBase;
  std::uint64_t churn_offset = 0;
  while (trace.size() < spec.requests) {
    const std::uint64_t i = trace.size();
    if (spec.scan_every > 0 && i > 0 && i % spec.scan_every == 0) {
      for (std::uint64_t s = 0; s < spec.scan_length && trace.size() < spec.requests; ++s) {
        trace.push_back(next_scan_key++);
      }
      if (spec.scan_length > 0) continue;
    }
    if (spec.churn_every > 0 && i > 0 && i % spec.churn_every == 0)
      churn_offset += spec.churn_shift;
    const std::uint64_t rank = zipf.Next();
    // With churn, rank 0 is the newest key: a shift brings churn_shift unseen keys to the top.
    trace.push_back(spec.churn_every > 0 ? churn_offset + (spec.keys - 1 - rank) : rank);
  }
  return trace;
}

std::vector<WorkloadSpec> StandardWorkloads(std::uint64_t keys, std::uint64_t requests) {
  std::vector<WorkloadSpec> specs;
  WorkloadSpec zipf08{.name = "zipf0.8", .keys = keys, .alpha = 0.8, .requests = requests};
  WorkloadSpec zipf10{.name = "zipf1.0", .keys = keys, .alpha = 1.0, .requests = requests};
  // Scans: at every multiple of `keys` requests, keys/5 one-time keys (~19% of all requests).
  WorkloadSpec scan10 = zipf10;
  scan10.name = "zipf1.0+scan";
  scan10.scan_every = keys;
  scan10.scan_length = keys / 5;
  WorkloadSpec scan08 = zipf08;
  scan08.name = "zipf0.8+scan";
  scan08.scan_every = keys;
  scan08.scan_length = keys / 5;
  // Churn: every 2*keys requests, keys/10 new keys become the most popular.
  WorkloadSpec churn = zipf10;
  churn.name = "zipf1.0+churn";
  churn.churn_every = keys * 2;
  churn.churn_shift = keys / 10;
  for (WorkloadSpec* spec : {&zipf08, &zipf10, &scan10, &scan08, &churn}) {
    spec->seed = 42;
    specs.push_back(*spec);
  }
  return specs;
}

std::string KeyText(std::uint64_t id) {
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(id));
  return std::string(text, 16);
}

}  // namespace cache
