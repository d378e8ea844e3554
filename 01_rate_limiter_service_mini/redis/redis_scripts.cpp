#include "01_rate_limiter_service_mini/redis/redis_scripts.hpp"

#include <limits>
#include <numeric>

#include "01_rate_limiter_service_mini/algorithms/wide_math.hpp"

namespace ratelimit {

namespace {

using core::Code;
using core::Error;
using internal::Int128;

// Every quantity the script forms from the constants stays below 3 * 2^51 + now (< 2^53) when
// the constants themselves are bounded by this.
constexpr std::int64_t kMaxExact = std::int64_t{1} << 51;

// The script. Comments on the right-hand side name the line of the C++ algorithm it mirrors.
constexpr std::string_view kDecideScript = R"lua(
-- Rate-limit decision for one key on Redis's clock: the algorithms of algorithm.hpp in integer
-- ticks. KEYS[1] = state hash. ARGV = algorithm ('tb' | 'gcra' | 'sw'), tick (us per tick), cost,
-- limit, c1, c2. Returns {allowed, limit, remaining, reset_after, retry_after (-1 = never),
-- now_us}, times in ticks. Every number is an integer below 2^53 (the client checks the
-- constants), so double arithmetic is exact; divisions go through idiv.
local key = KEYS[1]
local alg = ARGV[1]
local tick = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local c1 = tonumber(ARGV[5])
local c2 = tonumber(ARGV[6])

-- floor(a / b) for 0 <= a, 0 < b: the double quotient may round up to the next integer; fix it.
local function idiv(a, b)
  local q = math.floor(a / b)
  local r = a - q * b
  if r < 0 then q = q - 1 elseif r >= b then q = q + 1 end
  return q
end
local function cdiv(a, b) return idiv(a + b - 1, b) end
-- tostring() would print 16-digit numbers as %.14g and lose digits.
local function int(x) return string.format('%d', x) end

local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = idiv(now_us, tick)

local st = redis.call('HMGET', key, 'alg', 'a', 'b', 'c')
local fresh = st[1] ~= alg  -- a new key, or one written by another algorithm (rule reloaded)

local function save(reset, a, b, c)
  if st[1] and fresh then redis.call('DEL', key) end
  if c then
    redis.call('HSET', key, 'alg', alg, 'a', int(a), 'b', int(b), 'c', int(c))
  elseif b then
    redis.call('HSET', key, 'alg', alg, 'a', int(a), 'b', int(b))
  else
    redis.call('HSET', key, 'alg', alg, 'a', int(a))
  end
  -- Forget the key once it is fully recovered (a fresh key decides the same). An absolute time
  -- on the TIME clock: PEXPIRE counts from Redis's cached clock, which can lag TIME by a
  -- millisecond or more, and would then drop a short-lived key before it has recovered.
  redis.call('PEXPIREAT', key, cdiv((now + reset) * tick, 1000))
end

local allowed, remaining, reset, retry = 0, 0, 0, 0

if alg == 'tb' then                                   -- token_bucket.cpp
  local unit, per = c1, c2
  local cap = limit * unit
  local units, updated = cap, now
  if not fresh then units = tonumber(st[2]); updated = tonumber(st[3]) end
  if units < 0 then units = 0 elseif units > cap then units = cap end
  local elapsed = math.max(0, now - updated)
  if elapsed >= cdiv(cap - units, per) then units = cap else units = units + elapsed * per end
  if cost > limit then
    retry = -1
  else
    local need = cost * unit
    if units >= need then
      units = units - need
      allowed = 1
    else
      retry = cdiv(need - units, per)
    end
  end
  remaining = idiv(units, unit)
  reset = cdiv(cap - units, per)
  if allowed == 1 and cost > 0 then save(reset, units, math.max(now, updated)) end

elseif alg == 'gcra' then                             -- gcra.cpp
  local interval = c1
  local tau = limit * interval
  local tat = now
  if not fresh then tat = tonumber(st[2]) end
  local booked = math.max(tat, now) - now
  if cost > limit then
    remaining = idiv(math.max(0, tau - booked), interval)
    reset = booked
    retry = -1
  else
    local new_booked = booked + cost * interval
    if new_booked <= tau then
      allowed = 1
      remaining = idiv(tau - new_booked, interval)
      reset = new_booked
      if cost > 0 then save(reset, now + new_booked) end
    else
      remaining = idiv(math.max(0, tau - booked), interval)
      reset = booked
      retry = new_booked - tau
    end
  end

else                                                  -- sliding_window.cpp
  local w = c1
  local ws, cur, prev = 0, 0, 0
  local n = now
  if not fresh then
    ws = tonumber(st[2]); cur = tonumber(st[3]); prev = tonumber(st[4])
    if n < ws then n = ws end                         -- the clock went backwards
  end
  local start = idiv(n, w) * w
  if fresh or start ~= ws + w and start ~= ws then
    ws, cur, prev = start, 0, 0
  elseif start == ws + w then
    ws, cur, prev = start, 0, cur
  end
  local elapsed = n - start
  if cost > limit then
    retry = -1
  elseif prev * (w - elapsed) + (cur + cost) * w <= limit * w then
    allowed = 1
  else
    local room = limit - cost - cur
    if room >= 0 then
      retry = w - idiv(room * w, prev) - elapsed
    else
      retry = (w - elapsed) + (w - idiv((limit - cost) * w, cur))
    end
  end
  if allowed == 1 and cost > 0 then cur = cur + cost end
  local left = limit * w - (prev * (w - elapsed) + cur * w)
  if left > 0 then remaining = idiv(left, w) end
  if cur > 0 then reset = (w - elapsed) + w elseif prev > 0 then reset = w - elapsed end
  if allowed == 1 and cost > 0 then save(reset, ws, cur, prev) end
end

return {allowed, limit, remaining, reset, retry, now_us}
)lua";

Error Invalid(std::string detail) { return Error(Code::kInvalidArgument, std::move(detail)); }

// ticks * ns_per_tick, saturating (a reloaded rule can leave a far-future state behind).
std::chrono::nanoseconds TicksToNs(std::int64_t ticks, std::int64_t ns_per_tick) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (ticks > kMax / ns_per_tick) return std::chrono::nanoseconds(kMax);
  return std::chrono::nanoseconds(ticks * ns_per_tick);
}

}  // namespace

std::string_view DecideScript() noexcept { return kDecideScript; }

core::Result<ScriptParams> ScriptParamsFor(Algorithm algorithm, const Quota& quota) {
  const std::int64_t period_ns = quota.rate().period.count();
  const std::int64_t count = quota.rate().count;
  if (period_ns % 1000 != 0) {
    return Invalid("rate period must be a whole number of microseconds for the redis store");
  }
  // Prefer µs ticks (the local algorithms' precision, near enough); ms only when µs constants
  // would be too large.
  for (const std::int64_t tick_us : {std::int64_t{1}, std::int64_t{1000}}) {
    if (period_ns % (tick_us * 1000) != 0) continue;
    const std::int64_t period = period_ns / (tick_us * 1000);
    ScriptParams p;
    p.tick_us = tick_us;
    p.limit = quota.burst();
    switch (algorithm) {
      case Algorithm::kTokenBucket: {
        const std::int64_t g = std::gcd(count, period);
        p.algorithm = "tb";
        p.c1 = period / g;  // units per token
        p.c2 = count / g;   // units per tick
        if (Int128{p.limit} * p.c1 <= kMaxExact) return p;
        break;
      }
      case Algorithm::kGcra: {
        p.algorithm = "gcra";
        p.c1 = internal::CeilDiv(period, count);
        // Rounding the interval up to a whole tick must not cut the rate by more than 0.1%.
        const bool precise = (Int128{p.c1} * count - period) * 1000 <= period;
        if (precise && Int128{p.limit} * p.c1 <= kMaxExact) return p;
        break;
      }
      case Algorithm::kSlidingWindow: {
        p.algorithm = "sw";
        p.c1 = period;  // window length
        if (Int128{p.limit} * p.c1 <= kMaxExact) return p;
        break;
      }
    }
  }
  return Invalid("rate " + FormatRate(quota.rate()) + " with burst " +
                 std::to_string(quota.burst()) + " is too large for the redis store (" +
                 std::string(NameOf(algorithm)) +
                 " state must stay below 2^51 in µs or ms ticks for exact Lua arithmetic)");
}

std::vector<std::string> DecideArgs(std::string_view command, std::string_view sha_or_script,
                                    std::string_view redis_key, const ScriptParams& params,
                                    std::int64_t cost) {
  std::vector<std::string> args;
  args.reserve(10);
  args.emplace_back(command);
  args.emplace_back(sha_or_script);
  args.emplace_back("1");
  args.emplace_back(redis_key);
  args.emplace_back(params.algorithm);
  args.push_back(std::to_string(params.tick_us));
  args.push_back(std::to_string(cost));
  args.push_back(std::to_string(params.limit));
  args.push_back(std::to_string(params.c1));
  args.push_back(std::to_string(params.c2));
  return args;
}

core::Result<ScriptResult> ParseDecideReply(const core::RedisReply& reply,
                                            const ScriptParams& params) {
  if (reply.IsError()) return Error(Code::kBadGateway, "redis script failed: " + reply.str);
  bool ok = reply.type == core::RedisReply::Type::kArray && reply.elements.size() == 6;
  for (std::size_t i = 0; ok && i < reply.elements.size(); ++i) {
    ok = reply.elements[i].type == core::RedisReply::Type::kInteger;
  }
  if (!ok) {
    return Error(Code::kBadGateway,
                 "redis script: unexpected reply " + ToString(reply).substr(0, 200));
  }
  const auto& e = reply.elements;
  const std::int64_t ns_per_tick = params.tick_us * 1000;
  ScriptResult out;
  out.decision.allowed = e[0].integer == 1;
  out.decision.limit = e[1].integer;
  out.decision.remaining = e[2].integer;
  out.decision.reset_after = TicksToNs(e[3].integer, ns_per_tick);
  out.decision.retry_after =
      e[4].integer < 0 ? Decision::kNever : TicksToNs(e[4].integer, ns_per_tick);
  out.redis_now_us = e[5].integer;
  return out;
}

}  // namespace ratelimit
