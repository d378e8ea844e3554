// The client against the real server on port 0.
#include "core/http/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/http/testing/test_server.hpp"

namespace core {
namespace {

Task<void> PeerPort(Exchange& ex) {
  ex.Text(http::status::ok, std::to_string(ex.peer_port), "text/plain");
  co_return;
}

Task<void> EchoHeader(Exchange& ex) {
  ex.Text(http::status::ok, std::string(ex.request["X-Test"]), "text/plain");
  co_return;
}

Task<void> Big(Exchange& ex) {
  ex.Text(http::status::ok, std::string(4096, 'x'), "text/plain");
  co_return;
}

Task<void> Never(Exchange& ex) {
  auto executor = co_await net::this_coro::executor;
  net::steady_timer timer(executor, std::chrono::seconds(5));  // far past the client's deadline
  co_await timer.async_wait(kUseTuple);
  ex.Text(http::status::ok, "late", "text/plain");
}

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClientTest() : pipeline_(router_) {
    router_.Get("/port", PeerPort);
    router_.Get("/echo-header", EchoHeader);
    router_.Get("/big", Big);
    router_.Get("/never", Never);
  }

  // Runs one Send to completion on the test's io_context.
  Result<Response> Call(HttpClient& client, std::uint16_t port, std::string target,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) {
    std::optional<Result<Response>> out;
    Request req{http::verb::get, target, 11};
    net::co_spawn(ioc_, client.Send({"127.0.0.1", port}, std::move(req), nullptr, timeout),
                  [&](std::exception_ptr e, Result<Response> r) {
                    if (e) std::rethrow_exception(e);
                    out.emplace(std::move(r));
                  });
    ioc_.restart();
    ioc_.run();
    return std::move(*out);
  }

  Router router_;
  Pipeline pipeline_;
  net::io_context ioc_;
};

TEST_F(HttpClientTest, ReusesKeepAliveConnections) {
  testing::TestServer server({}, pipeline_);
  HttpClient client;
  auto a = Call(client, server.port(), "/port");
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_EQ(client.idle_connections(), 1u);
  auto b = Call(client, server.port(), "/port");
  ASSERT_TRUE(b);
  EXPECT_EQ(a->body(), b->body());  // same client port: same connection
  client.CloseIdle();
}

TEST_F(HttpClientTest, ReplacesAPooledConnectionTheServerClosed) {
  ServerOptions o;
  o.idle_timeout = std::chrono::milliseconds(50);
  testing::TestServer server(o, pipeline_);
  HttpClient client;
  auto a = Call(client, server.port(), "/port");
  ASSERT_TRUE(a);
  // Wait (bounded) until the server has closed the idle connection.
  for (int i = 0; i < 500 && server.server().active_connections() > 0; ++i) {
    std::this_thread::yield();
    net::io_context idle;
    net::steady_timer t(idle, std::chrono::milliseconds(10));
    t.wait();
  }
  ASSERT_EQ(server.server().active_connections(), 0u);
  auto b = Call(client, server.port(), "/port");
  ASSERT_TRUE(b) << b.error().detail;
  EXPECT_NE(a->body(), b->body());
  client.CloseIdle();
}

TEST_F(HttpClientTest, RunsOutboundHooks) {
  testing::TestServer server({}, pipeline_);
  HttpClient client;
  client.AddOutboundHook([](const Exchange*, Request& r) { r.set("X-Test", "hooked"); });
  auto r = Call(client, server.port(), "/echo-header");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "hooked");
  client.CloseIdle();
}

TEST_F(HttpClientTest, SlowUpstreamIsATimeout) {
  ServerOptions o;
  o.shutdown_timeout = std::chrono::milliseconds(50);  // don't wait for /never at teardown
  testing::TestServer server(o, pipeline_);
  HttpClient client;
  auto r = Call(client, server.port(), "/never", std::chrono::milliseconds(100));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kTimeout);
  client.CloseIdle();
  server.Stop();
}

TEST_F(HttpClientTest, RefusedConnectionIsUnavailable) {
  std::uint16_t port;
  {
    net::ip::tcp::acceptor probe(ioc_, {net::ip::make_address("127.0.0.1"), 0});
    port = probe.local_endpoint().port();
  }  // closed: nothing listens there now
  HttpClient client;
  auto r = Call(client, port, "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnavailable);
}

TEST_F(HttpClientTest, OversizedResponseIsBadGateway) {
  testing::TestServer server({}, pipeline_);
  ClientOptions o;
  o.max_response_bytes = 1024;
  HttpClient client(o);
  auto r = Call(client, server.port(), "/big");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kBadGateway);
}

TEST(ParseHttpUrlTest, SplitsHostPortAndTarget) {
  auto r = ParseHttpUrl("http://127.0.0.1:8080/a/b?x=1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->first.host, "127.0.0.1");
  EXPECT_EQ(r->first.port, 8080);
  EXPECT_EQ(r->second, "/a/b?x=1");
  auto d = ParseHttpUrl("http://example.com");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->first.port, 80);
  EXPECT_EQ(d->second, "/");
  auto v6 = ParseHttpUrl("http://[::1]:9/x");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->first.host, "::1");
}

TEST(ParseHttpUrlTest, RejectsWhatItCannotCall) {
  EXPECT_FALSE(ParseHttpUrl("https://example.com/"));
  EXPECT_FALSE(ParseHttpUrl("not a url"));
  EXPECT_FALSE(ParseHttpUrl("http:///path"));
  EXPECT_FALSE(ParseHttpUrl("http://h:0/"));
}

TEST(ParseHttpUrlTest, RejectsPortsThatWouldWrapAndHostsThatDecodeToOthers) {
  EXPECT_FALSE(ParseHttpUrl("http://127.0.0.1:84666/"));  // would wrap to 19130
  EXPECT_FALSE(ParseHttpUrl("http://127.0.0.1:65536/"));
  EXPECT_FALSE(ParseHttpUrl("http://127.0.0.1:99999999999/"));
  EXPECT_FALSE(ParseHttpUrl("http://127.0.0.1%2elocalhost/"));
  EXPECT_FALSE(ParseHttpUrl("http://user:pw@127.0.0.1/"));
  EXPECT_FALSE(ParseHttpUrl("http://exa mple.com/"));
  auto max = ParseHttpUrl("http://127.0.0.1:65535/");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->first.port, 65535);
}

}  // namespace
}  // namespace core
