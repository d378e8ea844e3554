// Memory per cached link: fills the link cache with N links (7-character codes, targets of a
// realistic length) and reports how much the process's resident set grew per link, next to what
// the cache charges per link against its budget (--cache-bytes).
//
//   shortener_link_memory [--links 1000000] [--url-bytes 77]
//
// 77 bytes is the mean target length we assume for links people shorten (long query strings are
// why they shorten them); the README states the assumption and the per-byte slope.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

#include "02_url_shortener_service_mini/domain/codes.hpp"
#include "02_url_shortener_service_mini/service/link_cache.hpp"
#include "core/base/clock.hpp"
#include "core/base/resident_memory.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Reports resident memory growth per cached link."};
  std::size_t links = 1'000'000;
  std::size_t url_bytes = 77;
  app.add_option("--links", links);
  app.add_option("--url-bytes", url_bytes)->check(CLI::Range(16, 4096));
  CLI11_PARSE(app, argc, argv);

  core::FakeClock clock;
  shortener::LinkCacheOptions options;
  options.max_bytes = std::size_t{64} << 30;  // never full: every link stays
  auto cache = shortener::LinkCache::Create(options, clock);
  if (!cache) {
    std::fprintf(stderr, "%s\n", cache.error().detail.c_str());
    return 2;
  }
  const std::size_t before = core::ResidentBytes();
  shortener::Link link;
  link.created_at = 1'700'000'000;
  const std::string prefix = "https://www.example.com/articles/";
  for (std::size_t i = 0; i < links; ++i) {
    link.code = shortener::Base62(i * 7919 + 3'521'614'606'208ULL, 7);  // 7 chars, spread out
    link.url = prefix + std::to_string(i);
    if (link.url.size() < url_bytes) link.url.append(url_bytes - link.url.size(), 'q');
    (*cache)->Put(link, link.created_at);
  }
  const std::size_t after = core::ResidentBytes();
  const auto stats = (*cache)->links().Stats();
  std::printf(
      "links %zu (url %zu bytes, code 7): rss grew %.1f MiB = %.1f bytes/link; "
      "charged %.1f bytes/link; items %llu\n",
      links, url_bytes, double(after - before) / (1 << 20), double(after - before) / double(links),
      double(stats.bytes) / double(links), static_cast<unsigned long long>(stats.curr_items));
  return 0;
}
