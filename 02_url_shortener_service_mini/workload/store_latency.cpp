// What keeping database calls off the network threads costs, measured: one point read (a link by
// code) done four ways —
//   sqlite direct     sqlite3 on the calling thread (what blocking the network thread would cost)
//   sqlite executor   the same read on the store's reader thread, awaited by a coroutine (two
//                     thread hand-offs: the price of never blocking a network thread)
//   postgres pool     through core/pg's non-blocking pool, one at a time (no thread hand-off:
//                     the coroutine waits on the socket) — mostly PostgreSQL's own round trip
//   postgres pool xN  N reads in flight at once on one io_context thread
// and prints microseconds per read. PostgreSQL is started by the tool (initdb in a temp dir).
//
//   shortener_store_latency [--reads 20000] [--concurrency 32]
#include <CLI/CLI.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "02_url_shortener_service_mini/store/pg_link_store.hpp"
#include "02_url_shortener_service_mini/store/sqlite_link_store.hpp"
#include "core/pg/testing/pg_test_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using shortener::LinkStore;

double Micros(Clock::duration d, int n) {
  return std::chrono::duration<double, std::micro>(d).count() / n;
}

core::Task<void> ReadMany(LinkStore* store, int n, int* failures) {
  for (int i = 0; i < n; ++i) {
    core::Result<std::optional<shortener::Link>> r = co_await store->Find("bench01");
    if (!r || !*r) ++*failures;
  }
}

// `concurrency` coroutines sharing `reads` reads, on one io_context thread.
double Timed(LinkStore& store, int reads, int concurrency, int* failures) {
  boost::asio::io_context ioc(1);
  const auto start = Clock::now();
  for (int c = 0; c < concurrency; ++c) {
    boost::asio::co_spawn(ioc, ReadMany(&store, reads / concurrency, failures),
                          boost::asio::detached);
  }
  ioc.run();
  return Micros(Clock::now() - start, reads / concurrency * concurrency);
}

shortener::NewLink Link() {
  shortener::NewLink l;
  l.code = "bench01";
  l.url = "https://www.example.com/articles/2024/05/bench";
  l.created_at = 1;
  return l;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Microseconds per point read: direct, through the SQLite executor, through PgPool."};
  int reads = 20000;
  int concurrency = 32;
  app.add_option("--reads", reads);
  app.add_option("--concurrency", concurrency);
  CLI11_PARSE(app, argc, argv);
  int failures = 0;

  const auto dir = std::filesystem::temp_directory_path() / "sd-store-latency";
  std::filesystem::remove_all(dir);
  shortener::SqliteExecutorOptions options;
  options.path = (dir / "links.db").string();
  auto sqlite = shortener::SqliteLinkStore::Open(options);
  if (!sqlite) {
    std::fprintf(stderr, "%s\n", sqlite.error().detail.c_str());
    return 1;
  }
  (void)core::pg::testing::RunToCompletion((*sqlite)->Insert(Link()));
  {
    auto db = shortener::SqliteDb::Open(options.path, false);
    auto start = Clock::now();
    for (int i = 0; i < reads; ++i) {
      auto s = (*db)->Prepare("SELECT url FROM links WHERE code = ?1");
      (*s)->Bind(1, std::string_view("bench01"));
      auto row = (*s)->Step();
      if (!row || !*row) ++failures;
      (*s)->Reset();
    }
    std::printf("sqlite direct        %8.2f µs/read\n", Micros(Clock::now() - start, reads));
  }
  std::printf("sqlite executor      %8.2f µs/read\n", Timed(**sqlite, reads, 1, &failures));
  std::printf("sqlite executor x%-3d %8.2f µs/read (wall time / reads)\n", concurrency,
              Timed(**sqlite, reads, concurrency, &failures));
  (*sqlite)->Close();

  core::pg::testing::PgTestServer server;
  if (!server.ok()) {
    std::fprintf(stderr, "postgres: %s\n", server.error().c_str());
    return 1;
  }
  core::pg::PgPoolOptions pool_options;
  pool_options.conninfo = server.conninfo();
  pool_options.max_connections = static_cast<std::size_t>(concurrency);
  core::pg::PgPool pool(pool_options);
  shortener::PgLinkStore pg(pool);
  (void)core::pg::testing::RunToCompletion(pg.Migrate());
  (void)core::pg::testing::RunToCompletion(pg.Insert(Link()));
  std::printf("postgres pool        %8.2f µs/read\n", Timed(pg, reads, 1, &failures));
  std::printf("postgres pool x%-3d   %8.2f µs/read (wall time / reads)\n", concurrency,
              Timed(pg, reads, concurrency, &failures));
  std::filesystem::remove_all(dir);
  if (failures != 0) std::printf("FAILED reads: %d\n", failures);
  return failures == 0 ? 0 : 1;
}
