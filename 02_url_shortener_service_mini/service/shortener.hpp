// The shortener's rules, between the HTTP handlers and the store: create (validate, pick a code,
// insert atomically, retry a taken code a bounded number of times), resolve (cache first, store on
// a miss, caps counted exactly), get, delete (tombstone + invalidation), stats.
//
// No HTTP and no Asio here: requests and answers are plain structs, failures core::Error values
// (kInvalidArgument → 400, kConflict → 409 for a taken alias, kNotFound → 404), time comes from
// injected clocks, codes from an injected CodeSource — so every rule is tested without a socket
// (shortener_test.cpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "02_url_shortener_service_mini/domain/link.hpp"
#include "02_url_shortener_service_mini/domain/url_policy.hpp"
#include "02_url_shortener_service_mini/service/code_source.hpp"
#include "02_url_shortener_service_mini/service/link_cache.hpp"
#include "02_url_shortener_service_mini/service/visit_recorder.hpp"
#include "02_url_shortener_service_mini/store/link_store.hpp"
#include "04_cache_service_mini/cache/expiry.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace shortener {

struct ShortenerOptions {
  int default_redirect = 302;   // --redirect-status: what links without their own use
  int max_insert_attempts = 8;  // random codes tried before giving up (503)
  std::int64_t max_ttl_seconds = 10LL * 366 * 86400;  // longest expiry accepted
  std::int64_t max_visits_limit = 1'000'000'000'000;
  std::size_t top_referrers = 10;  // hosts listed by the stats endpoint
};

struct CreateRequest {
  std::string url;
  std::optional<std::string> alias;
  std::optional<std::int64_t> ttl_seconds;  // relative expiry...
  std::optional<std::int64_t> expires_at;   // ...or absolute (Unix seconds); not both
  std::optional<std::int64_t> max_visits;
  std::optional<int> redirect;  // 301, 302, 307 or 308
  bool find_if_exists = false;  // reuse a plain live link to the same URL instead of a new one
  std::string request_host;     // the Host the request came in on: links back to it would loop
};

struct CreateResult {
  Link link;
  bool created = true;  // false: an existing link was returned (find_if_exists)
  int attempts = 1;     // inserts tried (collisions + 1)
};

// How a redirect request is answered.
enum class Outcome {
  kRedirect,  // `status` to `url`
  kGone,      // deleted, expired or used up: 410
  kNotFound,  // no such code: 404
};

struct Resolution {
  Outcome outcome = Outcome::kNotFound;
  int status = 0;   // the redirect status (kRedirect)
  std::string url;  // kRedirect
};

// Where a resolution came from (metrics, X-Cache header).
enum class ResolveSource { kCache, kNegativeCache, kStore };

struct ShortenerStats {
  std::uint64_t created = 0;
  std::uint64_t reused = 0;      // find_if_exists answered with an existing link
  std::uint64_t collisions = 0;  // inserts refused because a generated code was taken
  std::uint64_t exhausted = 0;   // creates that ran out of attempts
  std::uint64_t cache_hits = 0;
  std::uint64_t negative_hits = 0;
  std::uint64_t store_lookups = 0;
};

class Shortener {
 public:
  // Everything is borrowed and must outlive the service. `wall` gives Unix seconds (expiry dates).
  Shortener(ShortenerOptions options, const UrlPolicy& policy, LinkStore& store, LinkCache& cache,
            CodeSource& codes, VisitRecorder& visits, const cache::WallClock& wall);

  // Validates and stores a new link (or finds a reusable one). Errors: kInvalidArgument naming the
  // field; kConflict for a taken alias; kUnavailable when no free code was found within
  // max_insert_attempts, or the store's errors.
  core::Task<core::Result<CreateResult>> Create(CreateRequest request);

  // The answer for /r/{code} from memory alone, or nullopt when the store must be asked (a miss,
  // or a capped link whose visit must be counted first). Never suspends. On a redirect, the visit
  // is recorded with `referer` and `user_agent` (when `record`).
  std::optional<Resolution> ResolveFromCache(std::string_view code, std::string_view referer,
                                             std::string_view user_agent, bool record = true);
  // The full answer: cache, then store (filling the cache). Errors: the store's.
  core::Task<core::Result<Resolution>> Resolve(std::string code, std::string referer,
                                               std::string user_agent, bool record = true);

  // The link with its visit count. kNotFound for unknown codes (tombstones are returned).
  core::Task<core::Result<Link>> Get(std::string code);
  // Deletes (tombstones) the link and forgets it in this instance's cache; returns it as it was.
  // Deleting a deleted link succeeds again (idempotent: a client retrying after a timeout gets the
  // same answer). kNotFound if unknown.
  core::Task<core::Result<Link>> Delete(std::string code);
  // Visit statistics. kNotFound for unknown codes.
  core::Task<core::Result<LinkStats>> Stats(std::string code);

  ShortenerStats Counters() const;
  const ShortenerOptions& options() const noexcept { return options_; }
  int RedirectFor(const Link& link) const noexcept {
    return link.redirect != 0 ? link.redirect : options_.default_redirect;
  }

 private:
  core::Result<void> Validate(const CreateRequest& request, std::int64_t now) const;
  Resolution Answer(const Link& link, std::int64_t now) const;

  const ShortenerOptions options_;
  const UrlPolicy& policy_;
  LinkStore& store_;
  LinkCache& cache_;
  CodeSource& codes_;
  VisitRecorder& visits_;
  const cache::WallClock& wall_;
  std::atomic<std::uint64_t> created_{0}, reused_{0}, collisions_{0}, exhausted_{0}, cache_hits_{0},
      negative_hits_{0}, store_lookups_{0};
};

}  // namespace shortener
