// RFC 9112 framing and the request-body budget, driven with raw bytes against the real server:
// each case here is one a fuzzer, a smuggling proxy or a flood of slow uploads would try.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "core/http/server.hpp"
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

Task<void> EchoHost(Exchange& ex) {
  ex.Text(http::status::ok, std::string(ex.request[http::field::host]), "text/plain");
  co_return;
}

class FramingTest : public ::testing::Test {
 protected:
  FramingTest() : pipeline_(router_) {
    router_.Get("/hello", Hello);
    router_.Post("/echo", Echo);
    router_.Get("/host", EchoHost);
  }

  ServerOptions Options() {
    ServerOptions o;
    o.threads = 1;
    o.max_header_bytes = 1024;
    o.max_body_bytes = 64 * 1024;
    return o;
  }

  Router router_;
  Pipeline pipeline_;
};

// A request the server must refuse with `status` and then close, without ever answering what
// follows it on the connection (the smuggled request).
void ExpectRefusedAndClosed(std::uint16_t port, const std::string& bytes, int status) {
  RawClient c(port, std::chrono::seconds(3));
  c.Send(bytes);
  auto r = c.Read();
  ASSERT_TRUE(r) << bytes;
  EXPECT_EQ(r->status, status) << bytes;
  EXPECT_EQ(r->Header("Connection"), "close") << bytes;
  EXPECT_TRUE(c.WaitClosed()) << bytes;  // and no second response before the close
}

TEST_F(FramingTest, TransferEncodingThatDoesNotEndInChunkedIs400AndCloses) {
  TestServer s(Options(), pipeline_);
  const std::string smuggled = Get("/hello");
  for (const char* te :
       {"identity", "gzip", "chunked, identity", "xchunked", "foo", "chunked, chunked"}) {
    ExpectRefusedAndClosed(s.port(),
                           "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: " +
                               std::string(te) + "\r\n\r\n" + smuggled,
                           400);
  }
  // Split over two field lines, the list is the same: identity last.
  ExpectRefusedAndClosed(s.port(),
                         "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                         "Transfer-Encoding: identity\r\n\r\n" +
                             smuggled,
                         400);
}

TEST_F(FramingTest, TransferEncodingOnHttp10Is400) {
  TestServer s(Options(), pipeline_);
  ExpectRefusedAndClosed(s.port(),
                         "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
}

TEST_F(FramingTest, CodingsWeCannotDecodeAre501) {
  TestServer s(Options(), pipeline_);
  ExpectRefusedAndClosed(
      s.port(),
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501);
}

TEST_F(FramingTest, Http11NeedsExactlyOneHost) {
  TestServer s(Options(), pipeline_);
  ExpectRefusedAndClosed(s.port(), "GET /hello HTTP/1.1\r\n\r\n", 400);
  ExpectRefusedAndClosed(s.port(), "GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  RawClient c(s.port());
  auto r = c.RoundTrip("GET /hello HTTP/1.0\r\n\r\n");  // 1.0 may omit it
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(FramingTest, AbsoluteFormIsRoutedByItsPathWithItsAuthorityAsHost) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("GET http://example.test:8080/host?x=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "example.test:8080");
  auto hello = c.RoundTrip("GET http://x/hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->status, 200);
  ExpectRefusedAndClosed(s.port(), "GET ftp://x/hello HTTP/1.1\r\nHost: x\r\n\r\n", 400);
}

TEST_F(FramingTest, OptionsStarNamesWhatTheServerTakes) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->Header("Allow"), "GET, HEAD, POST, OPTIONS");
  ExpectRefusedAndClosed(s.port(), "GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400);
}

TEST_F(FramingTest, ARequestLineThatCannotBecomeValidIs400AtOnce) {
  auto o = Options();
  o.header_timeout = std::chrono::seconds(30);  // a 408 would take this long; the client waits 3 s
  TestServer s(o, pipeline_);
  for (const char* line : {"GET / \r\n\r\n", "GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
                           "GET / HTTP/1.1 x\r\n\r\n", "GET / HTTP/x.y\r\n\r\n"}) {
    ExpectRefusedAndClosed(s.port(), line, 400);
  }
}

TEST_F(FramingTest, BareLineFeedsInChunkedFramingAre400AtOnce) {
  auto o = Options();
  o.body_timeout = std::chrono::seconds(30);
  TestServer s(o, pipeline_);
  ExpectRefusedAndClosed(
      s.port(),
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", 400);
  ExpectRefusedAndClosed(
      s.port(),
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
      400);
  // Data bytes may be anything, LF included.
  RawClient c(s.port());
  auto r = c.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na\nb\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "a\nb");
}

TEST_F(FramingTest, TheHeaderLimitHoldsWhenTheHeaderArrivesInOneRead) {
  TestServer s(Options(), pipeline_);  // max_header_bytes 1024
  std::string request = "GET /hello HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 100; ++i) request += "X-" + std::to_string(i) + ": 0123456789\r\n";
  request += "\r\n";
  ASSERT_GT(request.size(), 1024u);
  ASSERT_LT(request.size(), 2 * 1024u + 16 * 1024u);
  ExpectRefusedAndClosed(s.port(), request, 431);
}

TEST_F(FramingTest, AProblemAboutABinaryPathIsValidJson) {
  TestServer s(Options(), pipeline_);
  RawClient c(s.port());
  auto r = c.RoundTrip("GET /hello\xff\xfe HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  boost::system::error_code ec;
  auto doc = boost::json::parse(r->body, ec);  // Boost.JSON rejects invalid UTF-8
  ASSERT_FALSE(ec) << r->body;
  EXPECT_EQ(doc.at("instance").as_string(), "/hello\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_F(FramingTest, BodiesBeyondTheServerWideBudgetGet503) {
  auto o = Options();
  o.max_body_bytes_in_flight = 32 * 1024;
  TestServer s(o, pipeline_);
  const std::string head =
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 20000\r\nExpect: 100-continue\r\n\r\n";
  RawClient first(s.port());
  first.Send(head);
  auto go = first.Read();  // 100 Continue: its body now holds 32 KiB (two 16 KiB granules)
  ASSERT_TRUE(go);
  ASSERT_EQ(go->status, 100);
  EXPECT_EQ(s.server().body_budget().used(), 32u * 1024);
  ExpectRefusedAndClosed(s.port(), head, 503);
  EXPECT_EQ(s.server().body_budget().refusals(), 1u);
  first.Send(std::string(20000, 'x'));
  auto done = first.Read();
  ASSERT_TRUE(done);
  EXPECT_EQ(done->status, 200);
  EXPECT_EQ(done->body.size(), 20000u);
  EXPECT_EQ(s.server().body_budget().used(), 0u);  // given back with the response
  // A chunked body is covered as it grows.
  RawClient chunked(s.port());
  auto r =
      chunked.RoundTrip("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
                        std::string("4e20\r\n") + std::string(20000, 'y') + "\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(s.server().body_budget().used(), 0u);
}

}  // namespace
}  // namespace core
