#include "02_url_shortener_service_mini/store/pg_link_store.hpp"

namespace shortener {
namespace {

using core::pg::PgParam;
using core::pg::PgResult;

// Codes compare byte-wise (COLLATE "C"): base62 is case-sensitive, and "C" is also the fastest.
// The reuse index is a hash index: URLs may be longer than a B-tree entry allows.
constexpr const char* kSchema = R"sql(
SELECT pg_advisory_xact_lock(2002);
CREATE TABLE IF NOT EXISTS links (
  code       text COLLATE "C" PRIMARY KEY,
  url        text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint,
  max_visits bigint,
  redirect   integer NOT NULL DEFAULT 0,
  custom     boolean NOT NULL DEFAULT false,
  visits     bigint NOT NULL DEFAULT 0,
  cap_used   bigint NOT NULL DEFAULT 0,
  deleted_at bigint
);
CREATE INDEX IF NOT EXISTS links_reusable ON links USING hash (url)
  WHERE deleted_at IS NULL AND NOT custom AND expires_at IS NULL AND max_visits IS NULL;
CREATE TABLE IF NOT EXISTS visit_counts (
  code     text COLLATE "C" NOT NULL,
  day      bigint NOT NULL,
  referrer text NOT NULL,
  bot      boolean NOT NULL,
  count    bigint NOT NULL,
  PRIMARY KEY (code, day, referrer, bot)
);
CREATE TABLE IF NOT EXISTS counters (name text PRIMARY KEY, next bigint NOT NULL);
)sql";

constexpr const char* kColumns =
    "code, url, created_at, expires_at, max_visits, redirect, custom, visits, cap_used, "
    "deleted_at";

Link ReadLink(const PgResult& r, int row) {
  Link link;
  link.code = std::string(r.Text(row, 0));
  link.url = std::string(r.Text(row, 1));
  link.created_at = r.Int(row, 2);
  link.expires_at = r.OptionalInt(row, 3);
  link.max_visits = r.OptionalInt(row, 4);
  link.redirect = static_cast<int>(r.Int(row, 5));
  link.custom = r.Bool(row, 6);
  link.visits = r.Int(row, 7);
  link.cap_used = r.Int(row, 8);
  link.deleted_at = r.OptionalInt(row, 9);
  return link;
}

std::optional<Link> FirstLink(const PgResult& r) {
  if (r.rows() == 0) return std::nullopt;
  return ReadLink(r, 0);
}

PgParam Optional(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

}  // namespace

core::Task<core::Result<PgResult>> PgLinkStore::Run(std::string sql, std::vector<PgParam> params) {
  core::Result<PgResult> r = co_await pool_.Query(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  if (!r->ok()) {
    if (r->sqlstate() == core::pg::kUniqueViolation) {
      co_return core::Error(core::Code::kConflict, "postgres: " + r->error());
    }
    co_return core::pg::StatementError(*r);
  }
  co_return std::move(*r);
}

core::Task<core::Result<void>> PgLinkStore::Migrate() {
  return core::pg::RunScript(pool_, kSchema);
}

core::Task<core::Result<Link>> PgLinkStore::Insert(NewLink link) {
  std::vector<PgParam> params = {link.code,
                                 link.url,
                                 std::to_string(link.created_at),
                                 Optional(link.expires_at),
                                 Optional(link.max_visits),
                                 std::to_string(link.redirect),
                                 link.custom ? "true" : "false"};
  core::Result<PgResult> r = co_await Run(
      "INSERT INTO links (code, url, created_at, expires_at, max_visits, redirect, custom) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
      std::move(params));
  if (!r) co_return r.error();
  if (r->affected() != 1) {
    co_return core::Error(core::Code::kConflict, "postgres: code " + link.code + " is taken");
  }
  Link stored;
  stored.code = std::move(link.code);
  stored.url = std::move(link.url);
  stored.created_at = link.created_at;
  stored.expires_at = link.expires_at;
  stored.max_visits = link.max_visits;
  stored.redirect = link.redirect;
  stored.custom = link.custom;
  co_return stored;
}

core::Task<core::Result<std::optional<Link>>> PgLinkStore::Find(std::string code) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM links WHERE code = $1";
  std::vector<PgParam> params = {std::move(code)};
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  co_return FirstLink(*r);
}

core::Task<core::Result<std::optional<Link>>> PgLinkStore::FindReusable(std::string url,
                                                                        int redirect) {
  std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM links WHERE url = $1 AND deleted_at IS NULL AND NOT custom AND expires_at IS NULL "
      "AND max_visits IS NULL AND redirect = $2 ORDER BY created_at, code LIMIT 1";
  std::vector<PgParam> params = {std::move(url), std::to_string(redirect)};
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  co_return FirstLink(*r);
}

core::Task<core::Result<std::optional<Link>>> PgLinkStore::Delete(std::string code,
                                                                  std::int64_t at) {
  // One statement: `old` reads the row as it was (same snapshot), the UPDATE sets the tombstone.
  std::string sql = std::string("WITH old AS (SELECT ") + kColumns +
                    " FROM links WHERE code = $1), upd AS (UPDATE links SET deleted_at = $2 "
                    "WHERE code = $1 AND deleted_at IS NULL) SELECT * FROM old";
  std::vector<PgParam> params = {std::move(code), std::to_string(at)};
  core::Result<PgResult> r = co_await Run(std::move(sql), std::move(params));
  if (!r) co_return r.error();
  co_return FirstLink(*r);
}

core::Task<core::Result<bool>> PgLinkStore::TakeCappedVisit(std::string code) {
  std::vector<PgParam> params = {std::move(code)};
  core::Result<PgResult> r = co_await Run(
      "UPDATE links SET cap_used = cap_used + 1 WHERE code = $1 AND max_visits IS NOT NULL "
      "AND cap_used < max_visits AND deleted_at IS NULL",
      std::move(params));
  if (!r) co_return r.error();
  co_return r->affected() == 1;
}

core::Task<core::Result<void>> PgLinkStore::AddVisits(std::vector<VisitCount> counts) {
  if (counts.empty()) co_return core::Result<void>();
  std::vector<std::string> codes, days, referrers, bots, numbers;
  for (const VisitCount& c : counts) {
    codes.push_back(c.code);
    days.push_back(std::to_string(c.day));
    referrers.push_back(c.referrer_host);
    bots.push_back(c.bot ? "t" : "f");
    numbers.push_back(std::to_string(c.count));
  }
  std::vector<PgParam> params = {core::pg::PgTextArray(codes), core::pg::PgTextArray(days),
                                 core::pg::PgTextArray(referrers), core::pg::PgTextArray(bots),
                                 core::pg::PgTextArray(numbers)};
  // The rows arrive aggregated (unique keys), as ON CONFLICT DO UPDATE requires within a statement.
  core::Result<PgResult> r = co_await Run(
      "WITH v AS (SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::boolean[], "
      "$5::bigint[]) AS v(code, day, referrer, bot, count) "
      "WHERE EXISTS (SELECT 1 FROM links l WHERE l.code = v.code)), "
      "ins AS (INSERT INTO visit_counts (code, day, referrer, bot, count) "
      "SELECT code, day, referrer, bot, count FROM v ORDER BY code, day, referrer, bot "
      "ON CONFLICT (code, day, referrer, bot) DO UPDATE SET count = visit_counts.count + "
      "excluded.count) "
      "UPDATE links SET visits = links.visits + s.n "
      "FROM (SELECT code, sum(count) AS n FROM v GROUP BY code) s WHERE links.code = s.code",
      std::move(params));
  if (!r) co_return r.error();
  co_return core::Result<void>();
}

core::Task<core::Result<LinkStats>> PgLinkStore::Stats(std::string code,
                                                       std::size_t top_referrers) {
  LinkStats stats;
  std::vector<PgParam> day_params = {code};
  core::Result<PgResult> days = co_await Run(
      "SELECT day, sum(count), sum(CASE WHEN bot THEN count ELSE 0 END) FROM visit_counts "
      "WHERE code = $1 GROUP BY day ORDER BY day",
      std::move(day_params));
  if (!days) co_return days.error();
  for (int i = 0; i < days->rows(); ++i) {
    stats.per_day.push_back({days->Int(i, 0), days->Int(i, 1)});
    stats.visits += days->Int(i, 1);
    stats.bot_visits += days->Int(i, 2);
  }
  std::vector<PgParam> host_params = {std::move(code), std::to_string(top_referrers)};
  core::Result<PgResult> hosts = co_await Run(
      "SELECT referrer, sum(count) AS n FROM visit_counts WHERE code = $1 GROUP BY referrer "
      "ORDER BY n DESC, referrer LIMIT $2",
      std::move(host_params));
  if (!hosts) co_return hosts.error();
  for (int i = 0; i < hosts->rows(); ++i) {
    stats.top_referrers.push_back({std::string(hosts->Text(i, 0)), hosts->Int(i, 1)});
  }
  co_return stats;
}

core::Task<core::Result<std::uint64_t>> PgLinkStore::ReserveIds(std::uint64_t count) {
  std::vector<PgParam> params = {std::to_string(count)};
  core::Result<PgResult> r = co_await Run(
      "INSERT INTO counters (name, next) VALUES ('codes', 1 + $1::bigint) ON CONFLICT (name) "
      "DO UPDATE SET next = counters.next + $1::bigint RETURNING next - $1::bigint",
      std::move(params));
  if (!r) co_return r.error();
  if (r->rows() != 1) co_return core::Error(core::Code::kInternal, "postgres: no counter row");
  co_return static_cast<std::uint64_t>(r->Int(0, 0));
}

core::Task<core::Result<void>> PgLinkStore::Ping() {
  std::vector<PgParam> none;
  core::Result<PgResult> r = co_await Run("SELECT 1", std::move(none));
  if (!r) co_return r.error();
  co_return core::Result<void>();
}

}  // namespace shortener
