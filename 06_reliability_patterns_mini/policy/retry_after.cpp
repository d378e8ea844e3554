#include "06_reliability_patterns_mini/policy/retry_after.hpp"

#include <algorithm>
#include <array>

namespace reliability {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> kLongDays = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A cursor over the value; every Take* either consumes exactly what it matched or fails.
struct Cursor {
  std::string_view s;

  bool Literal(std::string_view lit) {
    if (s.substr(0, lit.size()) != lit) return false;
    s.remove_prefix(lit.size());
    return true;
  }
  // Exactly `n` digits.
  bool Digits(int n, int& out) {
    if (s.size() < static_cast<std::size_t>(n)) return false;
    int v = 0;
    for (int i = 0; i < n; ++i) {
      const char c = s[static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    s.remove_prefix(static_cast<std::size_t>(n));
    out = v;
    return true;
  }
  template <std::size_t K>
  bool OneOf(const std::array<std::string_view, K>& names, int* index = nullptr) {
    for (std::size_t i = 0; i < K; ++i) {
      if (Literal(names[i])) {
        if (index) *index = static_cast<int>(i);
        return true;
      }
    }
    return false;
  }
  bool Time(int& h, int& m, int& sec) {
    return Digits(2, h) && Literal(":") && Digits(2, m) && Literal(":") && Digits(2, sec);
  }
};

bool LeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool ValidDate(int year, int month, int day, int hour, int minute, int second) {
  static constexpr int kDaysIn[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  const int days = kDaysIn[month - 1] + (month == 2 && LeapYear(year) ? 1 : 0);
  // second 60: RFC 9110 allows a leap second in the grammar.
  return day <= days && hour < 24 && minute < 60 && second <= 60;
}

std::optional<std::int64_t> ImfFixdate(Cursor c) {
  int day, month, year, h, m, s;
  if (!c.OneOf(kDays) || !c.Literal(", ") || !c.Digits(2, day) || !c.Literal(" ") ||
      !c.OneOf(kMonths, &month) || !c.Literal(" ") || !c.Digits(4, year) || !c.Literal(" ") ||
      !c.Time(h, m, s) || !c.Literal(" GMT") || !c.s.empty()) {
    return std::nullopt;
  }
  if (!ValidDate(year, month + 1, day, h, m, s)) return std::nullopt;
  return UnixSeconds(year, month + 1, day, h, m, s);
}

std::optional<std::int64_t> Rfc850(Cursor c, int now_year) {
  int day, month, yy, h, m, s;
  if (!c.OneOf(kLongDays) || !c.Literal(", ") || !c.Digits(2, day) || !c.Literal("-") ||
      !c.OneOf(kMonths, &month) || !c.Literal("-") || !c.Digits(2, yy) || !c.Literal(" ") ||
      !c.Time(h, m, s) || !c.Literal(" GMT") || !c.s.empty()) {
    return std::nullopt;
  }
  // §5.6.7: a two-digit year more than 50 years in the future means the most recent past year
  // with the same last two digits.
  int year = now_year - now_year % 100 + yy;
  if (year > now_year + 50) year -= 100;
  if (!ValidDate(year, month + 1, day, h, m, s)) return std::nullopt;
  return UnixSeconds(year, month + 1, day, h, m, s);
}

std::optional<std::int64_t> Asctime(Cursor c) {
  int day, month, year, h, m, s;
  if (!c.OneOf(kDays) || !c.Literal(" ") || !c.OneOf(kMonths, &month) || !c.Literal(" "))
    return std::nullopt;
  if (!c.Literal(" ")) {  // day is "SP 6" or "06"/"16"
    if (!c.Digits(2, day)) return std::nullopt;
  } else if (!c.Digits(1, day)) {
    return std::nullopt;
  }
  if (!c.Literal(" ") || !c.Time(h, m, s) || !c.Literal(" ") || !c.Digits(4, year) ||
      !c.s.empty()) {
    return std::nullopt;
  }
  if (!ValidDate(year, month + 1, day, h, m, s)) return std::nullopt;
  return UnixSeconds(year, month + 1, day, h, m, s);
}

int YearOf(std::int64_t unix_seconds) {
  // civil_from_days, year only.
  const std::int64_t z = (unix_seconds >= 0 ? unix_seconds : unix_seconds - 86399) / 86400 + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
}

std::string_view TrimOws(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

}  // namespace

std::int64_t UnixSeconds(int year, int month, int day, int hour, int minute, int second) noexcept {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = month > 2 ? month - 3 : month + 9;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  value = TrimOws(value);
  if (value.empty()) return std::nullopt;
  if (value.front() >= '0' && value.front() <= '9') {
    // delay-seconds = 1*DIGIT; saturate instead of overflowing on a long string of digits.
    std::int64_t seconds = 0;
    for (const char c : value) {
      if (c < '0' || c > '9') return std::nullopt;
      seconds = std::min<std::int64_t>(seconds * 10 + (c - '0'), kMaxRetryAfter.count());
    }
    return std::chrono::seconds(seconds);
  }
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::optional<std::int64_t> at = ImfFixdate(Cursor{value});
  if (!at) at = Rfc850(Cursor{value}, YearOf(now_s));
  if (!at) at = Asctime(Cursor{value});
  if (!at) return std::nullopt;
  const std::int64_t wait = std::clamp<std::int64_t>(*at - now_s, 0, kMaxRetryAfter.count());
  return std::chrono::seconds(wait);
}

}  // namespace reliability
