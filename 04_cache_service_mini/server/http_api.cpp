#include "04_cache_service_mini/server/http_api.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace cache {
namespace {

using core::Code;
using core::Error;
using core::http::status;

constexpr std::string_view kTtlHeader = "X-Cache-TTL";
constexpr std::size_t kMaxTtlDigits = 10;  // ~317 years: the same bound as the Python twin

// The key from the path, or the 400 to answer.
core::Result<std::string_view> KeyOf(const core::Exchange& ex) {
  std::string_view key = ex.params.Get("key");
  if (!IsValidKey(key)) {
    return Error(Code::kInvalidArgument, "key: 1..250 bytes, none a space, CR, LF or NUL");
  }
  return key;
}

}  // namespace

core::Result<std::optional<std::int64_t>> ParseTtl(const core::Exchange& ex) {
  std::optional<std::string> text = ex.Query("ttl");
  if (!text) {
    auto header = ex.request[kTtlHeader];
    if (header.empty()) return std::optional<std::int64_t>{};
    text = std::string(header);
  }
  const bool digits = !text->empty() && text->size() <= kMaxTtlDigits &&
                      text->find_first_not_of("0123456789") == std::string::npos;
  if (!digits)
    return Error(Code::kInvalidArgument, "ttl: whole seconds, 0 (never expires) or more");
  return std::optional<std::int64_t>(std::stoll(*text));
}

void CacheHttpApi::Register(core::Router& router) {
  router.Put("/v1/cache/{key}", [this](core::Exchange& ex) { return Put(ex); });
  router.Get("/v1/cache/{key}", [this](core::Exchange& ex) { return Get(ex); });
  router.Delete("/v1/cache/{key}", [this](core::Exchange& ex) { return Delete(ex); });
  router.Get("/v1/stats", [this](core::Exchange& ex) { return Stats(ex); });
}

core::Task<void> CacheHttpApi::Put(core::Exchange& ex) {
  auto key = KeyOf(ex);
  if (!key) {
    ex.Fail(key.error());
    co_return;
  }
  auto ttl = ParseTtl(ex);
  if (!ttl) {
    ex.Fail(ttl.error());
    co_return;
  }
  Expiry expiry = Expiry::Default();
  if (*ttl) expiry = **ttl == 0 ? Expiry::Never() : Expiry::AfterSeconds(**ttl);
  switch (cache_.Store(StoreMode::kSet, *key, ex.request.body(), 0, expiry)) {
    case StoreStatus::kStored:
      ex.response.result(status::no_content);
      break;
    case StoreStatus::kTooLarge:
      ex.Fail(Error(Code::kPayloadTooLarge, "the value exceeds the item size limit (" +
                                                std::to_string(cache_.options().max_value_bytes) +
                                                " bytes)"));
      break;
    case StoreStatus::kNoMemory:
      if (ItemCharge(key->size(), ex.request.body().size()) > cache_.shard_capacity_bytes()) {
        ex.Fail(Error(Code::kPayloadTooLarge, "the item exceeds what one cache shard can hold (" +
                                                  std::to_string(cache_.shard_capacity_bytes()) +
                                                  " bytes)"));
      } else {
        // It would fit, but values still arriving on the memcached port hold the room: transient.
        ex.Fail(Error(Code::kUnavailable,
                      "the cache's memory is held by values in flight; try again shortly"));
      }
      break;
    default:
      ex.Fail(Error(Code::kInternal, "the item was not stored"));
  }
}

core::Task<void> CacheHttpApi::Get(core::Exchange& ex) {
  auto key = KeyOf(ex);
  if (!key) {
    ex.Fail(key.error());
    co_return;
  }
  ItemHandle item = cache_.Get(*key);
  if (!item) {
    ex.Fail(Error(Code::kNotFound, "no item for this key"));
    co_return;
  }
  ex.Text(status::ok, std::string(item.value()), "application/octet-stream");
  if (item.expire_ns() != 0) {
    const std::int64_t now_ns = ToNs(clock_.Now());
    const std::int64_t left = std::max<std::int64_t>(0, item.expire_ns() - now_ns);
    ex.response.set("X-Cache-TTL-Remaining", std::to_string((left + 999'999'999) / 1'000'000'000));
  }
}

core::Task<void> CacheHttpApi::Delete(core::Exchange& ex) {
  auto key = KeyOf(ex);
  if (!key) {
    ex.Fail(key.error());
    co_return;
  }
  if (cache_.Delete(*key)) {
    ex.response.result(status::no_content);
  } else {
    ex.Fail(Error(Code::kNotFound, "no item for this key"));
  }
}

core::Task<void> CacheHttpApi::Stats(core::Exchange& ex) {
  const CacheStats stats = cache_.Stats();
  boost::json::object o;
  o["policy"] = stats.policy;
  stats.ForEach([&o](std::string_view name, std::uint64_t value) { o[name] = value; });
  o["expirations"] = stats.get_expired + stats.expired_active;
  ex.Json(status::ok, boost::json::serialize(o));
  co_return;
}

}  // namespace cache
