// One behavioural suite, run against both stores: SQLite in a temporary file, and a real
// PostgreSQL started by the test (each test in a schema of its own).
#include "02_url_shortener_service_mini/store/link_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>

#include "02_url_shortener_service_mini/store/pg_link_store.hpp"
#include "02_url_shortener_service_mini/store/sqlite_link_store.hpp"
#include "core/pg/testing/pg_test_server.hpp"

namespace shortener {
namespace {

using core::pg::testing::PgTestServer;
using core::pg::testing::RunToCompletion;

enum class Kind { kSqlite, kPostgres };

NewLink MakeLink(std::string code, std::string url = "https://example.com/") {
  NewLink link;
  link.code = std::move(code);
  link.url = std::move(url);
  link.created_at = 1'700'000'000;
  return link;
}

class LinkStoreTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kSqlite) {
      char tmpl[] = "/tmp/sd-links-XXXXXX";
      ASSERT_NE(::mkdtemp(tmpl), nullptr);
      dir_ = tmpl;
      SqliteExecutorOptions options;
      options.path = dir_ + "/links.db";
      options.synchronous_full = false;
      auto store = SqliteLinkStore::Open(options);
      ASSERT_TRUE(store) << store.error().detail;
      store_ = std::move(*store);
      return;
    }
    PgTestServer& postgres = core::pg::testing::SharedPgTestServer();
    ASSERT_TRUE(postgres.ok()) << postgres.error();
    auto schema = core::pg::testing::NewSchema(postgres, "t");
    ASSERT_TRUE(schema) << schema.error().detail;
    core::pg::PgPoolOptions options;
    options.conninfo = std::move(*schema);
    pool_ = std::make_unique<core::pg::PgPool>(options);
    auto store = std::make_unique<PgLinkStore>(*pool_);
    auto migrated = RunToCompletion(store->Migrate());
    ASSERT_TRUE(migrated) << migrated.error().detail;
    store_ = std::move(store);
  }
  void TearDown() override {
    store_.reset();
    pool_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  LinkStore& store() { return *store_; }

  std::string dir_;
  std::unique_ptr<core::pg::PgPool> pool_;
  std::unique_ptr<LinkStore> store_;
};

TEST_P(LinkStoreTest, StoresAndFindsALinkWithEveryField) {
  NewLink link = MakeLink("abc1234", "https://example.com/a?b=c");
  link.expires_at = 1'800'000'000;
  link.max_visits = 10;
  link.redirect = 308;
  link.custom = true;
  auto stored = RunToCompletion(store().Insert(link));
  ASSERT_TRUE(stored) << stored.error().detail;
  EXPECT_EQ(stored->code, "abc1234");
  auto found = RunToCompletion(store().Find("abc1234"));
  ASSERT_TRUE(found) << found.error().detail;
  ASSERT_TRUE(found->has_value());
  const Link& l = **found;
  EXPECT_EQ(l.url, "https://example.com/a?b=c");
  EXPECT_EQ(l.created_at, 1'700'000'000);
  EXPECT_EQ(l.expires_at, 1'800'000'000);
  EXPECT_EQ(l.max_visits, 10);
  EXPECT_EQ(l.redirect, 308);
  EXPECT_TRUE(l.custom);
  EXPECT_EQ(l.visits, 0);
  EXPECT_EQ(l.cap_used, 0);
  EXPECT_FALSE(l.deleted_at);
  EXPECT_EQ(l, *stored);
}

TEST_P(LinkStoreTest, UnknownCodeIsNotFoundAndCodesAreCaseSensitive) {
  ASSERT_TRUE(RunToCompletion(store().Insert(MakeLink("AbCdEf1"))));
  auto none = RunToCompletion(store().Find("abcdef1"));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(RunToCompletion(store().Insert(MakeLink("abcdef1"))));  // a different code
}

TEST_P(LinkStoreTest, ATakenCodeIsAConflictEvenAfterDelete) {
  ASSERT_TRUE(RunToCompletion(store().Insert(MakeLink("taken01"))));
  auto again = RunToCompletion(store().Insert(MakeLink("taken01", "https://other.example/")));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::Code::kConflict);
  ASSERT_TRUE(RunToCompletion(store().Delete("taken01", 1'700'000'100)));
  auto reuse = RunToCompletion(store().Insert(MakeLink("taken01")));
  ASSERT_FALSE(reuse);
  EXPECT_EQ(reuse.error().code, core::Code::kConflict);
  auto kept = RunToCompletion(store().Find("taken01"));
  EXPECT_EQ((*kept)->url, "https://example.com/");  // the original survives
}

core::Task<void> InsertInto(LinkStore* store, NewLink link, std::atomic<int>* ok,
                            std::atomic<int>* conflicts) {
  core::Result<Link> r = co_await store->Insert(std::move(link));
  if (r) ++*ok;
  if (!r && r.error().code == core::Code::kConflict) ++*conflicts;
}

TEST_P(LinkStoreTest, ConcurrentInsertsOfOneCodeLetExactlyOneWin) {
  boost::asio::io_context ioc;
  std::atomic<int> ok{0}, conflicts{0};
  for (int i = 0; i < 20; ++i) {
    boost::asio::co_spawn(
        ioc,
        InsertInto(&store(), MakeLink("race001", "https://e.example/" + std::to_string(i)), &ok,
                   &conflicts),
        boost::asio::detached);
  }
  ioc.run_for(std::chrono::seconds(60));
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflicts.load(), 19);
}

TEST_P(LinkStoreTest, DeleteLeavesATombstoneAndReportsTheLinkAsItWas) {
  ASSERT_TRUE(RunToCompletion(store().Insert(MakeLink("del0001"))));
  auto first = RunToCompletion(store().Delete("del0001", 1'700'000'500));
  ASSERT_TRUE(first && first->has_value());
  EXPECT_FALSE((*first)->deleted_at);  // as it was: live
  auto found = RunToCompletion(store().Find("del0001"));
  EXPECT_EQ((*found)->deleted_at, 1'700'000'500);
  auto second = RunToCompletion(store().Delete("del0001", 1'700'000'900));
  ASSERT_TRUE(second && second->has_value());
  EXPECT_EQ((*second)->deleted_at, 1'700'000'500);  // unchanged
  auto unknown = RunToCompletion(store().Delete("nope000", 1));
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(LinkStoreTest, ReusableLinksArePlainLiveGeneratedOnes) {
  const std::string url = "https://reuse.example/";
  NewLink custom = MakeLink("custom1", url);
  custom.custom = true;
  NewLink expiring = MakeLink("expire1", url);
  expiring.expires_at = 1'900'000'000;
  NewLink capped = MakeLink("capped1", url);
  capped.max_visits = 3;
  NewLink permanent = MakeLink("perm001", url);
  permanent.redirect = 301;
  for (const NewLink& l : {custom, expiring, capped, permanent}) {
    ASSERT_TRUE(RunToCompletion(store().Insert(l)));
  }
  auto none = RunToCompletion(store().FindReusable(url, 0));
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
  auto permanent_match = RunToCompletion(store().FindReusable(url, 301));
  ASSERT_TRUE(permanent_match && permanent_match->has_value());
  EXPECT_EQ((*permanent_match)->code, "perm001");
  ASSERT_TRUE(RunToCompletion(store().Insert(MakeLink("plain01", url))));
  auto plain = RunToCompletion(store().FindReusable(url, 0));
  EXPECT_EQ((*plain)->code, "plain01");
  ASSERT_TRUE(RunToCompletion(store().Delete("plain01", 1'700'000'001)));
  EXPECT_FALSE(RunToCompletion(store().FindReusable(url, 0))->has_value());
}

TEST_P(LinkStoreTest, CappedVisitsStopAtTheCap) {
  NewLink capped = MakeLink("cap0001");
  capped.max_visits = 2;
  ASSERT_TRUE(RunToCompletion(store().Insert(capped)));
  ASSERT_TRUE(RunToCompletion(store().Insert(MakeLink("free001"))));
  EXPECT_TRUE(RunToCompletion(store().TakeCappedVisit("cap0001")).value());
  EXPECT_TRUE(RunToCompletion(store().TakeCappedVisit("cap0001")).value());
  EXPECT_FALSE(RunToCompletion(store().TakeCappedVisit("cap0001")).value());
  EXPECT_FALSE(RunToCompletion(store().TakeCappedVisit("free001")).value());
  EXPECT_FALSE(RunToCompletion(store().TakeCappedVisit("unknown")).value());
  auto link = RunToCompletion(store().Find("cap0001"));
  EXPECT_EQ((*link)->cap_used, 2);
  EXPECT_EQ(StateAt(**link, 0), LinkState::kExhausted);
}

TEST_P(LinkStoreTest, VisitsAddUpIntoStats) {
  ASSERT_TRUE(RunToCompletion(store().Insert(MakeLink("vis0001"))));
  std::vector<VisitCount> batch = {{"vis0001", 19000, "", false, 3},
                                   {"vis0001", 19000, "news.example", false, 5},
                                   {"vis0001", 19001, "news.example", true, 2},
                                   {"unknown", 19000, "x.example", false, 7}};
  ASSERT_TRUE(RunToCompletion(store().AddVisits(batch)));
  std::vector<VisitCount> more = {{"vis0001", 19001, "blog.example", false, 1},
                                  {"vis0001", 19000, "", false, 1}};
  ASSERT_TRUE(RunToCompletion(store().AddVisits(more)));
  ASSERT_TRUE(RunToCompletion(store().AddVisits({})));
  auto stats = RunToCompletion(store().Stats("vis0001", 2));
  ASSERT_TRUE(stats) << stats.error().detail;
  EXPECT_EQ(stats->visits, 12);
  EXPECT_EQ(stats->bot_visits, 2);
  EXPECT_EQ(stats->per_day, (std::vector<DayCount>{{19000, 9}, {19001, 3}}));
  EXPECT_EQ(stats->top_referrers, (std::vector<HostCount>{{"news.example", 7}, {"", 4}}));
  auto link = RunToCompletion(store().Find("vis0001"));
  EXPECT_EQ((*link)->visits, 12);
  auto unknown = RunToCompletion(store().Stats("unknown", 5));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->visits, 0);  // visits of unknown codes were dropped
  EXPECT_TRUE(unknown->per_day.empty());
}

TEST_P(LinkStoreTest, ReservedIdBlocksNeverOverlap) {
  auto a = RunToCompletion(store().ReserveIds(100));
  auto b = RunToCompletion(store().ReserveIds(50));
  auto c = RunToCompletion(store().ReserveIds(1));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, 1u);
  EXPECT_EQ(*b, 101u);
  EXPECT_EQ(*c, 151u);
}

TEST_P(LinkStoreTest, PingSucceedsOnAHealthyStore) {
  auto ping = RunToCompletion(store().Ping());
  EXPECT_TRUE(ping) << ping.error().detail;
}

INSTANTIATE_TEST_SUITE_P(Stores, LinkStoreTest, ::testing::Values(Kind::kSqlite, Kind::kPostgres),
                         [](const auto& param_info) {
                           return param_info.param == Kind::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace shortener
