#include "core/base/host_port.hpp"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(ParseHostPortTest, ReadsNamesAddressesAndBracketedV6) {
  auto a = ParseHostPort("127.0.0.1:6379");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6379);
  auto b = ParseHostPort("redis.internal:1");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "redis.internal");
  auto c = ParseHostPort("[::1]:65535");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, 65535);
}

TEST(ParseHostPortTest, RejectsWhatWouldWrapOrMislead) {
  for (const char* bad :
       {"", "host", ":80", "host:", "host:0", "host:65536", "host:84666", "host:-1", "host:80x",
        "host: 80", "::1:80", "[::1]80", "[::1]:", "[::1", "host:99999999999999999999"}) {
    auto r = ParseHostPort(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, Code::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace core
