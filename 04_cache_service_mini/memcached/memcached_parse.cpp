#include "04_cache_service_mini/memcached/memcached_parse.hpp"

#include <charconv>

namespace cache::memcached {

Tokens Tokenize(std::string_view line) noexcept {
  Tokens tokens;
  ForEachToken(line, [&](std::string_view token) {
    if (tokens.count < kMaxTokens) tokens.token[tokens.count] = token;
    ++tokens.count;
  });
  return tokens;
}

bool ParseU64(std::string_view token, std::uint64_t* value) noexcept {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  if (token.empty() || token.front() < '0' || token.front() > '9') return false;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), *value);
  return ec == std::errc() && ptr == token.data() + token.size();
}

bool ParseI64(std::string_view token, std::int64_t* value) noexcept {
  if (!token.empty() && token.front() == '+') token.remove_prefix(1);
  if (token.empty()) return false;
  const std::size_t digits_at = token.front() == '-' ? 1 : 0;
  if (token.size() <= digits_at || token[digits_at] < '0' || token[digits_at] > '9') return false;
  const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), *value);
  return ec == std::errc() && ptr == token.data() + token.size();
}

}  // namespace cache::memcached
