#include "02_url_shortener_service_mini/store/sqlite_link_store.hpp"

#include <chrono>

namespace shortener {
namespace {

// user_version 1. The code is the primary key: the UNIQUE guard every insert relies on. Codes are
// case-sensitive (BINARY collation), as base62 needs. Tombstones keep their row.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS links (
  code       TEXT PRIMARY KEY,
  url        TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  max_visits INTEGER,
  redirect   INTEGER NOT NULL DEFAULT 0,
  custom     INTEGER NOT NULL DEFAULT 0,
  visits     INTEGER NOT NULL DEFAULT 0,
  cap_used   INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_reusable ON links(url)
  WHERE deleted_at IS NULL AND custom = 0 AND expires_at IS NULL AND max_visits IS NULL;
CREATE TABLE IF NOT EXISTS visit_counts (
  code     TEXT NOT NULL,
  day      INTEGER NOT NULL,
  referrer TEXT NOT NULL,
  bot      INTEGER NOT NULL,
  count    INTEGER NOT NULL,
  PRIMARY KEY (code, day, referrer, bot)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, next INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS heartbeat (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
PRAGMA user_version = 1;
)sql";

constexpr const char* kColumns =
    "code, url, created_at, expires_at, max_visits, redirect, custom, visits, cap_used, "
    "deleted_at";

Link ReadLink(const SqliteStatement& s) {
  Link link;
  link.code = s.Text(0);
  link.url = s.Text(1);
  link.created_at = s.Int(2);
  link.expires_at = s.OptionalInt(3);
  link.max_visits = s.OptionalInt(4);
  link.redirect = static_cast<int>(s.Int(5));
  link.custom = s.Int(6) != 0;
  link.visits = s.Int(7);
  link.cap_used = s.Int(8);
  link.deleted_at = s.OptionalInt(9);
  return link;
}

// Runs a prepared query expected to return at most one link.
core::Result<std::optional<Link>> OneLink(SqliteStatement& s) {
  auto row = s.Step();
  if (!row) return row.error();
  if (!*row) return std::optional<Link>();
  Link link = ReadLink(s);
  s.Reset();
  return std::optional<Link>(std::move(link));
}

core::Result<std::optional<Link>> FindIn(SqliteDb& db, const std::string& code) {
  auto s = db.Prepare(std::string("SELECT ") + kColumns + " FROM links WHERE code = ?1");
  if (!s) return s.error();
  (*s)->Bind(1, code);
  return OneLink(**s);
}

core::Result<Link> InsertIn(SqliteDb& db, const NewLink& link) {
  auto s = db.Prepare(
      "INSERT INTO links (code, url, created_at, expires_at, max_visits, redirect, custom) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (!s) return s.error();
  (*s)->Bind(1, link.code);
  (*s)->Bind(2, link.url);
  (*s)->Bind(3, link.created_at);
  (*s)->Bind(4, link.expires_at);
  (*s)->Bind(5, link.max_visits);
  (*s)->Bind(6, std::int64_t{link.redirect});
  (*s)->Bind(7, std::int64_t{link.custom ? 1 : 0});
  if (auto ok = (*s)->Run(); !ok) return ok.error();
  Link stored;
  stored.code = link.code;
  stored.url = link.url;
  stored.created_at = link.created_at;
  stored.expires_at = link.expires_at;
  stored.max_visits = link.max_visits;
  stored.redirect = link.redirect;
  stored.custom = link.custom;
  return stored;
}

core::Result<std::optional<Link>> FindReusableIn(SqliteDb& db, const std::string& url,
                                                 int redirect) {
  auto s = db.Prepare(std::string("SELECT ") + kColumns +
                      " FROM links WHERE url = ?1 AND deleted_at IS NULL AND custom = 0 AND "
                      "expires_at IS NULL AND max_visits IS NULL AND redirect = ?2 "
                      "ORDER BY created_at, code LIMIT 1");
  if (!s) return s.error();
  (*s)->Bind(1, url);
  (*s)->Bind(2, std::int64_t{redirect});
  return OneLink(**s);
}

core::Result<std::optional<Link>> DeleteIn(SqliteDb& db, const std::string& code, std::int64_t at) {
  auto before = FindIn(db, code);
  if (!before || !*before || (*before)->deleted_at) return before;
  auto s = db.Prepare("UPDATE links SET deleted_at = ?2 WHERE code = ?1");
  if (!s) return s.error();
  (*s)->Bind(1, code);
  (*s)->Bind(2, at);
  if (auto ok = (*s)->Run(); !ok) return ok.error();
  return before;
}

core::Result<bool> TakeCappedVisitIn(SqliteDb& db, const std::string& code) {
  auto s = db.Prepare(
      "UPDATE links SET cap_used = cap_used + 1 "
      "WHERE code = ?1 AND max_visits IS NOT NULL AND cap_used < max_visits "
      "AND deleted_at IS NULL");
  if (!s) return s.error();
  (*s)->Bind(1, code);
  if (auto ok = (*s)->Run(); !ok) return ok.error();
  return (*s)->Changes() == 1;
}

core::Result<void> AddVisitsIn(SqliteDb& db, const std::vector<VisitCount>& counts) {
  for (const VisitCount& c : counts) {
    auto up = db.Prepare(
        "INSERT INTO visit_counts (code, day, referrer, bot, count) "
        "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM links WHERE code = ?1) "
        "ON CONFLICT (code, day, referrer, bot) DO UPDATE SET count = count + excluded.count");
    if (!up) return up.error();
    (*up)->Bind(1, c.code);
    (*up)->Bind(2, c.day);
    (*up)->Bind(3, c.referrer_host);
    (*up)->Bind(4, std::int64_t{c.bot ? 1 : 0});
    (*up)->Bind(5, c.count);
    if (auto ok = (*up)->Run(); !ok) return ok.error();
    auto total = db.Prepare("UPDATE links SET visits = visits + ?2 WHERE code = ?1");
    if (!total) return total.error();
    (*total)->Bind(1, c.code);
    (*total)->Bind(2, c.count);
    if (auto ok = (*total)->Run(); !ok) return ok.error();
  }
  return {};
}

core::Result<LinkStats> StatsIn(SqliteDb& db, const std::string& code, std::size_t top) {
  LinkStats stats;
  auto days = db.Prepare(
      "SELECT day, SUM(count), SUM(CASE WHEN bot THEN count ELSE 0 END) "
      "FROM visit_counts WHERE code = ?1 GROUP BY day ORDER BY day");
  if (!days) return days.error();
  (*days)->Bind(1, code);
  for (;;) {
    auto row = (*days)->Step();
    if (!row) return row.error();
    if (!*row) break;
    stats.per_day.push_back({(*days)->Int(0), (*days)->Int(1)});
    stats.visits += (*days)->Int(1);
    stats.bot_visits += (*days)->Int(2);
  }
  auto hosts = db.Prepare(
      "SELECT referrer, SUM(count) AS n FROM visit_counts WHERE code = ?1 "
      "GROUP BY referrer ORDER BY n DESC, referrer LIMIT ?2");
  if (!hosts) return hosts.error();
  (*hosts)->Bind(1, code);
  (*hosts)->Bind(2, static_cast<std::int64_t>(top));
  for (;;) {
    auto row = (*hosts)->Step();
    if (!row) return row.error();
    if (!*row) break;
    stats.top_referrers.push_back({(*hosts)->Text(0), (*hosts)->Int(1)});
  }
  return stats;
}

core::Result<std::uint64_t> ReserveIdsIn(SqliteDb& db, std::uint64_t count) {
  auto s = db.Prepare(
      "INSERT INTO counters (name, next) VALUES ('codes', 1 + ?1) "
      "ON CONFLICT (name) DO UPDATE SET next = next + ?1 RETURNING next - ?1");
  if (!s) return s.error();
  (*s)->Bind(1, static_cast<std::int64_t>(count));
  auto row = (*s)->Step();
  if (!row) return row.error();
  if (!*row) return core::Error(core::Code::kInternal, "sqlite: no counter row");
  const auto first = static_cast<std::uint64_t>((*s)->Int(0));
  if (auto ok = (*s)->Run(); !ok) return ok.error();
  return first;
}

core::Result<void> HeartbeatIn(SqliteDb& db) {
  // A real write: a full disk or a read-only file shows up here, not at the next create.
  auto s = db.Prepare("INSERT OR REPLACE INTO heartbeat (id, at) VALUES (1, ?1)");
  if (!s) return s.error();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  (*s)->Bind(1, static_cast<std::int64_t>(now));
  return s.value()->Run();
}

}  // namespace

core::Result<std::unique_ptr<SqliteLinkStore>> SqliteLinkStore::Open(
    SqliteExecutorOptions options) {
  auto executor = SqliteExecutor::Open(std::move(options), kSchema);
  if (!executor) return executor.error();
  return std::unique_ptr<SqliteLinkStore>(new SqliteLinkStore(std::move(*executor)));
}

// Each method builds its operation in a statement of its own and only then awaits it: g++ 12
// mishandles capturing lambdas in the same expression as a co_await (STYLE.md, trap 2).

core::Task<core::Result<Link>> SqliteLinkStore::Insert(NewLink link) {
  std::function<core::Result<Link>(SqliteDb&)> op = [link = std::move(link)](SqliteDb& db) {
    return InsertIn(db, link);
  };
  co_return co_await executor_->Write<Link>(std::move(op));
}

core::Task<core::Result<std::optional<Link>>> SqliteLinkStore::Find(std::string code) {
  std::function<core::Result<std::optional<Link>>(SqliteDb&)> op =
      [code = std::move(code)](SqliteDb& db) { return FindIn(db, code); };
  co_return co_await executor_->Read<std::optional<Link>>(std::move(op));
}

core::Task<core::Result<std::optional<Link>>> SqliteLinkStore::FindReusable(std::string url,
                                                                            int redirect) {
  std::function<core::Result<std::optional<Link>>(SqliteDb&)> op =
      [url = std::move(url), redirect](SqliteDb& db) { return FindReusableIn(db, url, redirect); };
  co_return co_await executor_->Read<std::optional<Link>>(std::move(op));
}

core::Task<core::Result<std::optional<Link>>> SqliteLinkStore::Delete(std::string code,
                                                                      std::int64_t at) {
  std::function<core::Result<std::optional<Link>>(SqliteDb&)> op =
      [code = std::move(code), at](SqliteDb& db) { return DeleteIn(db, code, at); };
  co_return co_await executor_->Write<std::optional<Link>>(std::move(op));
}

core::Task<core::Result<bool>> SqliteLinkStore::TakeCappedVisit(std::string code) {
  std::function<core::Result<bool>(SqliteDb&)> op = [code = std::move(code)](SqliteDb& db) {
    return TakeCappedVisitIn(db, code);
  };
  co_return co_await executor_->Write<bool>(std::move(op));
}

core::Task<core::Result<void>> SqliteLinkStore::AddVisits(std::vector<VisitCount> counts) {
  std::function<core::Result<void>(SqliteDb&)> op = [counts = std::move(counts)](SqliteDb& db) {
    return AddVisitsIn(db, counts);
  };
  co_return co_await executor_->Write<void>(std::move(op));
}

core::Task<core::Result<LinkStats>> SqliteLinkStore::Stats(std::string code,
                                                           std::size_t top_referrers) {
  std::function<core::Result<LinkStats>(SqliteDb&)> op = [code = std::move(code),
                                                          top_referrers](SqliteDb& db) {
    return StatsIn(db, code, top_referrers);
  };
  co_return co_await executor_->Read<LinkStats>(std::move(op));
}

core::Task<core::Result<std::uint64_t>> SqliteLinkStore::ReserveIds(std::uint64_t count) {
  std::function<core::Result<std::uint64_t>(SqliteDb&)> op = [count](SqliteDb& db) {
    return ReserveIdsIn(db, count);
  };
  co_return co_await executor_->Write<std::uint64_t>(std::move(op));
}

core::Task<core::Result<void>> SqliteLinkStore::Ping() {
  std::function<core::Result<void>(SqliteDb&)> op = HeartbeatIn;
  co_return co_await executor_->Write<void>(std::move(op));
}

}  // namespace shortener
