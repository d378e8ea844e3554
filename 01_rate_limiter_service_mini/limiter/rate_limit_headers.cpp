#include "01_rate_limiter_service_mini/limiter/rate_limit_headers.hpp"

#include <algorithm>

#include "core/base/decimal.hpp"

namespace ratelimit {
namespace {

// `out += prefix + std::to_string(n)` without the two temporaries: these headers are formatted on
// every allowed request.
void AppendParam(std::string& out, std::string_view prefix, std::int64_t n) {
  out.append(prefix);
  core::AppendDecimal(out, n);
}

std::string Base64(std::string_view in) {
  constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(in[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(in[i + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = in.size() - i;
  if (rest > 0) {
    std::uint32_t n = std::uint32_t{static_cast<unsigned char>(in[i])} << 16;
    if (rest == 2) n |= std::uint32_t{static_cast<unsigned char>(in[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace

std::int64_t CeilSeconds(std::chrono::nanoseconds d) noexcept {
  constexpr std::int64_t kNs = 1'000'000'000;
  if (d.count() <= 0) return 0;
  return d.count() / kNs + (d.count() % kNs != 0 ? 1 : 0);
}

std::string SfString(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 32);  // room for the parameters FormatRateLimit appends
  out += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c < 0x20 || c > 0x7e) {
      out += '?';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

QuotaPolicy PolicyOf(const Rule& rule) {
  return QuotaPolicy{rule.name, rule.quota.burst(),
                     std::max<std::int64_t>(1, CeilSeconds(rule.quota.fill_time()))};
}

std::string FormatRateLimitPolicy(std::span<const QuotaPolicy> policies) {
  std::string out;
  for (const QuotaPolicy& p : policies) {
    if (!out.empty()) out += ", ";
    out += SfString(p.name);
    AppendParam(out, ";q=", p.quota);
    AppendParam(out, ";w=", std::max<std::int64_t>(1, p.window_seconds));
  }
  return out;
}

std::string FormatRateLimit(std::string_view policy_name, const Decision& decision,
                            std::string_view partition_key) {
  const bool refused_retryable = !decision.allowed && !decision.RetryNever();
  const std::int64_t t =
      CeilSeconds(refused_retryable ? decision.retry_after : decision.reset_after);
  std::string out = SfString(policy_name);
  AppendParam(out, ";r=", std::max<std::int64_t>(0, decision.remaining));
  AppendParam(out, ";t=", t);
  if (!partition_key.empty()) out += ";pk=:" + Base64(partition_key) + ":";
  return out;
}

std::optional<std::string> RetryAfterValue(const Decision& decision) {
  if (decision.allowed || decision.RetryNever()) return std::nullopt;
  return std::to_string(std::max<std::int64_t>(1, CeilSeconds(decision.retry_after)));
}

}  // namespace ratelimit
