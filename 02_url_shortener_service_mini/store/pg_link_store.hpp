// The scale-out store: links in PostgreSQL, shared by any number of sd-shortener instances (each
// with its own cache in front). Built on core/pg's pool, so queries run on the network threads
// without blocking them: while one waits for PostgreSQL, the thread serves other requests.
//
// The same rules as the SQLite store, in SQL: the code is the primary key (INSERT ... ON CONFLICT
// DO NOTHING: a taken code is zero rows, not an error), a delete is a tombstone, visit batches are
// one statement over unnest() arrays, counter blocks come from a row updated in place.
#pragma once

#include <memory>

#include "02_url_shortener_service_mini/store/link_store.hpp"
#include "core/pg/pg_pool.hpp"

namespace shortener {

class PgLinkStore final : public LinkStore {
 public:
  // `pool` must outlive the store.
  explicit PgLinkStore(core::pg::PgPool& pool) : pool_(pool) {}

  // Creates the tables and indexes if missing (safe when several instances start at once: an
  // advisory lock serialises them). Errors: kUnavailable, kTimeout, kInternal (a refused DDL).
  core::Task<core::Result<void>> Migrate();

  core::Task<core::Result<Link>> Insert(NewLink link) override;
  core::Task<core::Result<std::optional<Link>>> Find(std::string code) override;
  core::Task<core::Result<std::optional<Link>>> FindReusable(std::string url,
                                                             int redirect) override;
  core::Task<core::Result<std::optional<Link>>> Delete(std::string code, std::int64_t at) override;
  core::Task<core::Result<bool>> TakeCappedVisit(std::string code) override;
  core::Task<core::Result<void>> AddVisits(std::vector<VisitCount> counts) override;
  core::Task<core::Result<LinkStats>> Stats(std::string code, std::size_t top_referrers) override;
  core::Task<core::Result<std::uint64_t>> ReserveIds(std::uint64_t count) override;
  core::Task<core::Result<void>> Ping() override;
  std::string_view kind() const noexcept override { return "postgres"; }

 private:
  // Runs a statement; a refused one becomes kInternal (or kConflict for a unique violation).
  core::Task<core::Result<core::pg::PgResult>> Run(std::string sql,
                                                   std::vector<core::pg::PgParam> params);

  core::pg::PgPool& pool_;
};

}  // namespace shortener
