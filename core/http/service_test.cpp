#include "core/http/service.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace core {
namespace {

int ParseArgs(ServiceCli& cli, std::vector<std::string> args) {
  args.insert(args.begin(), "sd-test");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto rc = cli.Parse(static_cast<int>(argv.size()), argv.data());
  return rc ? *rc : -1;  // -1: go on running
}

TEST(ServiceCliTest, DefaultsToTheServicePort) {
  ServiceCli cli({"sd-test", "test", 9042});
  EXPECT_EQ(ParseArgs(cli, {}), -1);
  EXPECT_EQ(cli.server_options().port, 9042);
  EXPECT_EQ(cli.server_options().host, "127.0.0.1");
}

TEST(ServiceCliTest, ReadsFlags) {
  ServiceCli cli({"sd-test", "test", 9042});
  EXPECT_EQ(ParseArgs(cli, {"--port", "0", "--threads", "3", "--idle-timeout", "5s", "--io-model",
                            "shared", "--log-level", "debug"}),
            -1);
  EXPECT_EQ(cli.server_options().port, 0);
  EXPECT_EQ(cli.server_options().threads, 3);
  EXPECT_EQ(cli.server_options().idle_timeout, std::chrono::seconds(5));
  EXPECT_EQ(cli.server_options().io_model, IoModel::kShared);
  EXPECT_EQ(cli.log_level(), log::Level::kDebug);
}

TEST(ServiceCliTest, ReadsEnvironmentVariables) {
  ::setenv("SD_ENVTEST_PORT", "9999", 1);
  ServiceCli cli({"sd-envtest", "test", 9042});
  EXPECT_EQ(cli.Env("max-body-bytes"), "SD_ENVTEST_MAX_BODY_BYTES");
  EXPECT_EQ(ParseArgs(cli, {}), -1);
  ::unsetenv("SD_ENVTEST_PORT");
  EXPECT_EQ(cli.server_options().port, 9999);
}

TEST(ServiceCliTest, BadFlagsExitWith2) {
  {
    ServiceCli cli({"sd-test", "test", 1});
    EXPECT_EQ(ParseArgs(cli, {"--port", "70000"}), 2);
  }
  {
    ServiceCli cli({"sd-test", "test", 1});
    EXPECT_EQ(ParseArgs(cli, {"--no-such-flag"}), 2);
  }
  {
    ServiceCli cli({"sd-test", "test", 1});
    EXPECT_EQ(ParseArgs(cli, {"--idle-timeout", "soon"}), 2);
  }
  {
    ServiceCli cli({"sd-test", "test", 1});
    EXPECT_EQ(ParseArgs(cli, {"--log-level", "loud"}), 2);
  }
}

TEST(ServiceCliTest, HelpAndVersionExitWith0) {
  {
    ServiceCli cli({"sd-test", "test", 1});
    EXPECT_EQ(ParseArgs(cli, {"--help"}), 0);
  }
  {
    ServiceCli cli({"sd-test", "test", 1});
    EXPECT_EQ(ParseArgs(cli, {"--version"}), 0);
  }
}

TEST(LogTest, FormatsOneJsonObjectWithFields) {
  std::string line = log::Format(log::Level::kWarn, "a \"quoted\"\nmsg",
                                 {{"n", 42}, {"u", std::uint64_t{7}}, {"ok", true}, {"s", "x\ty"}});
  auto v = boost::json::parse(line);
  auto& o = v.as_object();
  EXPECT_EQ(o.at("level").as_string(), "warn");
  EXPECT_EQ(o.at("msg").as_string(), "a \"quoted\"\nmsg");
  EXPECT_EQ(o.at("n").as_int64(), 42);
  EXPECT_EQ(o.at("u").to_number<std::uint64_t>(), 7u);
  EXPECT_EQ(o.at("ok").as_bool(), true);
  EXPECT_EQ(o.at("s").as_string(), "x\ty");
  std::string ts(o.at("ts").as_string());
  ASSERT_EQ(ts.size(), 27u);  // 2026-11-24T11:21:00.123456Z
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts[19], '.');
  EXPECT_EQ(ts.back(), 'Z');
}

// The byte-at-a-time definition the word-at-a-time fast path must agree with.
std::string ReferenceEscape(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"') {
      out += "\\\"";
    } else if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

TEST(LogTest, EscapesEveryByteAtEveryOffsetOfAWord) {
  for (std::size_t len = 1; len <= 24; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string text(len, 'a');
        text[pos] = static_cast<char>(b);
        std::string out = "prefix";
        log::AppendJsonEscaped(out, text);
        ASSERT_EQ(out, "prefix" + ReferenceEscape(text))
            << "len " << len << " pos " << pos << " byte " << b;
      }
    }
  }
  const std::string mixed = "caf\xc3\xa9 \"q\" C:\\tmp\x01\x7f\xff end of a longer line";
  std::string out;
  log::AppendJsonEscaped(out, mixed);
  EXPECT_EQ(out, ReferenceEscape(mixed));
}

// printf's fixed-point, trailing zeros trimmed: what AppendSeconds must match.
std::string ReferenceSeconds(std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(ns) + 1 : static_cast<std::uint64_t>(ns);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%09llu", negative ? "-" : "",
                static_cast<unsigned long long>(magnitude / 1000000000),
                static_cast<unsigned long long>(magnitude % 1000000000));
  std::string text(buf);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

TEST(LogTest, WritesADurationAsSecondsToTheNanosecond) {
  const auto seconds = [](std::int64_t ns) {
    std::string out;
    log::AppendSeconds(out, ns);
    return out;
  };
  EXPECT_EQ(seconds(0), "0");
  EXPECT_EQ(seconds(12345), "0.000012345");
  EXPECT_EQ(seconds(1'500'000'000), "1.5");
  EXPECT_EQ(seconds(1'000'000'000), "1");
  EXPECT_EQ(seconds(999'999'999), "0.999999999");
  EXPECT_EQ(seconds(-2000), "-0.000002");
  EXPECT_EQ(seconds(std::numeric_limits<std::int64_t>::max()), "9223372036.854775807");
  EXPECT_EQ(seconds(std::numeric_limits<std::int64_t>::min()), "-9223372036.854775808");
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (int i = 0; i < 10000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const auto ns = static_cast<std::int64_t>(x >> (i % 64));  // every magnitude
    ASSERT_EQ(seconds(ns), ReferenceSeconds(ns)) << ns;
    if (ns != std::numeric_limits<std::int64_t>::min()) {
      ASSERT_EQ(seconds(-ns), ReferenceSeconds(-ns)) << -ns;
    }
  }

  const std::string line =
      log::Format(log::Level::kInfo, "request", {{"duration_s", std::chrono::nanoseconds(12345)}});
  EXPECT_NE(line.find(R"("duration_s":0.000012345})"), std::string::npos) << line;
  EXPECT_DOUBLE_EQ(boost::json::parse(line).at("duration_s").to_number<double>(), 12345e-9);
}

TEST(LogTest, ParsesLevels) {
  EXPECT_EQ(log::ParseLevel("WARNING"), log::Level::kWarn);
  EXPECT_EQ(log::ParseLevel("off"), log::Level::kOff);
  EXPECT_EQ(log::ParseLevel("verbose"), std::nullopt);
}

}  // namespace
}  // namespace core
