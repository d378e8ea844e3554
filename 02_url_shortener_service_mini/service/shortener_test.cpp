// The service's rules against a real (SQLite) store in a temporary file, with fake clocks and a
// scripted code source where collisions must be forced.
#include "02_url_shortener_service_mini/service/shortener.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <deque>
#include <filesystem>

#include "02_url_shortener_service_mini/service/store_health.hpp"
#include "02_url_shortener_service_mini/store/sqlite_link_store.hpp"
#include "core/pg/testing/pg_test_server.hpp"

namespace shortener {
namespace {

using core::pg::testing::RunToCompletion;
using namespace std::chrono_literals;

// Hands out the codes it was given, then random ones.
class ScriptedCodes final : public CodeSource {
 public:
  std::deque<std::string> codes;
  core::Task<core::Result<std::string>> Next() override {
    if (codes.empty()) co_return RandomBase62(7);
    std::string c = codes.front();
    codes.pop_front();
    co_return c;
  }
};

class ShortenerTest : public ::testing::Test {
 protected:
  ShortenerTest() : policy_(PolicyOptions(), HostBlocklist({"blocked.example"})) {}

  static UrlPolicyOptions PolicyOptions() {
    UrlPolicyOptions o;
    o.self_hosts = {"sho.rt"};
    return o;
  }

  void SetUp() override {
    char tmpl[] = "/tmp/sd-shortener-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    SqliteExecutorOptions o;
    o.path = dir_ + "/links.db";
    o.synchronous_full = false;
    auto store = SqliteLinkStore::Open(o);
    ASSERT_TRUE(store) << store.error().detail;
    store_ = std::move(*store);
    Restart();
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // A fresh instance on the same store: an empty cache (what another replica would see).
  void Restart(ShortenerOptions options = {}) {
    service_.reset();
    LinkCacheOptions co;
    co.max_bytes = 1 << 20;
    co.negative_max_bytes = 64 << 10;
    co.shards = 2;
    co.negative_ttl = 5s;
    co.positive_ttl = 300s;
    cache_ = LinkCache::Create(co, clock_).value();
    visits_ = std::make_unique<VisitRecorder>(4);
    service_ =
        std::make_unique<Shortener>(options, policy_, *store_, *cache_, codes_, *visits_, wall_);
  }

  core::Result<CreateResult> Create(CreateRequest r) {
    return RunToCompletion(service_->Create(std::move(r)));
  }
  static CreateRequest Url(std::string url) {
    CreateRequest r;
    r.url = std::move(url);
    return r;
  }
  Resolution Resolve(const std::string& code, std::string referer = "") {
    auto r = RunToCompletion(service_->Resolve(code, std::move(referer), "Mozilla/5.0 Firefox"));
    EXPECT_TRUE(r) << r.error().detail;
    return r ? *r : Resolution{};
  }

  core::FakeClock clock_;
  cache::FakeWallClock wall_{1'700'000'000};
  UrlPolicy policy_;
  ScriptedCodes codes_;
  std::string dir_;
  std::unique_ptr<SqliteLinkStore> store_;
  std::unique_ptr<LinkCache> cache_;
  std::unique_ptr<VisitRecorder> visits_;
  std::unique_ptr<Shortener> service_;
};

TEST_F(ShortenerTest, CreatesARandomCodeAndRedirectsWith302ByDefault) {
  auto made = Create(Url("https://example.com/page"));
  ASSERT_TRUE(made) << made.error().detail;
  EXPECT_TRUE(made->created);
  EXPECT_EQ(made->attempts, 1);
  EXPECT_EQ(made->link.code.size(), 7u);
  EXPECT_TRUE(IsBase62(made->link.code));
  EXPECT_EQ(made->link.created_at, 1'700'000'000);
  const Resolution r = Resolve(made->link.code);
  EXPECT_EQ(r.outcome, Outcome::kRedirect);
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.url, "https://example.com/page");
  EXPECT_EQ(service_->Counters().store_lookups, 1u);
  Resolve(made->link.code);  // now from memory
  EXPECT_EQ(service_->Counters().store_lookups, 1u);
  EXPECT_EQ(service_->Counters().cache_hits, 1u);
}

TEST_F(ShortenerTest, RejectsEachBadFieldNamingIt) {
  struct Case {
    CreateRequest request;
    std::string expect;
  };
  std::vector<Case> cases;
  cases.push_back({Url("javascript:alert(1)"), "url rejected (scheme)"});
  cases.push_back({Url("https://blocked.example/x"), "url rejected (blocked_host)"});
  cases.push_back({Url("https://sho.rt/r/abc"), "url rejected (self_link)"});
  CreateRequest alias = Url("https://example.com");
  alias.alias = "admin";
  cases.push_back({alias, "reserved"});
  CreateRequest both = Url("https://example.com");
  both.ttl_seconds = 10;
  both.expires_at = 1'800'000'000;
  cases.push_back({both, "not both"});
  CreateRequest ttl = Url("https://example.com");
  ttl.ttl_seconds = 0;
  cases.push_back({ttl, "ttl:"});
  CreateRequest past = Url("https://example.com");
  past.expires_at = 1'600'000'000;
  cases.push_back({past, "expires_at:"});
  CreateRequest visits = Url("https://example.com");
  visits.max_visits = 0;
  cases.push_back({visits, "max_visits:"});
  CreateRequest redirect = Url("https://example.com");
  redirect.redirect = 303;
  cases.push_back({redirect, "redirect:"});
  for (auto& c : cases) {
    auto r = Create(c.request);
    ASSERT_FALSE(r) << c.expect;
    EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
    EXPECT_NE(r.error().detail.find(c.expect), std::string::npos) << r.error().detail;
  }
  EXPECT_EQ(service_->Counters().created, 0u);
}

TEST_F(ShortenerTest, ATakenAliasIsAConflict) {
  CreateRequest r = Url("https://example.com/a");
  r.alias = "launch";
  auto first = Create(r);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->link.custom);
  r.url = "https://example.com/b";
  auto second = Create(r);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, core::Code::kConflict);
  EXPECT_EQ(Resolve("launch").url, "https://example.com/a");
}

TEST_F(ShortenerTest, ATakenRandomCodeIsRetriedWithAnother) {
  codes_.codes = {"taken01"};
  ASSERT_TRUE(Create(Url("https://example.com/1")));
  codes_.codes = {"taken01", "taken01", "fresh01"};
  auto made = Create(Url("https://example.com/2"));
  ASSERT_TRUE(made) << made.error().detail;
  EXPECT_EQ(made->link.code, "fresh01");
  EXPECT_EQ(made->attempts, 3);
  EXPECT_EQ(service_->Counters().collisions, 2u);
  EXPECT_EQ(Resolve("taken01").url, "https://example.com/1");  // the first link is untouched
}

TEST_F(ShortenerTest, GivesUpAfterTheLastAttempt) {
  ShortenerOptions o;
  o.max_insert_attempts = 3;
  Restart(o);
  codes_.codes = {"full001"};
  ASSERT_TRUE(Create(Url("https://example.com/1")));
  codes_.codes = {"full001", "full001", "full001", "never01"};
  auto made = Create(Url("https://example.com/2"));
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().code, core::Code::kUnavailable);
  EXPECT_EQ(service_->Counters().exhausted, 1u);
}

TEST_F(ShortenerTest, FindIfExistsReusesAPlainLinkOnly) {
  auto first = Create(Url("https://example.com/same"));
  ASSERT_TRUE(first);
  CreateRequest again = Url("https://example.com/same");
  again.find_if_exists = true;
  auto reused = Create(again);
  ASSERT_TRUE(reused);
  EXPECT_FALSE(reused->created);
  EXPECT_EQ(reused->link.code, first->link.code);
  again.ttl_seconds = 60;  // a link with an expiry is a new link
  auto fresh = Create(again);
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->created);
  EXPECT_NE(fresh->link.code, first->link.code);
}

TEST_F(ShortenerTest, AnExpiredLinkIsGoneFromMemoryAndFromTheStore) {
  CreateRequest r = Url("https://example.com/soon");
  r.ttl_seconds = 10;
  auto made = Create(r);
  ASSERT_TRUE(made);
  EXPECT_EQ(made->link.expires_at, 1'700'000'010);
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kRedirect);  // cached now
  wall_.Advance(10);
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kGone);
  Restart();  // cold cache: the store says the same
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kGone);
}

TEST_F(ShortenerTest, ADeletedLinkIsGoneAtOnceAndDeletingAgainSucceeds) {
  auto made = Create(Url("https://example.com/del"));
  ASSERT_TRUE(made);
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kRedirect);  // cached
  auto deleted = RunToCompletion(service_->Delete(made->link.code));
  ASSERT_TRUE(deleted);
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kGone);
  EXPECT_TRUE(RunToCompletion(service_->Delete(made->link.code)));
  auto unknown = RunToCompletion(service_->Delete("nosuch1"));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::Code::kNotFound);
}

TEST_F(ShortenerTest, UnknownCodesAreRememberedBrieflyAndForgottenOnCreate) {
  EXPECT_EQ(Resolve("later01").outcome, Outcome::kNotFound);
  EXPECT_EQ(Resolve("later01").outcome, Outcome::kNotFound);
  EXPECT_EQ(service_->Counters().store_lookups, 1u);
  EXPECT_EQ(service_->Counters().negative_hits, 1u);
  clock_.Advance(6s);  // past negative_ttl
  EXPECT_EQ(Resolve("later01").outcome, Outcome::kNotFound);
  EXPECT_EQ(service_->Counters().store_lookups, 2u);
  CreateRequest r = Url("https://example.com/later");
  r.alias = "later01";
  ASSERT_TRUE(Create(r));
  EXPECT_EQ(Resolve("later01").outcome, Outcome::kRedirect);  // no stale "missing"
  EXPECT_EQ(Resolve("bad code!").outcome, Outcome::kNotFound);
  EXPECT_EQ(service_->Counters().store_lookups, 3u);  // the impossible code never reached it
}

TEST_F(ShortenerTest, CappedLinksAreCountedExactlyThenGone) {
  CreateRequest r = Url("https://example.com/twice");
  r.max_visits = 2;
  r.redirect = 307;
  auto made = Create(r);
  ASSERT_TRUE(made);
  EXPECT_EQ(Resolve(made->link.code).status, 307);
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kRedirect);
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kGone);
  Restart();
  EXPECT_EQ(Resolve(made->link.code).outcome, Outcome::kGone);
}

TEST_F(ShortenerTest, CachedRedirectsKeepWorkingWhenTheStoreIsDown) {
  auto made = Create(Url("https://example.com/up"));
  ASSERT_TRUE(made);
  Resolve(made->link.code);  // cached
  store_->Close();
  auto cached = service_->ResolveFromCache(made->link.code, "", "");
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->url, "https://example.com/up");
  auto create = Create(Url("https://example.com/down"));
  ASSERT_FALSE(create);
  EXPECT_EQ(create.error().code, core::Code::kUnavailable);
  auto miss = RunToCompletion(service_->Resolve("uncache", "", ""));
  ASSERT_FALSE(miss);
  EXPECT_EQ(miss.error().code, core::Code::kUnavailable);
}

TEST_F(ShortenerTest, VisitsAreBufferedThenFlushedAndExtraOnesDropped) {
  auto made = Create(Url("https://example.com/v"));
  ASSERT_TRUE(made);
  for (int i = 0; i < 6; ++i) Resolve(made->link.code, "https://news.example/story");
  EXPECT_EQ(visits_->pending(), 4u);  // capacity 4: two dropped
  EXPECT_EQ(visits_->Stats().dropped, 2u);
  auto flushed = RunToCompletion(visits_->Flush(*store_));
  ASSERT_TRUE(flushed);
  EXPECT_EQ(*flushed, 4u);
  EXPECT_EQ(visits_->pending(), 0u);
  auto stats = RunToCompletion(service_->Stats(made->link.code));
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->visits, 4);
  EXPECT_EQ(stats->bot_visits, 0);
  ASSERT_EQ(stats->top_referrers.size(), 1u);
  EXPECT_EQ(stats->top_referrers[0].host, "news.example");
  EXPECT_EQ(RunToCompletion(service_->Get(made->link.code))->visits, 4);
}

TEST_F(ShortenerTest, AFailedVisitWriteIsCountedAsLost) {
  auto made = Create(Url("https://example.com/v"));
  ASSERT_TRUE(made);
  Resolve(made->link.code);
  store_->Close();
  auto flushed = RunToCompletion(visits_->Flush(*store_));
  ASSERT_FALSE(flushed);
  EXPECT_EQ(visits_->Stats().lost, 1u);
  EXPECT_EQ(visits_->Stats().failed_batches, 1u);
}

TEST_F(ShortenerTest, CounterCodesAreSequentialAndReservedInBlocks) {
  CounterCodeSource counter(*store_, 2, 3);
  EXPECT_EQ(RunToCompletion(counter.Next()).value(), "001");
  EXPECT_EQ(RunToCompletion(counter.Next()).value(), "002");
  EXPECT_EQ(RunToCompletion(counter.Next()).value(), "003");  // a second block
  CounterCodeSource other(*store_, 2, 3);                     // another instance
  EXPECT_EQ(RunToCompletion(other.Next()).value(), "005");
}

TEST(StoreHealthTest, GoesDownOnUnavailabilityAndUpOnSuccess) {
  StoreHealth health;
  EXPECT_TRUE(health.Check());
  health.Report(core::Error(core::Code::kConflict, "a taken code says nothing"));
  EXPECT_TRUE(health.up());
  health.Report(core::Error(core::Code::kUnavailable, "database or disk is full"));
  auto down = health.Check();
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, core::Code::kUnavailable);
  EXPECT_EQ(down.error().detail, "database or disk is full");
  health.Report(core::Result<void>());
  EXPECT_TRUE(health.Check());
}

}  // namespace
}  // namespace shortener
