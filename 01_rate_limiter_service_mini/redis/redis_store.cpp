#include "01_rate_limiter_service_mini/redis/redis_store.hpp"

#include <algorithm>

#include "01_rate_limiter_service_mini/redis/redis_scripts.hpp"

namespace ratelimit {

using core::Code;
using core::Error;

// ---------------------------------------------------------------------------------------------
// DenyCache

DenyCache::DenyCache(std::size_t capacity, std::size_t shards) {
  if (capacity == 0) return;
  entries_.emplace(
      core::ShardedLruMapOptions{.capacity = capacity, .shards = shards, .hash_key = std::nullopt});
}

void DenyCache::Insert(std::string_view key, const Entry& entry) {
  if (!entries_) return;
  auto slot = entries_->Lock(key);
  if (Entry* known = slot.value()) {
    *known = entry;
    slot.Touch();
    return;
  }
  slot.Insert(entry);
}

std::optional<DenyCache::Entry> DenyCache::Lookup(std::string_view key, std::int64_t cost,
                                                  core::Clock::time_point now) {
  if (!entries_) return std::nullopt;
  auto slot = entries_->Lock(key);
  const Entry* known = slot.value();
  if (known == nullptr) return std::nullopt;
  if (now >= known->until) {
    slot.Erase();
    return std::nullopt;
  }
  if (cost < known->cost) return std::nullopt;  // a cheaper request may fit: ask Redis
  slot.Touch();
  return *known;
}

// ---------------------------------------------------------------------------------------------
// RedisStore

namespace {

// A refusal answered from the deny cache. Remaining is 0: the cache knows the key is short of
// `cost`, not by how much.
Decision FromCache(const DenyCache::Entry& entry, std::int64_t limit, core::Clock::time_point now) {
  Decision d;
  d.allowed = false;
  d.limit = limit;
  d.remaining = 0;
  d.retry_after = entry.until - now;
  d.reset_after = std::max<std::chrono::nanoseconds>(entry.reset_at - now, d.retry_after);
  return d;
}

}  // namespace

RedisStore::RedisStore(core::RedisClient& client, const core::Clock& clock,
                       RedisStoreOptions options)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      deny_cache_(options_.deny_cache_capacity, options_.deny_cache_shards) {}

core::Result<void> RedisStore::Supports(const Rule& rule) {
  auto params = ScriptParamsFor(rule.algorithm, rule.quota);
  if (!params) {
    return Error(Code::kInvalidArgument, "rule '" + rule.name + "': " + params.error().detail);
  }
  return {};
}

std::string RedisStore::RedisKey(std::string_view rule_name, std::string_view key) const {
  std::string out;
  out.reserve(options_.key_prefix.size() + rule_name.size() + 1 + key.size());
  out += options_.key_prefix;
  out += rule_name;
  out += ':';
  out += key;
  return out;
}

std::string_view RedisStore::Sha() const noexcept {
  if (!sha_ready_.load(std::memory_order_acquire)) return {};
  return sha_;
}

void RedisStore::SetSha(const std::string& sha) {
  core::MutexLock lock(sha_mu_);
  if (sha_ready_.load(std::memory_order_relaxed)) return;  // another decision loaded it first
  sha_ = sha;
  sha_ready_.store(true, std::memory_order_release);
}

core::Error RedisStore::Count(core::Error error) {
  switch (error.code) {
    case Code::kTimeout:
      counters_.timeouts.Inc();
      break;
    case Code::kUnavailable:
      counters_.unavailable.Inc();
      break;
    default:
      counters_.bad_replies.Inc();
      break;
  }
  return error;
}

core::Task<core::Result<Decision>> RedisStore::Decide(const Rule& rule, std::string key,
                                                      std::int64_t cost) {
  if (cost < 0) co_return Error(Code::kInvalidArgument, "cost: must be >= 0");
  const auto params = ScriptParamsFor(rule.algorithm, rule.quota);
  if (!params) co_return params.error();
  counters_.decisions.Inc();
  const std::string redis_key = RedisKey(rule.name, key);
  // Taken before the round trip: Redis decides later than this, so `sent + retry_after` is never
  // later than when Redis would admit the request again.
  const core::Clock::time_point sent = clock_.Now();
  if (cost > 0) {
    if (auto hit = deny_cache_.Lookup(redis_key, cost, sent)) {
      counters_.deny_cache_hits.Inc();
      co_return FromCache(*hit, rule.quota.burst(), sent);
    }
  }
  // `rule` is not used past this point (see the header: it only has to live until here).

  std::string sha(Sha());
  if (sha.empty()) {
    counters_.script_loads.Inc();
    counters_.redis_calls.Inc();
    std::vector<std::string> load{"SCRIPT", "LOAD", std::string(DecideScript())};
    auto loaded = co_await client_.Command(std::move(load), options_.timeout);
    if (!loaded) co_return Count(loaded.error());
    if (loaded->type != core::RedisReply::Type::kString) {
      co_return Count(
          Error(Code::kBadGateway, "redis SCRIPT LOAD: " + ToString(*loaded).substr(0, 200)));
    }
    SetSha(loaded->str);
    sha = loaded->str;
  }

  counters_.redis_calls.Inc();
  std::vector<std::string> evalsha = DecideArgs("EVALSHA", sha, redis_key, *params, cost);
  auto reply = co_await client_.Command(std::move(evalsha), options_.timeout);
  // Redis lost its script cache (restart, SCRIPT FLUSH, failover): EVAL also reloads it.
  if (reply && reply->IsError() && reply->str.starts_with("NOSCRIPT")) {
    counters_.noscript_fallbacks.Inc();
    counters_.redis_calls.Inc();
    std::vector<std::string> eval = DecideArgs("EVAL", DecideScript(), redis_key, *params, cost);
    reply = co_await client_.Command(std::move(eval), options_.timeout);
  }
  if (!reply) co_return Count(reply.error());
  auto result = ParseDecideReply(*reply, *params);
  if (!result) co_return Count(result.error());

  const Decision& d = result->decision;
  if (!d.allowed && cost > 0 && !d.RetryNever()) {
    deny_cache_.Insert(redis_key, DenyCache::Entry{cost, sent + d.retry_after,
                                                   sent + std::max(d.reset_after, d.retry_after)});
  }
  co_return d;
}

RedisStoreStats RedisStore::Stats() const { return counters_.Load(); }

}  // namespace ratelimit
