#include "core/http/request_reader.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <cstring>
#include <vector>

namespace core {
namespace {

class RequestReaderTest : public ::testing::Test {
 protected:
  RequestReaderTest() {
    options_.max_header_bytes = 256;
    options_.max_body_bytes = 16;
  }

  // Feeds `bytes` in chunks of `chunk` and collects requests until an error or the input ends.
  std::vector<Request> Feed(RequestReader& r, std::string_view bytes, std::size_t chunk,
                            RequestReader::Status* last = nullptr) {
    std::vector<Request> out;
    RequestReader::Status s = RequestReader::Status::kNeedMore;
    while (true) {
      s = r.Parse();
      while (s == RequestReader::Status::kRequest) {
        out.push_back(r.Take());
        s = r.Parse();
      }
      if (s == RequestReader::Status::kError || bytes.empty()) break;
      auto buf = r.Prepare();
      std::size_t n = std::min({chunk, bytes.size(), buf.size()});
      std::memcpy(buf.data(), bytes.data(), n);
      r.Commit(n);
      bytes.remove_prefix(n);
    }
    if (last) *last = s;
    return out;
  }

  ServerOptions options_;
};

TEST_F(RequestReaderTest, ParsesARequestDeliveredByteByByte) {
  RequestReader r(options_);
  auto reqs = Feed(r, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", 1);
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target(), "/x");
  EXPECT_EQ(reqs[0].body(), "abc");
}

TEST_F(RequestReaderTest, SplitsPipelinedRequests) {
  RequestReader r(options_);
  auto reqs = Feed(r, "GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\n", 4096);
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].target(), "/a");
  EXPECT_EQ(reqs[1].target(), "/b");
}

TEST_F(RequestReaderTest, HeadersOverTheLimitAre431) {
  RequestReader r(options_);
  RequestReader::Status s;
  Feed(r, "GET / HTTP/1.1\r\nX: " + std::string(300, 'a') + "\r\n\r\n", 7, &s);
  EXPECT_EQ(s, RequestReader::Status::kError);
  EXPECT_EQ(r.error().code, Code::kHeadersTooLarge);
}

TEST_F(RequestReaderTest, DeclaredBodyOverTheLimitIs413BeforeTheBody) {
  RequestReader r(options_);
  RequestReader::Status s;
  Feed(r, "POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n", 4096, &s);
  EXPECT_EQ(s, RequestReader::Status::kError);
  EXPECT_EQ(r.error().code, Code::kPayloadTooLarge);
}

TEST_F(RequestReaderTest, ConflictingFramingIs400) {
  RequestReader r(options_);
  RequestReader::Status s;
  Feed(r, "POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 4096, &s);
  EXPECT_EQ(s, RequestReader::Status::kError);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
}

TEST_F(RequestReaderTest, EndlessChunkSizeLineIsAnErrorNotUnboundedMemory) {
  RequestReader r(options_);
  RequestReader::Status s;
  std::string input =
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + std::string(100000, 'e');
  Feed(r, input, 4096, &s);
  EXPECT_EQ(s, RequestReader::Status::kError);
  EXPECT_LE(r.buffered(), options_.max_header_bytes + 16 * 1024);
}

TEST_F(RequestReaderTest, ReportsExpectContinueOnceTheHeaderIsIn) {
  RequestReader r(options_);
  Feed(r, "POST / HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n", 4096);
  EXPECT_TRUE(r.header_done());
  EXPECT_TRUE(r.expects_continue());
}

TEST_F(RequestReaderTest, StartedTurnsTrueWithTheFirstByte) {
  RequestReader r(options_);
  EXPECT_FALSE(r.started());
  Feed(r, "G", 1);
  EXPECT_TRUE(r.started());
}

}  // namespace
}  // namespace core
