// The redirect hot path's memory: links by code in 04's cache (S3-FIFO by default, byte-bounded,
// sharded), plus a small separate cache of codes recently found missing (negative caching), so a
// redirect is one hash lookup and never touches the store while the link stays cached.
//
// An entry holds what a redirect needs and nothing else: the target, the redirect status, the
// expiry, whether the link is capped (those must ask the store on every visit) or gone (deleted,
// expired or used up: answered 410 from memory). Entries live at most positive_ttl, and never past
// the link's own expiry; a delete or create on this instance invalidates at once, another
// instance's cache learns within positive_ttl / negative_ttl — the staleness bound for scale-out.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "02_url_shortener_service_mini/domain/link.hpp"
#include "04_cache_service_mini/cache/cache.hpp"
#include "core/base/clock.hpp"
#include "core/base/error.hpp"

namespace shortener {

struct LinkCacheOptions {
  std::size_t max_bytes = std::size_t{64} << 20;  // links (charged: header + code + target)
  std::size_t shards = 16;
  cache::PolicyKind policy = cache::PolicyKind::kS3Fifo;
  std::chrono::milliseconds positive_ttl{
      300000};                                   // how stale another instance's delete may be seen
  std::chrono::milliseconds negative_ttl{5000};  // how long "no such code" is believed
  std::size_t negative_max_bytes = std::size_t{4} << 20;
};

// What the cache knows about a code.
class CachedLink {
 public:
  enum class Kind { kUnknown, kFound, kMissing };

  Kind kind() const noexcept { return kind_; }
  // kFound only; views valid while this object lives.
  std::string_view url() const noexcept { return url_; }
  int redirect() const noexcept { return redirect_; }               // 0 = service default
  std::int64_t expires_at() const noexcept { return expires_at_; }  // 0 = never
  bool capped() const noexcept { return capped_; }
  bool gone() const noexcept { return gone_; }

 private:
  friend class LinkCache;
  Kind kind_ = Kind::kUnknown;
  cache::ItemHandle item_;
  std::string_view url_;
  int redirect_ = 0;
  std::int64_t expires_at_ = 0;
  bool capped_ = false;
  bool gone_ = false;
};

// Thread-safe. `clock` must outlive it.
class LinkCache {
 public:
  // Errors (kInvalidArgument): a byte budget too small for the shards (see cache::Cache::Create).
  static core::Result<std::unique_ptr<LinkCache>> Create(const LinkCacheOptions& options,
                                                         const core::Clock& clock);

  // What is cached for `code` (kUnknown for codes the cache cannot hold: the caller asks the
  // store). Allocates nothing.
  CachedLink Get(std::string_view code);
  // Caches `link` as it is at `now` (Unix seconds): gone if deleted/expired/used up.
  void Put(const Link& link, std::int64_t now);
  // Caches "no link has this code".
  void PutMissing(std::string_view code);
  // Forgets the code in both caches.
  void Invalidate(std::string_view code);
  // One bounded step of active expiry in both caches (the owner's timer calls it; the cache
  // library starts no threads).
  void ExpireSome();

  const cache::Cache& links() const noexcept { return *links_; }
  const cache::Cache& missing() const noexcept { return *missing_; }

 private:
  LinkCache(const LinkCacheOptions& options, std::unique_ptr<cache::Cache> links,
            std::unique_ptr<cache::Cache> missing)
      : options_(options), links_(std::move(links)), missing_(std::move(missing)) {}

  LinkCacheOptions options_;
  std::unique_ptr<cache::Cache> links_;
  std::unique_ptr<cache::Cache> missing_;
};

}  // namespace shortener
