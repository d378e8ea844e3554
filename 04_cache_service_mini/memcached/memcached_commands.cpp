// The memcached commands that need no data block: delete, incr/decr, touch, flush_all,
// verbosity (stats: memcached_stats.cpp). Token-count rules and error strings follow
// memcached 1.6.18's proto_text.c, as observed on a running instance.
#include <algorithm>

#include "04_cache_service_mini/memcached/memcached_session.hpp"
#include "core/base/decimal.hpp"

namespace cache {

using memcached::ParseI64;
using memcached::ParseU64;
using memcached::Tokens;

void MemcachedSession::Delete(const Tokens& tokens, std::string& out) {
  // delete <key> [0] [noreply]: the legacy "hold time" must be 0.
  if (tokens.count < 2 || tokens.count > 4) {
    out.append("ERROR\r\n");
    return;
  }
  noreply_ = tokens.count > 2 && tokens.last() == "noreply";
  const bool hold_is_zero = tokens.count > 2 && tokens[2] == "0";
  const bool valid = tokens.count == 2 || (tokens.count == 3 && (hold_is_zero || noreply_)) ||
                     (tokens.count == 4 && hold_is_zero && noreply_);
  if (!valid) {
    Reply(out, "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]");
    return;
  }
  if (!IsValidKey(tokens[1])) {
    Reply(out, "CLIENT_ERROR bad command line format");
    return;
  }
  Reply(out, service_.cache_.Delete(tokens[1]) ? "DELETED" : "NOT_FOUND");
}

void MemcachedSession::Arith(bool incr, const Tokens& tokens, std::string& out) {
  if (tokens.count != 3 && tokens.count != 4) {
    out.append("ERROR\r\n");
    return;
  }
  noreply_ = tokens.count == 4 && tokens.last() == "noreply";
  if (!IsValidKey(tokens[1])) {
    Reply(out, "CLIENT_ERROR bad command line format");
    return;
  }
  std::uint64_t delta = 0;
  if (!ParseU64(tokens[2], &delta)) {
    Reply(out, "CLIENT_ERROR invalid numeric delta argument");
    return;
  }
  const ArithResult result =
      incr ? service_.cache_.Incr(tokens[1], delta) : service_.cache_.Decr(tokens[1], delta);
  switch (result.status) {
    case ArithStatus::kOk:
      if (!noreply_) {
        core::AppendDecimal(out, result.value);
        out.append("\r\n");
      }
      return;
    case ArithStatus::kNotFound:
      Reply(out, "NOT_FOUND");
      return;
    case ArithStatus::kNonNumeric:
      Reply(out, "CLIENT_ERROR cannot increment or decrement non-numeric value");
      return;
    case ArithStatus::kNoMemory:
      Reply(out, "SERVER_ERROR out of memory");
      return;
  }
}

void MemcachedSession::Touch(const Tokens& tokens, std::string& out) {
  if (tokens.count != 3 && tokens.count != 4) {
    out.append("ERROR\r\n");
    return;
  }
  noreply_ = tokens.count == 4 && tokens.last() == "noreply";
  if (!IsValidKey(tokens[1])) {
    Reply(out, "CLIENT_ERROR bad command line format");
    return;
  }
  std::int64_t exptime = 0;
  if (!ParseI64(tokens[2], &exptime)) {
    Reply(out, "CLIENT_ERROR invalid exptime argument");
    return;
  }
  Reply(out, service_.cache_.Touch(tokens[1], ExpiryFrom(exptime)) ? "TOUCHED" : "NOT_FOUND");
}

void MemcachedSession::FlushAll(const Tokens& tokens, std::string& out) {
  // flush_all [exptime] [noreply]; like memcached, a third token that is not noreply is ignored.
  if (tokens.count > 3) {
    out.append("ERROR\r\n");
    return;
  }
  noreply_ = tokens.count > 1 && tokens.last() == "noreply";
  std::int64_t exptime = 0;
  if (tokens.count != (noreply_ ? 2u : 1u) && !ParseI64(tokens[1], &exptime)) {
    Reply(out, "CLIENT_ERROR invalid exptime argument");
    return;
  }
  const Expiry when = ExpiryFrom(exptime);
  service_.cache_.FlushAll(when.kind() == Expiry::Kind::kAfter ? when.ttl()
                                                               : core::Clock::duration::zero());
  Reply(out, "OK");
}

void MemcachedSession::Verbosity(const Tokens& tokens, std::string& out) {
  // We log nothing per command: the level is kept only for `stats settings` (capped at 2, as
  // memcached caps it).
  if (tokens.count != 2 && tokens.count != 3) {
    out.append("ERROR\r\n");
    return;
  }
  noreply_ = tokens.last() == "noreply";  // "verbosity noreply" is silent, as in memcached
  std::uint64_t level = 0;
  if (!ParseU64(tokens[1], &level)) {
    Reply(out, "CLIENT_ERROR bad command line format");
    return;
  }
  service_.verbosity_.store(std::min<std::uint64_t>(level, 2), std::memory_order_relaxed);
  Reply(out, "OK");
}

}  // namespace cache
