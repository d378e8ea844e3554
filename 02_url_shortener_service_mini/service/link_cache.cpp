#include "02_url_shortener_service_mini/service/link_cache.hpp"

#include <algorithm>
#include <cstring>

namespace shortener {
namespace {

// Item flags: the redirect status in the low bits, then two markers. The value is the expiry
// (8 bytes, 0 = never) followed by the target URL.
constexpr std::uint32_t kRedirectMask = 0x3ff;
constexpr std::uint32_t kGoneBit = 1u << 16;
constexpr std::uint32_t kCappedBit = 1u << 17;
constexpr std::size_t kExpiryBytes = sizeof(std::int64_t);

cache::CacheOptions LinkOptions(const LinkCacheOptions& o) {
  cache::CacheOptions c;
  c.max_bytes = o.max_bytes;
  c.shards = o.shards;
  c.policy.kind = o.policy;
  c.max_value_bytes = 64 * 1024;  // far above any URL the policy lets through
  return c;
}

cache::CacheOptions MissingOptions(const LinkCacheOptions& o) {
  cache::CacheOptions c;
  c.max_bytes = o.negative_max_bytes;
  c.shards = o.shards;
  c.policy.kind = cache::PolicyKind::kS3Fifo;
  return c;
}

}  // namespace

core::Result<std::unique_ptr<LinkCache>> LinkCache::Create(const LinkCacheOptions& options,
                                                           const core::Clock& clock) {
  auto links = cache::Cache::Create(LinkOptions(options), clock);
  if (!links)
    return core::Error(core::Code::kInvalidArgument, "link cache: " + links.error().detail);
  auto missing = cache::Cache::Create(MissingOptions(options), clock);
  if (!missing) {
    return core::Error(core::Code::kInvalidArgument, "negative cache: " + missing.error().detail);
  }
  return std::unique_ptr<LinkCache>(new LinkCache(options, std::move(*links), std::move(*missing)));
}

CachedLink LinkCache::Get(std::string_view code) {
  CachedLink out;
  if (!cache::IsValidKey(code)) return out;
  if (cache::ItemHandle h = links_->Get(code)) {
    const std::string_view v = h.value();
    if (v.size() >= kExpiryBytes) {
      out.kind_ = CachedLink::Kind::kFound;
      std::memcpy(&out.expires_at_, v.data(), kExpiryBytes);
      out.url_ = v.substr(kExpiryBytes);
      out.redirect_ = static_cast<int>(h.flags() & kRedirectMask);
      out.gone_ = (h.flags() & kGoneBit) != 0;
      out.capped_ = (h.flags() & kCappedBit) != 0;
      out.item_ = std::move(h);  // keeps url_ valid
    }
    return out;
  }
  if (missing_->Get(code)) out.kind_ = CachedLink::Kind::kMissing;
  return out;
}

void LinkCache::Put(const Link& link, std::int64_t now) {
  if (!cache::IsValidKey(link.code)) return;
  const bool gone = StateAt(link, now) != LinkState::kActive;
  std::uint32_t flags = static_cast<std::uint32_t>(link.redirect) & kRedirectMask;
  if (gone) flags |= kGoneBit;
  if (link.max_visits) flags |= kCappedBit;
  std::int64_t expires = link.expires_at.value_or(0);
  auto ttl = std::chrono::duration_cast<core::Clock::duration>(options_.positive_ttl);
  if (link.expires_at && !gone) {
    // Never serve a redirect past the expiry from memory (the hit path checks it too).
    ttl = std::min(ttl, std::chrono::duration_cast<core::Clock::duration>(
                            std::chrono::seconds(*link.expires_at - now)));
  }
  // Filled in place (Allocate, then Store): the URL is copied once, straight into the item.
  const std::size_t url_bytes = gone ? 0 : link.url.size();
  cache::Allocation a =
      links_->Allocate(cache::StoreMode::kSet, link.code, flags, kExpiryBytes + url_bytes);
  if (a.status == cache::StoreStatus::kStored) {
    char* out = a.item.mutable_value();
    std::memcpy(out, &expires, kExpiryBytes);
    if (url_bytes != 0) std::memcpy(out + kExpiryBytes, link.url.data(), url_bytes);
    links_->Store(cache::StoreMode::kSet, std::move(a.item), cache::Expiry::After(ttl));
  }
  missing_->Delete(link.code);
}

void LinkCache::PutMissing(std::string_view code) {
  if (!cache::IsValidKey(code)) return;
  missing_->Store(cache::StoreMode::kSet, code, {}, 0,
                  cache::Expiry::After(
                      std::chrono::duration_cast<core::Clock::duration>(options_.negative_ttl)));
}

void LinkCache::ExpireSome() {
  links_->ExpireSome();
  missing_->ExpireSome();
}

void LinkCache::Invalidate(std::string_view code) {
  if (!cache::IsValidKey(code)) return;
  links_->Delete(code);
  missing_->Delete(code);
}

}  // namespace shortener
