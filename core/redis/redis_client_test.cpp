// RedisClient: RESP parsing and encoding as units, then the client against a real redis-server
// (started per test on a free loopback port): pipelining, deadlines, limits, failures, recovery.
#include "core/redis/redis_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "core/async/testing/run_task.hpp"
#include "core/redis/testing/redis_test_server.hpp"

namespace core {
namespace {

namespace net = core::net;
using namespace std::chrono_literals;
using testing::RedisTestServer;
using testing::RunTask;

// ---------------------------------------------------------------------------------------------
// RespParser and EncodeCommand

// Every complete reply in `bytes`, as ToString text.
std::vector<std::string> ParseAll(RespParser& parser, std::string_view bytes) {
  parser.Feed(bytes);
  std::vector<std::string> out;
  for (;;) {
    auto next = parser.Next();
    if (!next) {
      out.push_back("error: " + next.error().detail);
      return out;
    }
    if (!next->has_value()) return out;
    out.push_back(ToString(**next));
  }
}

TEST(RespParserTest, ParsesEveryReplyType) {
  RespParser parser(1 << 20, 1000);
  EXPECT_EQ(ParseAll(parser,
                     "+OK\r\n-ERR bad thing\r\n:-42\r\n$5\r\nhello\r\n$-1\r\n$0\r\n\r\n"
                     "*2\r\n:1\r\n$1\r\nx\r\n*-1\r\n*0\r\n"),
            (std::vector<std::string>{"+OK", "-ERR bad thing", "-42", "\"hello\"", "nil", "\"\"",
                                      "[1, \"x\"]", "nil", "[]"}));
}

TEST(RespParserTest, ParsesNestedArrays) {
  RespParser parser(1 << 20, 1000);
  EXPECT_EQ(ParseAll(parser, "*3\r\n*2\r\n:1\r\n*1\r\n+deep\r\n$-1\r\n*0\r\n"),
            (std::vector<std::string>{"[[1, [+deep]], nil, []]"}));
}

TEST(RespParserTest, AssemblesARepliesSplitAtEveryByte) {
  const std::string wire = "*2\r\n$6\r\nfoobar\r\n*2\r\n:7\r\n-ERR x\r\n:5\r\n";
  RespParser parser(1 << 20, 1000);
  std::vector<std::string> got;
  for (char c : wire) {
    for (auto& s : ParseAll(parser, std::string_view(&c, 1))) got.push_back(s);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"[\"foobar\", [7, -ERR x]]", "5"}));
}

TEST(RespParserTest, BulkStringsAreBinarySafe) {
  RespParser parser(1 << 20, 1000);
  parser.Feed(std::string_view("$5\r\na\0\r\n\xff\r\n", 11));
  auto next = parser.Next();
  ASSERT_TRUE(next && next->has_value());
  EXPECT_EQ((**next).str, std::string("a\0\r\n\xff", 5));
}

TEST(RespParserTest, MalformedInputIsAnErrorUntilReset) {
  RespParser parser(1 << 20, 1000);
  parser.Feed("?what\r\n");
  auto bad = parser.Next();
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::Code::kBadGateway);
  parser.Feed("+OK\r\n");
  EXPECT_FALSE(parser.Next());  // still failed
  parser.Reset();
  EXPECT_EQ(ParseAll(parser, "+OK\r\n"), (std::vector<std::string>{"+OK"}));
}

TEST(RespParserTest, ReplyOverTheByteLimitIsAnError) {
  RespParser parser(64, 1000);
  parser.Feed("$1000\r\n");
  parser.Feed(std::string(100, 'x'));
  auto next = parser.Next();
  ASSERT_FALSE(next);
  EXPECT_NE(next.error().detail.find("over 64 bytes"), std::string::npos);
}

TEST(RespParserTest, CompleteReplyOverTheByteLimitIsAnError) {
  RespParser parser(64, 1000);
  parser.Feed("$100\r\n" + std::string(100, 'x') + "\r\n");
  auto next = parser.Next();
  ASSERT_FALSE(next);
  EXPECT_NE(next.error().detail.find("over 64 bytes"), std::string::npos);
}

TEST(RespParserTest, ByteLimitCountsOnlyTheReplyBeingParsed) {
  RespParser parser(64, 1000);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(ParseAll(parser, "$10\r\n0123456789\r\n"),
              (std::vector<std::string>{"\"0123456789\""}));
  }
}

TEST(RespParserTest, ArrayOverTheElementLimitIsAnError) {
  RespParser parser(1 << 20, 4);
  parser.Feed("*5\r\n");
  auto next = parser.Next();
  ASSERT_FALSE(next);
  EXPECT_NE(next.error().detail.find("more than 4 array elements"), std::string::npos);
}

TEST(RespParserTest, ElementLimitCountsNestedArraysOfOneReply) {
  RespParser parser(1 << 20, 4);
  // 2 + 2 elements is the limit; the third nested element goes over.
  EXPECT_EQ(ParseAll(parser, "*2\r\n*1\r\n:1\r\n:2\r\n"), (std::vector<std::string>{"[[1], 2]"}));
  EXPECT_EQ(ParseAll(parser, "*2\r\n*1\r\n:1\r\n:2\r\n"),  // a new reply, a new budget
            (std::vector<std::string>{"[[1], 2]"}));
  auto over = ParseAll(parser, "*2\r\n*3\r\n");
  ASSERT_EQ(over.size(), 1u);
  EXPECT_NE(over[0].find("more than 4"), std::string::npos);
}

TEST(EncodeCommandTest, EncodesArgumentsAsBinarySafeBulkStrings) {
  EXPECT_EQ(EncodeCommand({"SET", "k", std::string("a\0b", 3)}),
            std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na\0b\r\n", 29));
  EXPECT_EQ(EncodeCommand({"ECHO", ""}), "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
}

// ---------------------------------------------------------------------------------------------
// Against a real redis-server

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.ok()) << server_.error(); }

  RedisClientOptions Options() const {
    RedisClientOptions o;
    o.port = server_.port();
    o.command_timeout = 2s;  // generous: these tests are about behaviour, not speed
    return o;
  }

  core::Result<RedisReply> Run(RedisClient& client, std::vector<std::string> args,
                               std::chrono::milliseconds timeout = 0ms) {
    return RunTask(ioc_, client.Command(std::move(args), timeout));
  }

  // Starts one command without waiting; its result lands in `out`.
  void Spawn(RedisClient& client, std::vector<std::string> args, std::chrono::milliseconds timeout,
             std::optional<core::Result<RedisReply>>& out) {
    net::co_spawn(ioc_, client.Command(std::move(args), timeout),
                  [&out](std::exception_ptr, core::Result<RedisReply> r) { out.emplace(r); });
  }

  void RunUntil(const std::function<bool()>& done) {
    ioc_.restart();
    while (!done()) {
      if (ioc_.run_one_for(30s) == 0) throw std::runtime_error("RunUntil: nothing happened");
    }
  }

  RedisTestServer server_;
  net::io_context ioc_;
};

TEST_F(RedisClientTest, SendsCommandsAndReadsEveryReplyKind) {
  RedisClient client(Options());
  EXPECT_EQ(ToString(Run(client, {"SET", "k", "v"}).value()), "+OK");
  EXPECT_EQ(ToString(Run(client, {"GET", "k"}).value()), "\"v\"");
  EXPECT_EQ(ToString(Run(client, {"GET", "missing"}).value()), "nil");
  EXPECT_EQ(ToString(Run(client, {"INCRBY", "n", "41"}).value()), "41");
  EXPECT_EQ(ToString(Run(client, {"RPUSH", "l", "a", "b"}).value()), "2");
  EXPECT_EQ(ToString(Run(client, {"LRANGE", "l", "0", "-1"}).value()), "[\"a\", \"b\"]");
  auto wrong = Run(client, {"INCR", "k"});  // an error reply is a reply, not a failure
  ASSERT_TRUE(wrong);
  EXPECT_TRUE(wrong->IsError());
  EXPECT_EQ(client.Stats().connects, 1u);
  client.Close();
}

TEST_F(RedisClientTest, PipelinesManyConcurrentCommandsAndMatchesRepliesInOrder) {
  RedisClient client(Options());
  constexpr int kCommands = 500;
  std::vector<std::optional<core::Result<RedisReply>>> results(kCommands);
  for (int i = 0; i < kCommands; ++i) {
    Spawn(client, {"ECHO", "value-" + std::to_string(i)}, 0ms, results[i]);
  }
  int done = 0;
  RunUntil([&] {
    done = 0;
    for (const auto& r : results) done += r.has_value() ? 1 : 0;
    return done == kCommands;
  });
  for (int i = 0; i < kCommands; ++i) {
    ASSERT_TRUE(*results[i]) << results[i]->error().detail;
    EXPECT_EQ((*results[i])->str, "value-" + std::to_string(i));
  }
  EXPECT_EQ(client.Stats().connects, 1u);  // all on one connection
  client.Close();
}

TEST_F(RedisClientTest, TimedOutCommandKeepsItsSlotSoLaterRepliesStillMatch) {
  RedisClient client(Options());
  ASSERT_TRUE(Run(client, {"SET", "k", "v"}));
  // Redis sleeps on the first command, so the second (same connection, behind it) misses its
  // 50 ms deadline; its reply arrives later and must be skipped, not handed to the third.
  std::optional<core::Result<RedisReply>> sleep, get, echo;
  Spawn(client, {"DEBUG", "SLEEP", "0.2"}, 5s, sleep);
  Spawn(client, {"GET", "k"}, 50ms, get);
  RunUntil([&] { return get.has_value(); });
  ASSERT_FALSE(*get);
  EXPECT_EQ(get->error().code, core::Code::kTimeout);
  Spawn(client, {"ECHO", "after"}, 5s, echo);
  RunUntil([&] { return sleep.has_value() && echo.has_value(); });
  ASSERT_TRUE(*sleep) << sleep->error().detail;
  EXPECT_EQ(ToString(**sleep), "+OK");
  ASSERT_TRUE(*echo) << echo->error().detail;
  EXPECT_EQ((*echo)->str, "after");
  const RedisClientStats stats = client.Stats();
  EXPECT_EQ(stats.timeouts, 1u);
  EXPECT_EQ(stats.replies, 4u);  // SET, DEBUG, the skipped GET, ECHO
  EXPECT_EQ(stats.connects, 1u);
  client.Close();
}

TEST_F(RedisClientTest, FailsFastBeyondTheInFlightLimit) {
  RedisClientOptions o = Options();
  o.max_in_flight = 2;
  RedisClient client(o);
  std::optional<core::Result<RedisReply>> a, b, c;
  Spawn(client, {"PING"}, 0ms, a);
  Spawn(client, {"PING"}, 0ms, b);
  Spawn(client, {"PING"}, 0ms, c);
  RunUntil([&] { return a && b && c; });
  EXPECT_TRUE(*a);
  EXPECT_TRUE(*b);
  ASSERT_FALSE(*c);
  EXPECT_EQ(c->error().code, core::Code::kUnavailable);
  EXPECT_NE(c->error().detail.find("in flight"), std::string::npos);
  client.Close();
}

TEST_F(RedisClientTest, OversizedReplyDropsTheConnectionAndTheNextCommandReconnects) {
  RedisClientOptions o = Options();
  o.max_reply_bytes = 1024;
  RedisClient client(o);
  ASSERT_TRUE(Run(client, {"SET", "big", std::string(4000, 'x')}));
  auto big = Run(client, {"GET", "big"});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, core::Code::kUnavailable);
  EXPECT_NE(big.error().detail.find("over 1024 bytes"), std::string::npos);
  EXPECT_EQ(ToString(Run(client, {"PING"}).value()), "+PONG");
  const RedisClientStats stats = client.Stats();
  EXPECT_EQ(stats.protocol_errors, 1u);
  EXPECT_EQ(stats.connects, 2u);
  client.Close();
}

TEST_F(RedisClientTest, UnreachableRedisFailsWithUnavailableThenFailsFastDuringBackoff) {
  RedisClientOptions o = Options();
  o.port = testing::FreeLoopbackPort();  // nobody listens there
  o.reconnect_backoff = 60s;             // long enough that the second call is surely inside it
  RedisClient client(o);
  auto first = Run(client, {"PING"});
  ASSERT_FALSE(first);
  EXPECT_EQ(first.error().code, core::Code::kUnavailable);
  auto second = Run(client, {"PING"});
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, core::Code::kUnavailable);
  EXPECT_NE(second.error().detail.find("next attempt in"), std::string::npos);
  EXPECT_EQ(client.Stats().connect_failures, 1u);  // the second did not try again
  client.Close();
}

TEST_F(RedisClientTest, ReconnectsAfterRedisIsKilledAndRestarted) {
  RedisClientOptions o = Options();
  o.reconnect_backoff = 0ms;
  RedisClient client(o);
  ASSERT_TRUE(Run(client, {"PING"}));
  server_.Kill();
  auto down = Run(client, {"PING"});
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, core::Code::kUnavailable);
  ASSERT_TRUE(server_.Restart()) << server_.error();
  auto up = Run(client, {"PING"});
  ASSERT_TRUE(up) << up.error().detail;
  EXPECT_EQ(ToString(*up), "+PONG");
  EXPECT_EQ(client.Stats().connects, 2u);
  client.Close();
}

TEST_F(RedisClientTest, StalledConnectionIsDroppedAndReplaced) {
  RedisClientOptions o = Options();
  o.stall_timeout = 100ms;
  RedisClient client(o);
  RedisClient observer(Options());
  ASSERT_TRUE(Run(client, {"PING"}));
  // Redis is busy for 0.5 s: the connection looks dead after 100 ms without a reply.
  auto sleeping = Run(client, {"DEBUG", "SLEEP", "0.5"}, 50ms);
  ASSERT_FALSE(sleeping);
  EXPECT_EQ(sleeping.error().code, core::Code::kTimeout);
  auto queued = Run(client, {"PING"}, 5s);  // behind the sleep: failed when the stall is detected
  ASSERT_FALSE(queued);
  EXPECT_EQ(queued.error().code, core::Code::kUnavailable);
  EXPECT_NE(queued.error().detail.find("no reply for 100 ms"), std::string::npos);
  ASSERT_TRUE(Run(observer, {"PING"}, 5s));  // returns once Redis is awake again
  auto fresh = Run(client, {"PING"});        // on a new connection
  ASSERT_TRUE(fresh) << fresh.error().detail;
  const RedisClientStats stats = client.Stats();
  EXPECT_EQ(stats.disconnects, 1u);
  EXPECT_EQ(stats.connects, 2u);
  client.Close();
  observer.Close();
}

TEST_F(RedisClientTest, CloseFailsLaterCommands) {
  RedisClient client(Options());
  ASSERT_TRUE(Run(client, {"PING"}));
  EXPECT_EQ(client.connections(), 1u);
  client.Close();
  auto after = Run(client, {"PING"});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, core::Code::kUnavailable);
  EXPECT_EQ(client.connections(), 0u);
}

TEST_F(RedisClientTest, EmptyCommandIsInvalid) {
  RedisClient client(Options());
  auto r = Run(client, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
}

// Each coroutine increments a shared counter and checks an echo of its own (run under TSan).
// `client` is owned by the test and outlives the coroutine.
core::Task<int> IncrementAndEcho(RedisClient& client, int id, int rounds) {
  int ok = 0;
  for (int i = 0; i < rounds; ++i) {
    std::vector<std::string> incr_args{"INCR", "counter"};
    auto incr = co_await client.Command(std::move(incr_args));
    if (incr && incr->type == RedisReply::Type::kInteger) ++ok;
    const std::string mine = std::to_string(id) + ":" + std::to_string(i);
    std::vector<std::string> echo_args{"ECHO", mine};
    auto echo = co_await client.Command(std::move(echo_args));
    if (echo && echo->str == mine) ++ok;
  }
  co_return ok;
}

TEST_F(RedisClientTest, SharedIoContextWithManyThreadsIsSafe) {
  RedisClient client(Options());
  net::io_context shared(4);
  std::vector<std::thread> threads;
  constexpr int kCoroutines = 64;
  constexpr int kRounds = 20;
  std::atomic<int> ok{0};
  std::atomic<int> finished{0};
  for (int c = 0; c < kCoroutines; ++c) {
    // Like the server's shared model: every connection (here: coroutine) on its own strand.
    net::co_spawn(net::make_strand(shared), IncrementAndEcho(client, c, kRounds),
                  [&](std::exception_ptr, int n) {
                    ok += n;
                    // The last one closes the client, which lets run() return on every thread.
                    if (++finished == kCoroutines) client.Close();
                  });
  }
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { shared.run(); });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kCoroutines * kRounds * 2);
  RedisClient checker(Options());
  EXPECT_EQ(Run(checker, {"GET", "counter"}).value().str, std::to_string(kCoroutines * kRounds));
  checker.Close();
}

TEST_F(RedisClientTest, OneConnectionPerIoContextAndCloseLetsEachRunReturn) {
  RedisClient client(Options());
  constexpr int kThreads = 3;
  std::latch worked(kThreads);
  std::latch closed(1);
  std::atomic<int> ok{0};
  std::atomic<int> stopped{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      net::io_context own;
      ok += RunTask(own, IncrementAndEcho(client, t, 50));
      worked.count_down();
      closed.wait();
      own.restart();
      own.run_for(10s);  // returns at once if Close() left the context without work
      if (own.stopped()) ++stopped;
    });
  }
  worked.wait();
  EXPECT_EQ(client.connections(), static_cast<std::size_t>(kThreads));
  client.Close();
  closed.count_down();
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), kThreads * 50 * 2);
  EXPECT_EQ(stopped.load(), kThreads);
  EXPECT_EQ(client.Stats().connects, static_cast<std::uint64_t>(kThreads));
}

}  // namespace
}  // namespace core
