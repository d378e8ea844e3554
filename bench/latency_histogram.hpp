// The load generators' latency histogram: log-bucketed, 1 µs .. ~17 s in 4 % steps, so p50/p99
// cost a few KiB per client whatever the run length. Shared by memcache_load and beanstalk_load.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace bench {

struct LatencyHistogram {
  static constexpr int kBuckets = 420;
  std::array<std::uint64_t, kBuckets> counts{};
  std::uint64_t total = 0;

  static int Bucket(double us) {
    if (us < 1) return 0;
    return std::min(static_cast<int>(std::log(us) / std::log(1.04)), kBuckets - 1);
  }
  void Add(double us) {
    ++counts[Bucket(us)];
    ++total;
  }
  void Merge(const LatencyHistogram& o) {
    for (int i = 0; i < kBuckets; ++i) counts[i] += o.counts[i];
    total += o.total;
  }
  // The upper edge of the bucket holding quantile `q` (0..1), in µs.
  double Quantile(double q) const {
    std::uint64_t seen = 0;
    const auto want = static_cast<std::uint64_t>(q * static_cast<double>(total));
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts[i];
      if (seen > want) return std::pow(1.04, i + 1);
    }
    return 0;
  }
};

}  // namespace bench
