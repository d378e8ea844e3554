// Synthetic request traces for the hit-ratio simulator and the benchmarks: Zipf popularity,
// Zipf plus periodic scans, and a churning hot set. Deterministic for a given seed (mt19937_64 is
// specified bit for bit by the standard, and the uniform conversion is done by hand), so every
// number in the README can be reproduced exactly.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace cache {

// Ranks 0..n-1 with P(rank i) proportional to 1 / (i + 1)^alpha. Inverse-CDF sampling over a
// precomputed table (8 bytes per key): O(log n) per sample, exact for any alpha >= 0.
class ZipfGenerator {
 public:
  ZipfGenerator(std::uint64_t n, double alpha, std::uint64_t seed);
  std::uint64_t Next();

 private:
  std::vector<double> cdf_;
  std::mt19937_64 rng_;
};

struct WorkloadSpec {
  std::string name;
  std::uint64_t keys = 100'000;  // the Zipf universe: "the working set" the cache sizes refer to
  double alpha = 1.0;
  std::uint64_t requests = 2'000'000;
  // Every scan_every requests, scan_length keys never seen before, read once each, in a row
  // (a batch job or crawler walking the key space). 0 = no scans.
  std::uint64_t scan_every = 0;
  std::uint64_t scan_length = 0;
  // Every churn_every requests the popularity ranking shifts by churn_shift keys: that many
  // brand-new keys take the top ranks and every old key moves down (new content becoming
  // popular). 0 = a fixed ranking.
  std::uint64_t churn_every = 0;
  std::uint64_t churn_shift = 0;
  std::uint64_t seed = 1;
};

// Scan keys are ids from here up; they never repeat.
inline constexpr std::uint64_t kScanKeyBase = std::uint64_t{1} << 40;

// The key ids of every request, in order.
std::vector<std::uint64_t> GenerateTrace(const WorkloadSpec& spec);

// The simulator's standard set: Zipf 0.8, Zipf 1.0, Zipf 1.0 + scans, Zipf 0.8 + scans, churn.
std::vector<WorkloadSpec> StandardWorkloads(std::uint64_t keys, std::uint64_t requests);

// Fixed-width (16 bytes) key text for an id, so every item costs the same number of bytes.
std::string KeyText(std::uint64_t id);

}  // namespace cache
