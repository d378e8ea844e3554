// Where links live: the interface between the shortener's rules and a database (LevelDB's Env idea
// applied to storage). Two implementations: SqliteLinkStore (embedded, the default: nothing to
// install) and PgLinkStore (several instances sharing one PostgreSQL). The same test suite runs
// against both (link_store_test.cpp).
//
// Every method is a coroutine that never blocks the caller's thread: SQLite runs on the store's own
// threads, PostgreSQL through libpq's non-blocking API. Uniqueness is the database's job — Insert
// is one atomic INSERT guarded by the code's UNIQUE constraint, never a check followed by a save.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "02_url_shortener_service_mini/domain/link.hpp"
#include "02_url_shortener_service_mini/domain/visit.hpp"
#include "core/async/task.hpp"
#include "core/base/error.hpp"

namespace shortener {

// Errors every method may return: kUnavailable (cannot reach or write the database: down, disk
// full, read-only, corrupt, or the store's queue is full), kTimeout (no answer in time; the
// operation may or may not have happened), kInternal (a bug). Parameters are taken by value:
// coroutines must own what they use after their first suspension.
class LinkStore {
 public:
  virtual ~LinkStore() = default;

  // Stores a new link. kConflict when `link.code` is taken, by a live link or a tombstone.
  virtual core::Task<core::Result<Link>> Insert(NewLink link) = 0;

  // The link with `code`, tombstones included; nullopt when there is none.
  virtual core::Task<core::Result<std::optional<Link>>> Find(std::string code) = 0;

  // The oldest live generated (not custom) link to exactly `url` with no expiry, no visit cap and
  // the given redirect status — what find_if_exists reuses; nullopt when there is none.
  virtual core::Task<core::Result<std::optional<Link>>> FindReusable(std::string url,
                                                                     int redirect) = 0;

  // Turns the link into a tombstone at `at`. Returns the link as it was before (already a
  // tombstone: unchanged), nullopt when there is no such code.
  virtual core::Task<core::Result<std::optional<Link>>> Delete(std::string code,
                                                               std::int64_t at) = 0;

  // For links with max_visits: takes one visit from the cap, atomically. True when it was taken
  // (the redirect may proceed), false when the cap is used up or the link has none.
  virtual core::Task<core::Result<bool>> TakeCappedVisit(std::string code) = 0;

  // Adds aggregated visits to the per-day counters and to each link's visit total. Unknown codes
  // are ignored.
  virtual core::Task<core::Result<void>> AddVisits(std::vector<VisitCount> counts) = 0;

  // Visit statistics of `code` (zeros when it has none): per day, the `top_referrers` hosts with
  // most visits, bot share.
  virtual core::Task<core::Result<LinkStats>> Stats(std::string code,
                                                    std::size_t top_referrers) = 0;

  // Reserves `count` consecutive ids for counter-mode codes and returns the first. Ids are never
  // handed out twice, across restarts and instances.
  virtual core::Task<core::Result<std::uint64_t>> ReserveIds(std::uint64_t count) = 0;

  // A cheap round trip that proves the store can still write (SQLite: a heartbeat row; PostgreSQL:
  // a query on a pooled connection). Drives /readyz.
  virtual core::Task<core::Result<void>> Ping() = 0;

  // "sqlite" or "postgres" (logs, metrics).
  virtual std::string_view kind() const noexcept = 0;
};

}  // namespace shortener
