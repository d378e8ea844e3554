// Integration tests: the real server on port 0, driven with raw bytes.
#include "core/http/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <future>

#include "core/http/testing/test_server.hpp"

namespace core {
namespace {

using testing::Get;
using testing::RawClient;
using testing::TestServer;

Task<void> Hello(Exchange& ex) {
  ex.Json(http::status::ok, R"({"message":"hello"})");
  co_return;
}

Task<void> Echo(Exchange& ex) {
  ex.Text(http::status::ok, ex.request.body(), "text/plain");
  co_return;
}

Task<void> Throws(Exchange&) {
  throw std::runtime_error("boom");
  co_return;
}

// Holds the request until the test releases it, so shutdown can be tested with work in flight.
struct Gate {
  std::promise<void> entered;
  std::atomic<bool> open{false};
};

Task<void> Slow(Gate* gate, Exchange& ex) {
  gate->entered.set_value();
  auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor);
  while (!gate->open.load()) {  // poll the gate on the server's own loop (bounded by the test)
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(kUseTuple);
  }
  ex.Json(http::status::ok, R"({"slow":true})");
}

class ServerTest : public ::testing::TestWithParam<IoModel> {
 protected:
  ServerTest() : pipeline_(router_) {
    router_.Get("/hello", Hello);
    router_.Post("/echo", Echo);
    router_.Get("/throw", Throws);
    router_.Get("/slow", [g = &gate_](Exchange& ex) { return Slow(g, ex); });
  }

  ServerOptions Options() {
    ServerOptions o;
    o.io_model = GetParam();
    o.threads = 2;
    o.max_header_bytes = 1024;
    o.max_body_bytes = 64;
    return o;
  }

  Router router_;
  Pipeline pipeline_;
  Gate gate_;
};

TEST_P(ServerTest, AnswersGetWithBodyAndStandardHeaders) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip(Get("/hello"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"message":"hello"})");
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(r->Header("Content-Length"), "19");
  EXPECT_EQ(r->Header("Server"), "sd");
  EXPECT_FALSE(r->Header("Date").empty());
}

TEST_P(ServerTest, KeepsTheConnectionAliveAcrossRequests) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  for (int i = 0; i < 3; ++i) {
    auto r = c.RoundTrip(Get("/hello"));
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("Connection"), "");
  }
}

TEST_P(ServerTest, AnswersPipelinedRequestsInOrder) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  c.Send(Get("/hello") + Get("/missing") +
         "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc");
  auto a = c.Read(), b = c.Read(), e = c.Read();
  ASSERT_TRUE(a && b && e);
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(b->status, 404);
  EXPECT_EQ(e->status, 200);
  EXPECT_EQ(e->body, "abc");
}

TEST_P(ServerTest, HeadGetsTheGetHeadersWithoutBody) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Length"), "19");
  EXPECT_EQ(r->body, "");
  auto next = c.RoundTrip(Get("/hello"));  // no stray body bytes on the wire
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, R"({"message":"hello"})");
}

TEST_P(ServerTest, UnknownPathIs404ProblemJson) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip(Get("/nope"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->Header("Content-Type"), "application/problem+json");
  EXPECT_NE(r->body.find(R"("status":404)"), std::string::npos);
}

TEST_P(ServerTest, WrongMethodIs405WithAllow) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD");
}

TEST_P(ServerTest, MalformedRequestIs400AndCloses) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("GET /hello HTTP/9.9\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(ServerTest, BinaryJunkIs400AndCloses) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  std::string junk = {'\x00', '\xff', '\x16', '\x03', '\x01', '\r', '\n', '\r', '\n'};
  auto r = c.RoundTrip(junk);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(ServerTest, OversizedHeadersAre431AndClose) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip(Get("/hello", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(ServerTest, OversizedBodyIs413BeforeItIsRead) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(ServerTest, OversizedChunkedBodyIs413) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                       std::string("80\r\n") + std::string(128, 'x') + "\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
}

TEST_P(ServerTest, ChunkedBodyWithinLimitIsDelivered) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "abcde");
}

TEST_P(ServerTest, SlowHeadersGet408AndClose) {
  auto o = Options();
  o.header_timeout = std::chrono::milliseconds(100);
  TestServer s(o, pipeline_);
  RawClient c(s.port());
  c.Send("GET /hello HTTP/1.1\r\nHost:");  // ...and never finish
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(ServerTest, TricklingHeadersCannotExtendTheDeadline) {
  auto o = Options();
  o.header_timeout = std::chrono::milliseconds(150);
  TestServer s(o, pipeline_);
  RawClient c(s.port(), std::chrono::milliseconds(20));  // each Read waits at most 20 ms
  c.Send("GET /hello HTTP/1.1\r\n");
  // A byte every ~20 ms keeps the connection busy; the deadline from the first byte must still
  // hold. Bounded: 250 rounds is 5 s, far past the 150 ms deadline.
  std::optional<testing::RawResponse> r;
  for (int i = 0; i < 250 && !r; ++i) {
    c.Send("X");
    r = c.Read();
  }
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
}

TEST_P(ServerTest, IdleKeepAliveConnectionsAreClosed) {
  auto o = Options();
  o.idle_timeout = std::chrono::milliseconds(100);
  TestServer s(o, pipeline_);
  RawClient c(s.port());
  ASSERT_TRUE(c.RoundTrip(Get("/hello")));
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(ServerTest, AtTheConnectionLimitAnIdleConnectionMakesRoom) {
  auto o = Options();
  o.max_connections = 1;
  TestServer s(o, pipeline_);
  RawClient first(s.port());
  ASSERT_TRUE(first.RoundTrip(Get("/hello")));  // accepted, counted, now idle between requests
  RawClient second(s.port());
  auto r = second.RoundTrip(Get("/hello"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(first.WaitClosed());  // nginx's way: the idle keep-alive connection gave its slot
  EXPECT_EQ(s.server().connection_stats().reclaimed, 1u);
  EXPECT_EQ(s.server().connection_stats().refused, 0u);
}

TEST_P(ServerTest, AtTheConnectionLimitBusyConnectionsMeanA503) {
  auto o = Options();
  o.max_connections = 1;
  TestServer s(o, pipeline_);
  RawClient first(s.port());
  first.Send(Get("/slow"));
  gate_.entered.get_future().wait();  // a handler runs: busy, not reclaimable
  RawClient second(s.port());
  auto r = second.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("Retry-After"), "1");
  EXPECT_EQ(s.server().connection_stats().refused, 1u);
  gate_.open = true;
  auto done = first.Read();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
}

TEST_P(ServerTest, HandlerExceptionBecomes500AndServerKeepsServing) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip(Get("/throw"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Header("Content-Type"), "application/problem+json");
  auto ok = c.RoundTrip(Get("/hello"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_P(ServerTest, ExpectContinueGets100BeforeTheBody) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  auto interim = c.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  c.Send("hi");
  auto r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hi");
}

TEST_P(ServerTest, Http10WithoutKeepAliveCloses) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("GET /hello HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.WaitClosed());
}

TEST_P(ServerTest, ShutdownFinishesInFlightRequestsThenReturns) {
  TestServer s(Options(), pipeline_);
  RawClient idle(s.port());
  ASSERT_TRUE(idle.RoundTrip(Get("/hello")));
  RawClient busy(s.port());
  busy.Send(Get("/slow"));
  gate_.entered.get_future().wait();
  std::thread stopper([&] { s.Stop(); });
  EXPECT_TRUE(idle.WaitClosed());  // idle keep-alive connections are closed at once
  gate_.open = true;
  auto r = busy.Read();
  stopper.join();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "close");
}

TEST_P(ServerTest, ShutdownAbandonsRequestsPastTheDeadline) {
  auto o = Options();
  o.shutdown_timeout = std::chrono::milliseconds(100);
  TestServer s(o, pipeline_);
  RawClient busy(s.port());
  busy.Send(Get("/slow"));
  gate_.entered.get_future().wait();
  s.Stop();  // returns although the handler never finishes
  gate_.open = true;
  SUCCEED();
}

TEST_P(ServerTest, RefusesAPortAnotherServerListensOn) {
  TestServer first(Options(), pipeline_);
  auto o = Options();
  o.host = "127.0.0.1";
  o.port = first.port();
  Server second(o, pipeline_);
  auto r = second.Listen();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_NE(r.error().detail.find("in use"), std::string::npos) << r.error().detail;
}

INSTANTIATE_TEST_SUITE_P(IoModels, ServerTest,
                         ::testing::Values(IoModel::kReusePort, IoModel::kShared),
                         [](const auto& param_info) {
                           return param_info.param == IoModel::kShared ? "Shared" : "ReusePort";
                         });

}  // namespace
}  // namespace core
