// RedisStore: the deny cache and the script's glue as units, then decisions against a real
// redis-server — the script checked against the local algorithms at Redis's own timestamps,
// sharing between instances, expiry, the deny cache, failures, recovery and concurrency.
#include "01_rate_limiter_service_mini/redis/redis_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <latch>
#include <thread>
#include <vector>

#include "01_rate_limiter_service_mini/limiter/limiter.hpp"
#include "01_rate_limiter_service_mini/limiter/sharded_memory_store.hpp"
#include "01_rate_limiter_service_mini/redis/redis_scripts.hpp"
#include "core/async/testing/run_task.hpp"
#include "core/redis/testing/redis_test_server.hpp"

namespace ratelimit {
namespace {

namespace net = core::net;
using namespace std::chrono_literals;
using core::testing::RedisTestServer;
using core::testing::RunTask;
using std::chrono::nanoseconds;

Rule MakeRule(std::string_view flag) { return ParseRuleFlag(flag).value(); }

// ---------------------------------------------------------------------------------------------
// DenyCache

TEST(DenyCacheTest, AnswersUntilTheRetryTimeThenForgets) {
  core::FakeClock clock;
  DenyCache cache(100);
  cache.Insert("k", {1, clock.Now() + 5s, clock.Now() + 10s});
  auto hit = cache.Lookup("k", 1, clock.Now() + 4999ms);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->until, clock.Now() + 5s);
  EXPECT_FALSE(cache.Lookup("k", 1, clock.Now() + 5s));
  EXPECT_EQ(cache.size(), 0u);  // the expired entry was dropped
}

TEST(DenyCacheTest, CheaperRequestsAreNotAnswered) {
  core::FakeClock clock;
  DenyCache cache(100);
  cache.Insert("k", {3, clock.Now() + 5s, clock.Now() + 5s});
  EXPECT_FALSE(cache.Lookup("k", 2, clock.Now()));  // might fit: Redis must decide
  EXPECT_TRUE(cache.Lookup("k", 3, clock.Now()));
  EXPECT_TRUE(cache.Lookup("k", 9, clock.Now()));
  EXPECT_FALSE(cache.Lookup("other", 9, clock.Now()));
}

TEST(DenyCacheTest, IsBoundedAndEvictsTheLeastRecentlyUsed) {
  core::FakeClock clock;
  DenyCache cache(4, 1);
  const auto until = clock.Now() + 1h;
  for (const char* k : {"a", "b", "c", "d"}) cache.Insert(k, {1, until, until});
  ASSERT_TRUE(cache.Lookup("a", 1, clock.Now()));  // a is now the most recently used
  cache.Insert("e", {1, until, until});
  EXPECT_EQ(cache.size(), 4u);
  EXPECT_FALSE(cache.Lookup("b", 1, clock.Now()));
  EXPECT_TRUE(cache.Lookup("a", 1, clock.Now()));
  EXPECT_TRUE(cache.Lookup("e", 1, clock.Now()));
}

TEST(DenyCacheTest, InsertReplacesWhatWasKnown) {
  core::FakeClock clock;
  DenyCache cache(10);
  cache.Insert("k", {5, clock.Now() + 1s, clock.Now() + 1s});
  cache.Insert("k", {1, clock.Now() + 2s, clock.Now() + 2s});
  auto hit = cache.Lookup("k", 1, clock.Now() + 1500ms);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->cost, 1);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(DenyCacheTest, CapacityZeroDisablesIt) {
  core::FakeClock clock;
  DenyCache cache(0);
  cache.Insert("k", {1, clock.Now() + 1h, clock.Now() + 1h});
  EXPECT_FALSE(cache.Lookup("k", 1, clock.Now()));
  EXPECT_EQ(cache.capacity(), 0u);
}

TEST(DenyCacheTest, ConcurrentUseStaysWithinCapacity) {
  core::FakeClock clock;
  DenyCache cache(256, 8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, &clock, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = std::to_string((t * 7919 + i) % 500);
        cache.Insert(key, {1, clock.Now() + 1s, clock.Now() + 1s});
        cache.Lookup(key, 1, clock.Now());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), cache.capacity());
  EXPECT_GT(cache.size(), 0u);
}

// ---------------------------------------------------------------------------------------------
// Script parameters and reply decoding

TEST(ScriptParamsTest, SeedRuleRunsInMicrosecondTicks) {
  const Rule rule = DefaultRule();  // 2/s, burst 5
  auto p = ScriptParamsFor(rule.algorithm, rule.quota);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->algorithm, "tb");
  EXPECT_EQ(p->tick_us, 1);
  EXPECT_EQ(p->limit, 5);
  EXPECT_EQ(p->c1, 500'000);  // units per token: 1e6 µs / gcd(2, 1e6)
  EXPECT_EQ(p->c2, 1);        // units per µs: 2 / gcd
}

TEST(ScriptParamsTest, GcraIntervalIsRoundedUpToWholeTicks) {
  const Rule rule = MakeRule("name=g,algo=gcra,rate=3/s,burst=2");
  auto p = ScriptParamsFor(rule.algorithm, rule.quota);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->algorithm, "gcra");
  EXPECT_EQ(p->c1, 333'334);
}

TEST(ScriptParamsTest, LargeDailyWindowFallsBackToMillisecondTicks) {
  const Rule rule = MakeRule("name=w,algo=sliding_window,rate=100000/d");
  auto p = ScriptParamsFor(rule.algorithm, rule.quota);
  ASSERT_TRUE(p);  // 1e5 * 8.64e10 µs would exceed 2^51; in ms it is 8.64e12
  EXPECT_EQ(p->tick_us, 1000);
  EXPECT_EQ(p->c1, 86'400'000);
}

TEST(ScriptParamsTest, RuleTooLargeForExactLuaMathIsRefused) {
  const Rule rule = MakeRule("name=w,algo=sliding_window,rate=100000000/366d");
  EXPECT_FALSE(ScriptParamsFor(rule.algorithm, rule.quota));
  auto supported = RedisStore::Supports(rule);
  ASSERT_FALSE(supported);
  EXPECT_EQ(supported.error().code, core::Code::kInvalidArgument);
  EXPECT_NE(supported.error().detail.find("rule 'w'"), std::string::npos);
}

core::RedisReply Integers(std::initializer_list<std::int64_t> values) {
  core::RedisReply r;
  r.type = core::RedisReply::Type::kArray;
  for (std::int64_t v : values) {
    core::RedisReply e;
    e.type = core::RedisReply::Type::kInteger;
    e.integer = v;
    r.elements.push_back(e);
  }
  return r;
}

TEST(ParseDecideReplyTest, ConvertsTicksToDurations) {
  ScriptParams p;
  p.tick_us = 1000;
  auto refused = ParseDecideReply(Integers({0, 5, 0, 2500, 300, 1'700'000'000'000'000}), p);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->decision.allowed);
  EXPECT_EQ(refused->decision.limit, 5);
  EXPECT_EQ(refused->decision.reset_after, 2500ms);
  EXPECT_EQ(refused->decision.retry_after, 300ms);
  EXPECT_EQ(refused->redis_now_us, 1'700'000'000'000'000);
  auto never = ParseDecideReply(Integers({0, 5, 3, 0, -1, 1}), p);
  ASSERT_TRUE(never);
  EXPECT_TRUE(never->decision.RetryNever());
}

TEST(ParseDecideReplyTest, ErrorOrMalformedRepliesAreBadGateway) {
  core::RedisReply error;
  error.type = core::RedisReply::Type::kError;
  error.str = "ERR user_script:1: boom";
  EXPECT_EQ(ParseDecideReply(error, {}).error().code, core::Code::kBadGateway);
  EXPECT_EQ(ParseDecideReply(Integers({1, 2, 3}), {}).error().code, core::Code::kBadGateway);
  core::RedisReply nil;
  EXPECT_EQ(ParseDecideReply(nil, {}).error().code, core::Code::kBadGateway);
}

// ---------------------------------------------------------------------------------------------
// Against a real redis-server

class RedisStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }
  void TearDown() override {
    for (auto& c : clients_) c->Close();
  }

  core::RedisClientOptions ClientOptions() const {
    core::RedisClientOptions o;
    o.port = server_.port();
    o.reconnect_backoff = 0ms;
    return o;
  }
  core::RedisClient& NewClient() { return NewClient(ClientOptions()); }
  core::RedisClient& NewClient(const core::RedisClientOptions& o) {
    clients_.push_back(std::make_unique<core::RedisClient>(o));
    return *clients_.back();
  }
  // Timeouts are generous: these tests check behaviour, not speed (and a timed-out decision may
  // still have been applied by Redis, which would blur exact counts).
  static RedisStoreOptions StoreOptions() {
    RedisStoreOptions o;
    o.timeout = 5s;
    return o;
  }

  core::Result<Decision> Decide(RedisStore& store, const Rule& rule, std::string key,
                                std::int64_t cost = 1) {
    return RunTask(ioc_, store.Decide(rule, std::move(key), cost));
  }
  core::Result<core::RedisReply> Command(core::RedisClient& client, std::vector<std::string> args) {
    return RunTask(ioc_, client.Command(std::move(args), 5s));
  }

  RedisTestServer server_;
  net::io_context ioc_;
  core::FakeClock clock_;
  std::vector<std::unique_ptr<core::RedisClient>> clients_;
};

TEST_F(RedisStoreTest, SeedDemoThroughRedisAllowsFiveThenRefuses) {
  RedisStore store(NewClient(), clock_, StoreOptions());
  const Rule rule = DefaultRule();  // 2/s, burst 5
  for (int i = 0; i < 5; ++i) {
    auto d = Decide(store, rule, "203.0.113.7");
    ASSERT_TRUE(d) << d.error().detail;
    EXPECT_TRUE(d->allowed) << i;
    EXPECT_EQ(d->limit, 5);
    EXPECT_EQ(d->remaining, 4 - i);
  }
  auto refused = Decide(store, rule, "203.0.113.7");
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->allowed);
  EXPECT_GT(refused->retry_after, 0ns);
  EXPECT_LE(refused->retry_after, 500ms);
}

TEST_F(RedisStoreTest, TwoInstancesShareOneLimit) {
  RedisStore a(NewClient(), clock_, StoreOptions());
  RedisStore b(NewClient(), clock_, StoreOptions());
  const Rule rule = MakeRule("name=shared,rate=1/h,burst=5");
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Decide(a, rule, "client").value().allowed);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(Decide(b, rule, "client").value().allowed);
  EXPECT_FALSE(Decide(a, rule, "client").value().allowed);
  EXPECT_FALSE(Decide(b, rule, "client").value().allowed);
}

// The script against the C++ algorithms, fed the very timestamps Redis decided at: whatever the
// timing of the run, every decision must agree.
class ScriptVersusLocalTest : public RedisStoreTest,
                              public ::testing::WithParamInterface<const char*> {};

TEST_P(ScriptVersusLocalTest, EveryDecisionMatchesTheLocalAlgorithmAtRedisTime) {
  const Rule rule = MakeRule(GetParam());
  core::RedisClient& client = NewClient();
  auto params = ScriptParamsFor(rule.algorithm, rule.quota);
  ASSERT_TRUE(params);
  ASSERT_EQ(params->tick_us, 1);
  AlgorithmState local;
  bool started = false;
  int allowed = 0, refused = 0;
  const std::int64_t costs[] = {1, 1, 2, 0, 3, 1, 1, 4, 1, 0, 1, 2, 1, 1, 99};
  for (int i = 0; i < 120; ++i) {
    const std::int64_t cost = costs[i % std::size(costs)];
    auto reply = Command(client, DecideArgs("EVAL", DecideScript(), "rl:cmp", *params, cost));
    ASSERT_TRUE(reply) << reply.error().detail;
    auto script = ParseDecideReply(*reply, *params);
    ASSERT_TRUE(script) << script.error().detail;
    const core::Clock::time_point at{nanoseconds(script->redis_now_us * 1000)};
    if (!started) local = FreshState(rule.algorithm, rule.quota, at);
    started = true;
    const Decision want = ratelimit::Decide(rule.algorithm, rule.quota, local, cost, at);
    const Decision& got = script->decision;
    ASSERT_EQ(got.allowed, want.allowed) << "request " << i;
    ASSERT_EQ(got.limit, want.limit) << "request " << i;
    ASSERT_EQ(got.remaining, want.remaining) << "request " << i;
    // µs ticks against ns: a rounded-up division may differ by under one tick.
    ASSERT_NEAR(got.reset_after.count(), want.reset_after.count(), 999) << "request " << i;
    ASSERT_NEAR(got.retry_after.count(), want.retry_after.count(), 999) << "request " << i;
    (got.allowed ? allowed : refused) += 1;
  }
  // Not asserted (it depends on speed), but recorded: both branches should have been exercised.
  RecordProperty("allowed", allowed);
  RecordProperty("refused", refused);
}

INSTANTIATE_TEST_SUITE_P(Algorithms, ScriptVersusLocalTest,
                         ::testing::Values("name=tb,algo=token_bucket,rate=1000/s,burst=10",
                                           "name=tb3,algo=token_bucket,rate=3/ms,burst=7",
                                           "name=gcra,algo=gcra,rate=1000/s,burst=10",
                                           "name=sw,algo=sliding_window,rate=5/ms",
                                           "name=sw2,algo=sliding_window,rate=12/5ms"));

TEST_F(RedisStoreTest, StateExpiresWhenFullyRecovered) {
  core::RedisClient& client = NewClient();
  RedisStore store(client, clock_, StoreOptions());
  for (const char* flag : {"name=tb,rate=1/h,burst=5", "name=g,algo=gcra,rate=1/h,burst=5",
                           "name=sw,algo=sliding_window,rate=5/h"}) {
    const Rule rule = MakeRule(flag);
    auto d = Decide(store, rule, "k");
    ASSERT_TRUE(d && d->allowed) << flag;
    auto ttl = Command(client, {"PTTL", store.RedisKey(rule.name, "k")});
    ASSERT_TRUE(ttl);
    ASSERT_EQ(ttl->type, core::RedisReply::Type::kInteger);
    EXPECT_GT(ttl->integer, 0) << flag;
    // Expiry is rounded up to a whole millisecond on Redis's clock.
    EXPECT_LE(ttl->integer,
              std::chrono::ceil<std::chrono::milliseconds>(d->reset_after).count() + 1)
        << flag;
  }
}

TEST_F(RedisStoreTest, PeeksAndRefusalsLeaveNoState) {
  core::RedisClient& client = NewClient();
  RedisStore store(client, clock_, StoreOptions());
  const Rule rule = MakeRule("name=r,rate=1/h,burst=3");
  auto peek = Decide(store, rule, "k", 0);
  ASSERT_TRUE(peek && peek->allowed);
  EXPECT_EQ(peek->remaining, 3);
  auto huge = Decide(store, rule, "k", 4);
  ASSERT_TRUE(huge);
  EXPECT_FALSE(huge->allowed);
  EXPECT_TRUE(huge->RetryNever());
  EXPECT_EQ(Command(client, {"EXISTS", store.RedisKey("r", "k")}).value().integer, 0);
}

TEST_F(RedisStoreTest, DenyCacheAnswersARefusedKeyWithoutARoundTrip) {
  core::RedisClient& client = NewClient();
  RedisStore store(client, clock_, StoreOptions());
  const Rule rule = MakeRule("name=abuse,rate=1/h,burst=2");
  ASSERT_TRUE(Decide(store, rule, "k").value().allowed);
  ASSERT_TRUE(Decide(store, rule, "k").value().allowed);
  auto first = Decide(store, rule, "k").value();
  ASSERT_FALSE(first.allowed);
  const auto calls = store.Stats().redis_calls;
  const auto commands = client.Stats().commands;

  clock_.Advance(10s);
  auto cached = Decide(store, rule, "k").value();
  EXPECT_FALSE(cached.allowed);
  EXPECT_EQ(cached.remaining, 0);
  EXPECT_EQ(cached.retry_after, first.retry_after - 10s);
  EXPECT_EQ(store.Stats().deny_cache_hits, 1u);
  EXPECT_EQ(store.Stats().redis_calls, calls);
  EXPECT_EQ(client.Stats().commands, commands);

  clock_.Advance(first.retry_after);  // past the cached retry time: ask Redis again
  EXPECT_FALSE(Decide(store, rule, "k").value().allowed);  // real time has hardly moved
  EXPECT_EQ(store.Stats().redis_calls, calls + 1);
}

TEST_F(RedisStoreTest, DenyCacheLetsCheaperRequestsThrough) {
  RedisStore store(NewClient(), clock_, StoreOptions());
  const Rule rule = MakeRule("name=cost,rate=1/h,burst=3");
  ASSERT_TRUE(Decide(store, rule, "k", 2).value().allowed);
  EXPECT_FALSE(Decide(store, rule, "k", 2).value().allowed);  // 1 left
  EXPECT_TRUE(Decide(store, rule, "k", 1).value().allowed);   // Redis decides: it fits
  EXPECT_EQ(store.Stats().deny_cache_hits, 0u);
}

TEST_F(RedisStoreTest, BinaryKeysAndRulesNeverShareState) {
  core::RedisClient& client = NewClient();
  RedisStore store(client, clock_, StoreOptions());
  const Rule one = MakeRule("name=one,rate=1/h,burst=1");
  const Rule two = MakeRule("name=two,rate=1/h,burst=1");
  const std::string a("a\0b", 3), b("a\0c", 3), evil("\xff\r\n*1\r\n$4\r\nQUIT\r\n");
  for (const std::string& key : {a, b, evil}) {
    ASSERT_TRUE(Decide(store, one, key).value().allowed);
    EXPECT_FALSE(Decide(store, one, key).value().allowed);
    EXPECT_TRUE(Decide(store, two, key).value().allowed);
    EXPECT_EQ(Command(client, {"EXISTS", store.RedisKey("one", key)}).value().integer, 1);
  }
  EXPECT_EQ(store.RedisKey("one", a), std::string("rl:one:a\0b", 10));
}

TEST_F(RedisStoreTest, RuleThatNeedsMillisecondTicksWorks) {
  RedisStore store(NewClient(), clock_, StoreOptions());
  const Rule rule = MakeRule("name=daily,algo=sliding_window,rate=100000/d");
  auto d = Decide(store, rule, "k", 10);
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_TRUE(d->allowed);
  EXPECT_EQ(d->remaining, 99'990);
}

TEST_F(RedisStoreTest, InvalidRequestsAreRefusedBeforeRedis) {
  RedisStore store(NewClient(), clock_, StoreOptions());
  EXPECT_EQ(Decide(store, DefaultRule(), "k", -1).error().code, core::Code::kInvalidArgument);
  const Rule huge = MakeRule("name=w,algo=sliding_window,rate=100000000/366d");
  EXPECT_EQ(Decide(store, huge, "k").error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(store.Stats().redis_calls, 0u);
}

TEST_F(RedisStoreTest, UnreachableRedisIsUnavailableAndTheRuleDecidesOpenOrClosed) {
  core::RedisClientOptions o = ClientOptions();
  o.port = core::testing::FreeLoopbackPort();
  RedisStore store(NewClient(o), clock_, StoreOptions());
  const Rule open = MakeRule("name=open,rate=1/s,failure=open");
  const Rule closed = MakeRule("name=closed,rate=1/s,failure=closed");
  auto d = Decide(store, open, "k");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, core::Code::kUnavailable);
  EXPECT_EQ(store.Stats().unavailable, 1u);

  ShardedMemoryStore unused;
  auto limiter = Limiter::Create({open, closed}, unused, clock_).value();
  const Verdict fail_open = limiter->Finish(*limiter->FindRule("open"), d);
  EXPECT_TRUE(fail_open.store_failed);
  EXPECT_FALSE(fail_open.Blocked());
  const Verdict fail_closed =
      limiter->Finish(*limiter->FindRule("closed"), Decide(store, closed, "k"));
  EXPECT_TRUE(fail_closed.store_failed);
  EXPECT_TRUE(fail_closed.Blocked());
}

TEST_F(RedisStoreTest, RedisKilledMidRunFailsThenRecoversAndReloadsTheScript) {
  RedisStore store(NewClient(), clock_, StoreOptions());
  const Rule rule = MakeRule("name=r,rate=1/h,burst=5");
  ASSERT_TRUE(Decide(store, rule, "k").value().allowed);
  server_.Kill();
  auto down = Decide(store, rule, "k");
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, core::Code::kUnavailable);
  ASSERT_TRUE(server_.Restart()) << server_.error();
  auto up = Decide(store, rule, "k");
  ASSERT_TRUE(up) << up.error().detail;
  EXPECT_TRUE(up->allowed);
  EXPECT_EQ(up->remaining, 4);  // a new Redis: the old state is gone
  EXPECT_EQ(store.Stats().noscript_fallbacks, 1u);
}

TEST_F(RedisStoreTest, ScriptFlushFallsBackToEval) {
  core::RedisClient& client = NewClient();
  RedisStore store(client, clock_, StoreOptions());
  const Rule rule = MakeRule("name=r,rate=1/h,burst=5");
  ASSERT_TRUE(Decide(store, rule, "k").value().allowed);
  ASSERT_TRUE(Command(client, {"SCRIPT", "FLUSH"}));
  auto d = Decide(store, rule, "k");
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->remaining, 3);
  EXPECT_EQ(store.Stats().noscript_fallbacks, 1u);
  ASSERT_TRUE(Decide(store, rule, "k"));  // EVAL reloaded it: EVALSHA works again
  EXPECT_EQ(store.Stats().noscript_fallbacks, 1u);
  EXPECT_EQ(store.Stats().script_loads, 1u);
}

TEST_F(RedisStoreTest, SlowRedisTimesOutAndALaterDecisionSucceeds) {
  core::RedisClient& client = NewClient();
  RedisStoreOptions o = StoreOptions();
  o.timeout = 50ms;
  RedisStore store(client, clock_, o);
  const Rule rule = MakeRule("name=r,rate=1/h,burst=5");
  ASSERT_TRUE(Decide(store, rule, "k"));  // loads the script (a fast Redis answers in 50 ms)
  // DEBUG SLEEP goes first on the same connection, so the decision queues behind it.
  std::optional<core::Result<core::RedisReply>> sleep;
  std::optional<core::Result<Decision>> slow;
  net::co_spawn(ioc_, client.Command({"DEBUG", "SLEEP", "0.3"}, 5s),
                [&](std::exception_ptr, core::Result<core::RedisReply> r) { sleep.emplace(r); });
  net::co_spawn(ioc_, store.Decide(rule, "k", 1),
                [&](std::exception_ptr, core::Result<Decision> r) { slow.emplace(r); });
  ioc_.restart();
  while (!(sleep && slow)) ASSERT_NE(ioc_.run_one_for(30s), 0u);
  ASSERT_FALSE(*slow);
  EXPECT_EQ(slow->error().code, core::Code::kTimeout);
  EXPECT_EQ(store.Stats().timeouts, 1u);
  auto later = Decide(store, rule, "k");
  ASSERT_TRUE(later) << later.error().detail;
  // The timed-out decision still ran in Redis: a timeout says nothing about whether it applied.
  EXPECT_EQ(later->remaining, 2);
}

// ---------------------------------------------------------------------------------------------
// Concurrency (run under TSan)

// Decides `rounds` times; `store` and `rule` belong to the test and outlive the coroutine.
core::Task<int> DecideMany(RedisStore& store, const Rule& rule, int rounds) {
  int allowed = 0;
  for (int i = 0; i < rounds; ++i) {
    auto d = co_await store.Decide(rule, "hot", 1);
    if (d && d->allowed) ++allowed;
  }
  co_return allowed;
}

TEST_F(RedisStoreTest, SharedIoContextAdmitsExactlyTheBurstAcrossThreads) {
  core::RedisClient& client = NewClient();
  RedisStore store(client, clock_, StoreOptions());
  const Rule rule = MakeRule("name=hot,rate=1/h,burst=40");
  net::io_context shared(4);
  constexpr int kCoroutines = 50;
  std::atomic<int> allowed{0};
  std::atomic<int> finished{0};
  for (int c = 0; c < kCoroutines; ++c) {
    net::co_spawn(net::make_strand(shared), DecideMany(store, rule, 4),
                  [&](std::exception_ptr, int n) {
                    allowed += n;
                    if (++finished == kCoroutines) client.Close();
                  });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { shared.run(); });
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 40);
  EXPECT_GT(store.Stats().deny_cache_hits, 0u);
}

TEST_F(RedisStoreTest, IoContextPerThreadAdmitsExactlyTheBurst) {
  core::RedisClient& client = NewClient();
  RedisStore store(client, clock_, StoreOptions());
  const Rule rule = MakeRule("name=hot,rate=1/h,burst=40");
  constexpr int kThreads = 3;
  std::atomic<int> allowed{0};
  std::latch worked(kThreads);
  std::latch closed(1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      net::io_context own;
      // A peek is never answered by the deny cache: every thread talks to Redis at least once.
      EXPECT_TRUE(RunTask(own, store.Decide(rule, "hot", 0)));
      allowed += RunTask(own, DecideMany(store, rule, 30));
      worked.count_down();
      closed.wait();
      own.restart();
      own.run_for(10s);  // lets the connection finish closing on its own thread
    });
  }
  worked.wait();
  client.Close();
  closed.count_down();
  for (auto& th : threads) th.join();
  EXPECT_EQ(allowed.load(), 40);
  EXPECT_EQ(client.Stats().connects, static_cast<std::uint64_t>(kThreads));
}

}  // namespace
}  // namespace ratelimit
