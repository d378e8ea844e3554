// The embedded store: links in one SQLite file (WAL mode), nothing to install or run beside the
// binary. Writes are group-committed on one writer thread, reads run on a few reader threads (see
// sqlite_executor.hpp), so the network threads never wait on the disk.
//
// Scale-out limit, stated plainly: one file = one machine. Several sd-shortener processes on one
// host could share it (SQLite locks the file), but instances on several hosts need PgLinkStore.
#pragma once

#include <memory>

#include "02_url_shortener_service_mini/store/link_store.hpp"
#include "02_url_shortener_service_mini/store/sqlite_executor.hpp"

namespace shortener {

class SqliteLinkStore final : public LinkStore {
 public:
  // Opens or creates the database and its schema. Errors: kUnavailable naming the file (see
  // SqliteExecutor::Open).
  static core::Result<std::unique_ptr<SqliteLinkStore>> Open(SqliteExecutorOptions options);

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
  std::string_view kind() const noexcept override { return "sqlite"; }

  // Stops the threads (pending operations fail with kUnavailable). Idempotent.
  void Close() { executor_->Close(); }
  SqliteExecutor& executor() { return *executor_; }

 private:
  explicit SqliteLinkStore(std::unique_ptr<SqliteExecutor> executor)
      : executor_(std::move(executor)) {}

  std::unique_ptr<SqliteExecutor> executor_;
};

}  // namespace shortener
