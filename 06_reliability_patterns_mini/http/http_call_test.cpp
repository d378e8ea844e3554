// The HttpClient adapter against a real server on port 0: classification of real failures (a
// refused connection, a 503, a slow upstream), the deadline header, and the non-idempotent rule.
#include "06_reliability_patterns_mini/http/http_call.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/http/testing/test_server.hpp"

namespace reliability {
namespace {

using core::http::status;
using std::chrono::milliseconds;

std::atomic<int> g_flaky_calls{0};

Task<void> FlakyOnce(core::Exchange& ex) {  // 503 on odd calls, 200 on even ones
  const bool fail = g_flaky_calls.fetch_add(1) % 2 == 0;
  ex.Text(fail ? status::service_unavailable : status::ok, fail ? "no" : "yes", "text/plain");
  co_return;
}

Task<void> EchoDeadline(core::Exchange& ex) {
  ex.Text(status::ok, std::string(ex.request[kDeadlineHeader]), "text/plain");
  co_return;
}

Task<void> Slow(core::Exchange& ex) {
  net::steady_timer timer(co_await net::this_coro::executor, std::chrono::seconds(1));
  co_await timer.async_wait(core::kUseTuple);
  ex.Text(status::ok, "late", "text/plain");
}

// A port nothing listens on: bind one, note it, close it.
std::uint16_t ClosedPort() {
  net::io_context io;
  net::ip::tcp::acceptor a(io, {net::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

PipelineOptions Options() {
  PipelineOptions o;
  o.retry.max_attempts = 3;
  o.retry.backoff = {.kind = BackoffKind::kConstant,
                     .base = milliseconds(5),
                     .max = milliseconds(5),
                     .jitter = Jitter::kNone};
  o.timeout = {.attempt = milliseconds(2000), .total = milliseconds(5000)};
  o.budget.reset();
  o.breaker.reset();
  return o;
}

class HttpCallTest : public ::testing::Test {
 protected:
  HttpCallTest() : pipeline_(router_), server_({}, pipeline_) { g_flaky_calls = 0; }
  ~HttpCallTest() override {
    server_.Stop();
    client_.CloseIdle();
  }

  CallResult<core::Response> Call(const PipelineOptions& o, std::string target,
                                  core::http::verb method = core::http::verb::get,
                                  std::uint16_t port = 0) {
    auto p = Pipeline::Create("t", o).value();
    std::optional<CallResult<core::Response>> out;
    core::Request req{method, target, 11};
    net::co_spawn(
        io_, CallHttp(*p, client_, {"127.0.0.1", port ? port : server_.port()}, std::move(req)),
        [&](std::exception_ptr e, CallResult<core::Response> r) {
          if (e) std::rethrow_exception(e);
          out.emplace(std::move(r));
        });
    io_.restart();
    io_.run();
    client_.CloseIdle();
    return std::move(*out);
  }

  core::Router router_ = [] {
    core::Router r;
    r.Get("/flaky", FlakyOnce);
    r.Post("/flaky", FlakyOnce);
    r.Get("/deadline", EchoDeadline);
    r.Get("/slow", Slow);
    return r;
  }();
  core::Pipeline pipeline_;
  core::testing::TestServer server_;
  net::io_context io_;
  core::HttpClient client_;
};

TEST_F(HttpCallTest, RetriesA503AndReturnsTheSuccess) {
  auto r = Call(Options(), "/flaky");
  ASSERT_TRUE(r.result) << r.result.error().detail;
  EXPECT_EQ(r.result->result(), status::ok);
  ASSERT_EQ(r.trace.attempts.size(), 2u);
  EXPECT_EQ(r.trace.attempts[0].status, 503);
  EXPECT_EQ(r.trace.attempts[1].outcome, "ok");
}

TEST_F(HttpCallTest, APostThatGotA503IsNotRepeated) {
  auto r = Call(Options(), "/flaky", core::http::verb::post);
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->result(), status::service_unavailable);
  EXPECT_EQ(r.trace.attempts.size(), 1u);
  EXPECT_EQ(r.trace.ended_by, "permanent");
}

TEST_F(HttpCallTest, ARefusedConnectionIsRetriedEvenForAPost) {
  auto r = Call(Options(), "/x", core::http::verb::post, ClosedPort());
  ASSERT_FALSE(r.result);
  EXPECT_EQ(FailureOf(r.result.error()), TransportFailure::kConnect) << r.result.error().detail;
  ASSERT_EQ(r.trace.attempts.size(), 3u);  // never sent: safe to send again
  EXPECT_EQ(r.trace.attempts[2].outcome, "connect_error");
}

TEST_F(HttpCallTest, EachAttemptAnnouncesTheTimeItHasLeft) {
  auto o = Options();
  o.timeout.attempt = milliseconds(300);
  auto r = Call(o, "/deadline");
  ASSERT_TRUE(r.result);
  const int ms = std::stoi(r.result->body());
  EXPECT_GT(ms, 200);
  EXPECT_LE(ms, 300);
}

TEST_F(HttpCallTest, ASlowUpstreamIsCutOffAtTheAttemptTimeout) {
  auto o = Options();
  o.retry.max_attempts = 2;
  o.timeout.attempt = milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  auto r = Call(o, "/slow");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.result);
  EXPECT_EQ(r.result.error().code, core::Code::kTimeout);
  ASSERT_EQ(r.trace.attempts.size(), 2u);
  EXPECT_EQ(r.trace.attempts[0].outcome, "timeout");
  EXPECT_LT(took, milliseconds(800));  // not the 1 s the upstream takes
}

TEST(HttpCallUnitTest, SafeToRetry) {
  using core::http::verb;
  core::Request get{verb::get, "/", 11}, post{verb::post, "/", 11};
  EXPECT_TRUE(SafeToRetry(get, {}));
  EXPECT_FALSE(SafeToRetry(post, {}));
  EXPECT_TRUE(SafeToRetry(post, {.safe_to_retry = true}));
  post.set("Idempotency-Key", "8e03978e");
  EXPECT_TRUE(SafeToRetry(post, {}));
}

TEST(HttpCallUnitTest, DeadlineHeader) {
  EXPECT_EQ(ParseDeadlineHeader("250"), milliseconds(250));
  EXPECT_EQ(ParseDeadlineHeader("99999999"), milliseconds(3'600'000));
  for (const char* bad : {"", "0", "-5", "1.5", "10ms", " 5", "9999999999999"}) {
    EXPECT_EQ(ParseDeadlineHeader(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(DeadlineMillis(milliseconds(250)), 250);
  EXPECT_EQ(DeadlineMillis(std::chrono::microseconds(300)), 1);  // never 0
}

TEST(HttpCallUnitTest, FailureOfReadsTheClientErrors) {
  using core::Code;
  EXPECT_EQ(FailureOf({Code::kTimeout, "upstream h:1 did not answer in time (connect)"}),
            TransportFailure::kConnect);
  EXPECT_EQ(FailureOf({Code::kTimeout, "upstream h:1 did not answer in time (read)"}),
            TransportFailure::kTimeout);
  EXPECT_EQ(FailureOf({Code::kUnavailable, "upstream h:1 resolve failed: x"}),
            TransportFailure::kConnect);
  EXPECT_EQ(FailureOf({Code::kUnavailable, "upstream h:1 read failed: reset"}),
            TransportFailure::kBroken);
  EXPECT_EQ(FailureOf({Code::kBadGateway, "malformed"}), TransportFailure::kMalformed);
}

}  // namespace
}  // namespace reliability
