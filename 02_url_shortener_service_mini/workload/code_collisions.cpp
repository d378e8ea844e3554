// Collisions of random codes against the birthday estimate: codes of length 5, 6 and 7 drawn with
// the service's generator (getrandom, base62) into a set of all codes so far — what the store's
// UNIQUE constraint does — filled to 10 M links. A draw that hits an existing code is a retry.
//
// The estimate: with n codes taken out of S = 62^L, a new draw collides with probability n/S, so
// the expected retries per insert at fill n are (n/S)/(1 - n/S) ≈ n/S, and over a fill to N they
// add up to ≈ N²/(2S). Written as CSV (length, links, measured retries per insert over the last
// window, estimate at that fill, cumulative measured, cumulative estimate) for the plot.
//
//   shortener_code_collisions [--links 10000000] [--csv out.csv]
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <vector>

#include "02_url_shortener_service_mini/domain/codes.hpp"

namespace {

// Open-addressing set of nonzero 64-bit values (the codes as base62 numbers + 1).
class CodeSet {
 public:
  explicit CodeSet(std::size_t capacity) {
    std::size_t n = 1;
    while (n < capacity * 2) n <<= 1;
    slots_.assign(n, 0);
    mask_ = n - 1;
  }
  // False when `v` was already present.
  bool Insert(std::uint64_t v) {
    std::size_t i = (v * 0x9E3779B97F4A7C15ULL >> 17) & mask_;
    while (slots_[i] != 0) {
      if (slots_[i] == v) return false;
      i = (i + 1) & mask_;
    }
    slots_[i] = v;
    return true;
  }

 private:
  std::vector<std::uint64_t> slots_;
  std::size_t mask_ = 0;
};

std::uint64_t Value(const std::string& code) {
  std::uint64_t v = 0;
  for (char c : code) v = v * 62 + shortener::kBase62Alphabet.find(c);
  return v + 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Random-code collisions vs the birthday estimate."};
  std::size_t links = 10'000'000;
  std::string csv_path;
  app.add_option("--links", links);
  app.add_option("--csv", csv_path);
  CLI11_PARSE(app, argc, argv);

  std::ofstream csv;
  if (!csv_path.empty()) {
    csv.open(csv_path);
    csv << "length,links,retries_per_insert,estimate_per_insert,total_retries,total_estimate\n";
  }
  for (std::size_t length : {5, 6, 7}) {
    const double space = std::pow(62.0, double(length));
    CodeSet set(links);
    std::uint64_t retries = 0;
    std::uint64_t window_retries = 0;
    std::size_t window_start = 0;
    // Report points 1k, 2k, 5k, 10k, ... (1-2-5 steps), and the end.
    std::vector<std::size_t> points;
    for (std::size_t decade = 1000; decade < links; decade *= 10) {
      for (std::size_t step : {1, 2, 5}) {
        if (decade * step < links) points.push_back(decade * step);
      }
    }
    points.push_back(links);
    std::size_t next_point = 0;
    for (std::size_t n = 0; n < links;) {
      if (set.Insert(Value(shortener::RandomBase62(length)))) {
        ++n;
      } else {
        ++retries;
        ++window_retries;
        continue;
      }
      if (n == points[next_point]) {
        const double per_insert = double(window_retries) / double(n - window_start);
        const double mid = (double(window_start) + double(n)) / 2;
        const double estimate = (mid / space) / (1 - mid / space);
        const double total_estimate = double(n) * double(n) / (2 * space);
        if (csv.is_open()) {
          csv << length << ',' << n << ',' << per_insert << ',' << estimate << ',' << retries << ','
              << total_estimate << '\n';
        }
        if (n == 1'000'000 || n == links) {
          std::printf(
              "length %zu, %9zu links: %10llu retries (%.6f per insert); birthday "
              "estimate %.0f (%.6f per insert)\n",
              length, n, static_cast<unsigned long long>(retries), double(retries) / double(n),
              total_estimate, total_estimate / double(n));
        }
        window_start = n;
        window_retries = 0;
        ++next_point;
      }
    }
  }
  return 0;
}
