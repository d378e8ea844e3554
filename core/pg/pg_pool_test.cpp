#include "core/pg/pg_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

#include "core/pg/testing/pg_test_server.hpp"

namespace core::pg {
namespace {

using testing::PgTestServer;
using testing::RunToCompletion;
using namespace std::chrono_literals;

// One server for the tests that do not stop it (initdb costs about a second).
using testing::SharedPgTestServer;

class PgPoolTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(SharedPgTestServer().ok()) << SharedPgTestServer().error(); }
  PgPoolOptions Options() {
    PgPoolOptions o;
    o.conninfo = SharedPgTestServer().conninfo();
    return o;
  }
};

Task<Result<PgResult>> Q(PgPool& pool, std::string sql, std::vector<PgParam> params = {}) {
  co_return co_await pool.Query(std::move(sql), std::move(params));
}

TEST_F(PgPoolTest, RunsStatementsWithParametersAndNulls) {
  PgPool pool(Options());
  ASSERT_TRUE(
      RunToCompletion(Q(pool, "DROP TABLE IF EXISTS t1; CREATE TABLE t1 (k text, v bigint)"))
          ->ok());
  auto ins = RunToCompletion(
      Q(pool, "INSERT INTO t1 VALUES ($1, $2), ($3, $4)", {"a", "1", "b", std::nullopt}));
  ASSERT_TRUE(ins);
  ASSERT_TRUE(ins->ok()) << ins->error();
  EXPECT_EQ(ins->affected(), 2);
  auto sel = RunToCompletion(Q(pool, "SELECT k, v FROM t1 ORDER BY k"));
  ASSERT_TRUE(sel && sel->ok());
  ASSERT_EQ(sel->rows(), 2);
  EXPECT_EQ(sel->Text(0, 0), "a");
  EXPECT_EQ(sel->Int(0, 1), 1);
  EXPECT_TRUE(sel->IsNull(1, 1));
  EXPECT_EQ(sel->OptionalInt(1, 1), std::nullopt);
  EXPECT_EQ(pool.Stats().connects, 1u);  // one connection, reused
}

TEST_F(PgPoolTest, ARefusedStatementIsAResultWithItsSqlstate) {
  PgPool pool(Options());
  ASSERT_TRUE(
      RunToCompletion(Q(pool, "DROP TABLE IF EXISTS t2; CREATE TABLE t2 (k text PRIMARY KEY)"))
          ->ok());
  ASSERT_TRUE(RunToCompletion(Q(pool, "INSERT INTO t2 VALUES ('x')"))->ok());
  auto dup = RunToCompletion(Q(pool, "INSERT INTO t2 VALUES ('x')"));
  ASSERT_TRUE(dup);  // not an Error: the server answered
  EXPECT_FALSE(dup->ok());
  EXPECT_EQ(dup->sqlstate(), kUniqueViolation);
  auto syntax = RunToCompletion(Q(pool, "SELEKT 1"));
  ASSERT_TRUE(syntax);
  EXPECT_EQ(syntax->sqlstate(), "42601");
  auto after = RunToCompletion(Q(pool, "SELECT 1"));  // the connection is still good
  ASSERT_TRUE(after && after->ok());
  EXPECT_EQ(pool.Stats().discarded, 0u);
  EXPECT_EQ(pool.Stats().sql_errors, 2u);
}

Task<Result<std::int64_t>> RolledBackInsert(PgPool& pool, bool leave_open) {
  Result<PgPool::Lease> lease = co_await pool.Acquire();
  if (!lease) co_return lease.error();
  Result<PgResult> begin = co_await lease->Query("BEGIN");
  if (!begin) co_return begin.error();
  Result<PgResult> ins = co_await lease->Query("INSERT INTO t3 VALUES (42)");
  if (!ins) co_return ins.error();
  if (!leave_open) {
    Result<PgResult> rollback = co_await lease->Query("ROLLBACK");
    if (!rollback) co_return rollback.error();
  }
  co_return ins->affected();
}

TEST_F(PgPoolTest, ALeaseRunsATransactionAndADirtyOneIsNotReused) {
  PgPool pool(Options());
  ASSERT_TRUE(RunToCompletion(Q(pool, "DROP TABLE IF EXISTS t3; CREATE TABLE t3 (v int)"))->ok());
  EXPECT_EQ(RunToCompletion(RolledBackInsert(pool, false)).value(), 1);
  EXPECT_EQ(pool.Stats().discarded, 0u);
  // Returned inside a transaction: closed (the server rolls it back), never handed to another.
  EXPECT_EQ(RunToCompletion(RolledBackInsert(pool, true)).value(), 1);
  EXPECT_EQ(pool.Stats().discarded, 1u);
  auto count = RunToCompletion(Q(pool, "SELECT count(*) FROM t3"));
  ASSERT_TRUE(count && count->ok());
  EXPECT_EQ(count->Int(0, 0), 0);
}

// LISTEN on a lease, NOTIFY from another connection: the waiting lease hears it; with nothing
// sent it returns empty when its time is up, and the connection stays usable.
Task<Result<std::vector<PgNotification>>> ListenThenWait(PgPool& listener, PgPool& sender) {
  Result<PgPool::Lease> lease = co_await listener.Acquire();
  if (!lease) co_return lease.error();
  Result<PgResult> listened = co_await lease->Query("LISTEN sd_test_channel");
  if (!listened || !listened->ok()) co_return Error(Code::kInternal, "LISTEN failed");
  Result<std::vector<PgNotification>> quiet = co_await lease->WaitForNotifications(50ms);
  if (!quiet || !quiet->empty()) co_return Error(Code::kInternal, "expected silence");
  Result<PgResult> sent = co_await sender.Query("SELECT pg_notify('sd_test_channel', 'hello')");
  if (!sent || !sent->ok()) co_return Error(Code::kInternal, "NOTIFY failed");
  co_return co_await lease->WaitForNotifications(10s);
}

TEST_F(PgPoolTest, ALeaseThatListensHearsNotifications) {
  PgPool listener(Options());
  PgPool sender(Options());
  auto got = RunToCompletion(ListenThenWait(listener, sender));
  ASSERT_TRUE(got) << got.error().detail;
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].channel, "sd_test_channel");
  EXPECT_EQ((*got)[0].payload, "hello");
}

TEST_F(PgPoolTest, AStatementPastItsDeadlineTimesOutAndItsConnectionIsDropped) {
  PgPool pool(Options());
  auto slow = RunToCompletion(pool.Query("SELECT pg_sleep(5)", {}, 50ms));
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().code, Code::kTimeout);
  EXPECT_EQ(pool.Stats().timeouts, 1u);
  EXPECT_EQ(pool.Stats().discarded, 1u);
  auto next = RunToCompletion(Q(pool, "SELECT 1"));  // a new connection
  ASSERT_TRUE(next && next->ok());
  EXPECT_EQ(pool.Stats().connects, 2u);
}

// Runs `n` copies of `sql` concurrently on one io_context; returns how many succeeded and the
// error codes of the rest.
struct Outcome {
  int ok = 0;
  std::vector<Code> errors;
};
Task<void> OneQuery(PgPool* pool, std::string sql, Outcome* out) {
  Result<PgResult> r = co_await pool->Query(sql);
  if (r && r->ok()) {
    ++out->ok;
  } else {
    out->errors.push_back(r ? Code::kInternal : r.error().code);
  }
}
Outcome Concurrently(PgPool& pool, int n, const std::string& sql) {
  boost::asio::io_context ioc;
  Outcome out;
  for (int i = 0; i < n; ++i)
    boost::asio::co_spawn(ioc, OneQuery(&pool, sql, &out), boost::asio::detached);
  ioc.run_for(60s);
  return out;
}

TEST_F(PgPoolTest, CallersBeyondMaxConnectionsWaitTheirTurn) {
  PgPoolOptions o = Options();
  o.max_connections = 2;
  PgPool pool(o);
  const Outcome out = Concurrently(pool, 10, "SELECT pg_sleep(0.02)");
  EXPECT_EQ(out.ok, 10);
  EXPECT_TRUE(out.errors.empty());
  const PgPoolStats s = pool.Stats();
  EXPECT_EQ(s.connects, 2u);
  EXPECT_EQ(s.open, 2u);
  EXPECT_EQ(s.waits, 8u);
}

TEST_F(PgPoolTest, TooManyWaitersAreRefusedAtOnce) {
  PgPoolOptions o = Options();
  o.max_connections = 1;
  o.max_waiters = 2;
  PgPool pool(o);
  const Outcome out = Concurrently(pool, 6, "SELECT pg_sleep(0.02)");
  EXPECT_EQ(out.ok, 3);  // one running, two waiting
  EXPECT_EQ(out.errors, std::vector<Code>(3, Code::kUnavailable));
}

TEST_F(PgPoolTest, AWaitPastAcquireTimeoutIsATimeout) {
  PgPoolOptions o = Options();
  o.max_connections = 1;
  o.acquire_timeout = 20ms;
  PgPool pool(o);
  const Outcome out = Concurrently(pool, 2, "SELECT pg_sleep(0.5)");
  EXPECT_EQ(out.ok, 1);
  EXPECT_EQ(out.errors, std::vector<Code>{Code::kTimeout});
}

TEST_F(PgPoolTest, TextArraysCarryQuotesAndBackslashes) {
  PgPool pool(Options());
  const std::vector<std::string> values = {"plain", "with \"quotes\"", "back\\slash", "", "{,}"};
  auto r = RunToCompletion(
      Q(pool, "SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS u(v, i) ORDER BY i",
        {PgTextArray(values)}));
  ASSERT_TRUE(r && r->ok()) << (r ? r->error() : r.error().detail);
  ASSERT_EQ(r->rows(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(r->Text(i, 0), values[i]);
  EXPECT_EQ(PgTextArray({}), "{}");
}

TEST_F(PgPoolTest, ThreadsWithTheirOwnIoContextsShareOnePool) {
  PgPoolOptions o = Options();
  o.max_connections = 3;
  PgPool pool(o);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      const Outcome out = Concurrently(pool, 100, "SELECT 1");
      ok += out.ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_LE(pool.Stats().connects, 3u);
}

TEST(PgPoolDownTest, AStoppedServerIsUnavailableThenBackOffThenRecovers) {
  PgTestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  PgPoolOptions o;
  o.conninfo = server.conninfo();
  o.reconnect_backoff = 1h;  // long enough that the second call below must hit it
  {
    PgPool pool(o);
    ASSERT_TRUE(RunToCompletion(Q(pool, "SELECT 1"))->ok());
    server.Stop();
    auto lost = RunToCompletion(Q(pool, "SELECT 1"));  // the pooled connection is dead
    ASSERT_FALSE(lost);
    EXPECT_EQ(lost.error().code, Code::kUnavailable);
    auto refused = RunToCompletion(Q(pool, "SELECT 1"));  // connect fails: refused
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Code::kUnavailable);
    auto backing_off = RunToCompletion(Q(pool, "SELECT 1"));  // no new attempt
    ASSERT_FALSE(backing_off);
    EXPECT_NE(backing_off.error().detail.find("backoff"), std::string::npos);
    EXPECT_EQ(pool.Stats().connect_failures, 1u);
  }
  o.reconnect_backoff = 0ms;
  PgPool pool(o);
  ASSERT_FALSE(RunToCompletion(Q(pool, "SELECT 1")));
  ASSERT_TRUE(server.Start()) << server.error();
  auto back = RunToCompletion(Q(pool, "SELECT 1"));
  ASSERT_TRUE(back && back->ok());
}

TEST(PgPoolDownTest, AnIdleConnectionThatDiedIsReplacedNotHandedOut) {
  PgTestServer server;
  ASSERT_TRUE(server.ok()) << server.error();
  PgPoolOptions o;
  o.conninfo = server.conninfo();
  o.reconnect_backoff = 0ms;
  PgPool pool(o);
  ASSERT_TRUE(RunToCompletion(Q(pool, "SELECT 1"))->ok());
  // A restart while the connection sits idle: the server says "terminating connection" (57P01)
  // and closes. The next caller must get a fresh connection, not that news.
  server.Stop();
  ASSERT_TRUE(server.Start()) << server.error();
  auto after = RunToCompletion(Q(pool, "SELECT 1"));
  ASSERT_TRUE(after) << after.error().detail;
  EXPECT_TRUE(after->ok()) << after->error();
  EXPECT_EQ(pool.Stats().discarded, 1u);
  EXPECT_EQ(pool.Stats().connects, 2u);
}

TEST(PgResultTest, ServerSideFailuresAreToldFromStatementErrors) {
  PgTestServer& server = SharedPgTestServer();
  ASSERT_TRUE(server.ok()) << server.error();
  PgPoolOptions o;
  o.conninfo = server.conninfo();
  PgPool pool(o);
  auto syntax = RunToCompletion(Q(pool, "SELEKT 1"));
  ASSERT_TRUE(syntax);
  EXPECT_FALSE(syntax->ServerUnavailable());
  // 57014 (query_canceled, class 57) stands for the class: raised by the server on purpose here.
  auto canceled = RunToCompletion(
      Q(pool, "DO $$ BEGIN RAISE EXCEPTION 'x' USING ERRCODE = 'query_canceled'; END $$"));
  ASSERT_TRUE(canceled);
  EXPECT_EQ(canceled->sqlstate(), "57014");
  EXPECT_TRUE(canceled->ServerUnavailable());
}

TEST(PgPoolClosedTest, AClosedPoolRefuses) {
  PgPoolOptions o;
  o.conninfo = "host=127.0.0.1 port=1 dbname=x user=x";
  PgPool pool(o);
  pool.Close();
  auto r = RunToCompletion(Q(pool, "SELECT 1"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnavailable);
}

}  // namespace
}  // namespace core::pg
