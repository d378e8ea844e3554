#include "02_url_shortener_service_mini/domain/visit.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <tuple>

#include "02_url_shortener_service_mini/domain/url_policy.hpp"

namespace shortener {

std::vector<VisitCount> Aggregate(std::span<const Visit> visits) {
  using Key = std::tuple<std::string_view, std::int64_t, std::string_view, bool>;
  std::map<Key, std::int64_t> sums;
  for (const Visit& v : visits) {
    const std::int64_t day = v.at >= 0 ? v.at / 86400 : (v.at - 86399) / 86400;
    ++sums[Key(v.code, day, v.referrer_host, v.bot)];
  }
  std::vector<VisitCount> out;
  out.reserve(sums.size());
  for (const auto& [key, count] : sums) {
    out.push_back({std::string(std::get<0>(key)), std::get<1>(key), std::string(std::get<2>(key)),
                   std::get<3>(key), count});
  }
  return out;
}

std::string ReferrerHost(std::string_view referer) {
  if (referer.empty() || referer.size() > 4096) return {};
  return HostOf(referer);
}

bool IsBot(std::string_view user_agent) noexcept {
  // Lowercase substrings; the common crawlers and unfurlers all carry one of them.
  static constexpr std::array<std::string_view, 12> kMarkers = {
      "bot",     "crawl", "spider", "slurp",           "facebookexternalhit", "embedly",
      "preview", "curl/", "wget/",  "python-requests", "go-http-client",      "headless"};
  if (user_agent.empty()) return true;  // browsers always send one
  std::string lower(user_agent.substr(0, 512));
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return std::any_of(kMarkers.begin(), kMarkers.end(),
                     [&lower](std::string_view m) { return lower.find(m) != std::string::npos; });
}

std::string DayText(std::int64_t day) {
  // Howard Hinnant's civil_from_days.
  const std::int64_t z = day + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];  // room for any 64-bit year: -Wformat-truncation cannot bound it
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

}  // namespace shortener
