// Visits: what one click records (day, referring host, bot or not), how a batch of them collapses
// into counter rows before it is written, and what the stats endpoint reports.
//
// Raw click rows would grow without bound (Bitly's scale: 6 billion a month); counters keyed by
// (code, day, referrer host, bot) grow with distinct referrers instead, and a batch of a thousand
// clicks on one hot link becomes one row update.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shortener {

struct Visit {
  std::string code;
  std::int64_t at = 0;        // Unix seconds
  std::string referrer_host;  // "" = direct (no Referer, or not a URL)
  bool bot = false;
};

struct VisitCount {
  std::string code;
  std::int64_t day = 0;  // days since the Unix epoch (UTC)
  std::string referrer_host;
  bool bot = false;
  std::int64_t count = 0;

  friend bool operator==(const VisitCount&, const VisitCount&) = default;
};

// Sums `visits` by (code, day, referrer host, bot); output sorted by those keys.
std::vector<VisitCount> Aggregate(std::span<const Visit> visits);

// The lowercase host of a Referer header value, or "" (absent, not a URL, or too long to be one).
std::string ReferrerHost(std::string_view referer);

// A User-Agent that announces a crawler, a link-preview fetcher or a command-line client. Crude by
// design (the README says how crude): it separates previews and crawlers from people.
bool IsBot(std::string_view user_agent) noexcept;

// "2024-05-17" for a day number (proleptic Gregorian, UTC).
std::string DayText(std::int64_t day);

struct DayCount {
  std::int64_t day = 0;
  std::int64_t visits = 0;
  friend bool operator==(const DayCount&, const DayCount&) = default;
};
struct HostCount {
  std::string host;  // "" = direct
  std::int64_t visits = 0;
  friend bool operator==(const HostCount&, const HostCount&) = default;
};
struct LinkStats {
  std::int64_t visits = 0;               // all recorded visits
  std::int64_t bot_visits = 0;           // of which from bots
  std::vector<DayCount> per_day;         // oldest first, days with visits only
  std::vector<HostCount> top_referrers;  // most visits first, then by host
};

}  // namespace shortener
