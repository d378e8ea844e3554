#include "02_url_shortener_service_mini/domain/url_policy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace shortener {
namespace {

UrlPolicy Policy(UrlPolicyOptions options = {}, const std::vector<std::string>& blocked = {}) {
  return UrlPolicy(std::move(options), HostBlocklist(blocked));
}

UrlPolicyOptions MaxBytes(std::size_t n) {
  UrlPolicyOptions o;
  o.max_bytes = n;
  return o;
}

TEST(UrlPolicyTest, AcceptsOrdinaryWebLinks) {
  const UrlPolicy p = Policy();
  for (const char* url :
       {"https://example.com", "http://example.com/a/b?c=d#e", "HTTPS://Example.COM:8443/x",
        "https://127.0.0.1/", "http://[::1]:8080/", "https://xn--bcher-kva.example/",
        "https://b%C3%BCcher.example/", "https://example.com:/empty-port"}) {
    EXPECT_EQ(p.Check(url), UrlRejection::kNone) << url;
  }
}

TEST(UrlPolicyTest, RejectsEmptyAndTooLong) {
  const UrlPolicy p = Policy(MaxBytes(40));
  EXPECT_EQ(p.Check(""), UrlRejection::kEmpty);
  EXPECT_EQ(p.Check("https://example.com/" + std::string(20, 'a')), UrlRejection::kNone);
  EXPECT_EQ(p.Check("https://example.com/" + std::string(21, 'a')), UrlRejection::kTooLong);
}

TEST(UrlPolicyTest, RejectsWhatIsNotAnAbsoluteUri) {
  const UrlPolicy p = Policy();
  for (const char* url :
       {"example.com", "/relative/path", "https://exa mple.com/",
        "https://example.com/\r\nSet-Cookie: x", "ht tp://x", "://x", "https://example.com/%zz",
        "\x01https://x", "https://example.com/<script>"}) {
    EXPECT_EQ(p.Check(url), UrlRejection::kMalformed) << url;
  }
}

TEST(UrlPolicyTest, RejectsSchemesOtherThanHttpAndHttps) {
  const UrlPolicy p = Policy();
  for (const char* url : {"javascript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
                          "file:///etc/passwd", "ftp://example.com/", "mailto:a@b.c",
                          "JaVaScRiPt:alert(1)", "vbscript:x", "httpx://example.com"}) {
    EXPECT_EQ(p.Check(url), UrlRejection::kScheme) << url;
  }
}

TEST(UrlPolicyTest, RejectsMissingHost) {
  const UrlPolicy p = Policy();
  EXPECT_EQ(p.Check("http:///path"), UrlRejection::kNoHost);
  EXPECT_EQ(p.Check("http:path"), UrlRejection::kNoHost);
  EXPECT_EQ(p.Check("https://"), UrlRejection::kNoHost);
  EXPECT_EQ(p.Check("https://:80/"), UrlRejection::kNoHost);
}

TEST(UrlPolicyTest, RejectsHostsThatAreNotNames) {
  const UrlPolicy p = Policy();
  EXPECT_EQ(p.Check("https://a!b.com/"), UrlRejection::kBadHost);
  EXPECT_EQ(p.Check("https://a%20b.com/"), UrlRejection::kBadHost);
  EXPECT_EQ(p.Check("https://a..b.com/"), UrlRejection::kBadHost);
  EXPECT_EQ(p.Check("https://" + std::string(254, 'a') + "/"), UrlRejection::kBadHost);
  EXPECT_EQ(p.Check("https://[v7.abc]/"), UrlRejection::kBadHost);
}

TEST(UrlPolicyTest, RejectsPortsOutOfRange) {
  const UrlPolicy p = Policy();
  EXPECT_EQ(p.Check("https://example.com:65535/"), UrlRejection::kNone);
  EXPECT_EQ(p.Check("https://example.com:65536/"), UrlRejection::kBadPort);
  EXPECT_EQ(p.Check("https://example.com:99999999999999999999/"), UrlRejection::kBadPort);
}

TEST(UrlPolicyTest, RejectsCredentialsUnlessAllowed) {
  EXPECT_EQ(Policy().Check("https://bank.com@evil.example/"), UrlRejection::kCredentials);
  EXPECT_EQ(Policy().Check("https://user:pw@example.com/"), UrlRejection::kCredentials);
  UrlPolicyOptions allow;
  allow.reject_credentials = false;
  EXPECT_EQ(Policy(allow).Check("https://user:pw@example.com/"), UrlRejection::kNone);
}

TEST(UrlPolicyTest, RejectsBlocklistedHostsAndTheirSubdomains) {
  const UrlPolicy p = Policy({}, {"evil.example", "10.0.0.1", "Phish.Example."});
  EXPECT_EQ(p.Check("https://evil.example/"), UrlRejection::kBlockedHost);
  EXPECT_EQ(p.Check("https://a.b.EVIL.example./x"), UrlRejection::kBlockedHost);
  EXPECT_EQ(p.Check("https://phish.example/"), UrlRejection::kBlockedHost);
  EXPECT_EQ(p.Check("https://ev%69l.example/"), UrlRejection::kBlockedHost);  // decoded first
  EXPECT_EQ(p.Check("https://notevil.example/"), UrlRejection::kNone);
  EXPECT_EQ(p.Check("http://10.0.0.1:8080/"), UrlRejection::kBlockedHost);
  EXPECT_EQ(p.Check("http://110.0.0.1/"), UrlRejection::kNone);
}

TEST(UrlPolicyTest, RejectsLinksToItself) {
  UrlPolicyOptions self;
  self.self_hosts = {"sho.rt"};
  const UrlPolicy p = Policy(self);
  EXPECT_EQ(p.Check("https://sho.rt/r/abc"), UrlRejection::kSelfLink);
  EXPECT_EQ(p.Check("http://SHO.RT:9002/r/abc"), UrlRejection::kSelfLink);
  EXPECT_EQ(p.Check("https://www.sho.rt/"), UrlRejection::kSelfLink);
  EXPECT_EQ(p.Check("https://short.example/"), UrlRejection::kNone);
  EXPECT_EQ(p.Check("http://localhost:9002/r/x", "LocalHost"), UrlRejection::kSelfLink);
  EXPECT_EQ(p.Check("http://localhost:9002/r/x", "127.0.0.1"), UrlRejection::kNone);
}

TEST(UrlPolicyTest, ValidateNamesTheReason) {
  auto r = Policy().Validate("javascript:alert(1)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
  EXPECT_EQ(r.error().detail, "url rejected (scheme): only http and https links");
  EXPECT_TRUE(Policy().Validate("https://example.com"));
}

TEST(HostBlocklistTest, LoadsAFileWithCommentsAndBlankLines) {
  char path[] = "/tmp/blocklist_testXXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  {
    std::ofstream out(path);
    out << "# phishing\n\nevil.example  # from a feed\n  Bad.Example.\r\n10.1.2.3\n";
  }
  auto list = HostBlocklist::Load(path);
  ASSERT_TRUE(list) << list.error().detail;
  EXPECT_EQ(list->size(), 3u);
  EXPECT_TRUE(list->Blocks("bad.example"));
  EXPECT_TRUE(list->Blocks("x.evil.example"));
  EXPECT_TRUE(list->Blocks("10.1.2.3"));
  {
    std::ofstream out(path);
    out << "good.example\nnot a host\n";
  }
  auto bad = HostBlocklist::Load(path);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().detail.find(":2: not a host name"), std::string::npos)
      << bad.error().detail;
  auto too_big = HostBlocklist::Load(path, 5);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().detail.find("larger than"), std::string::npos);
  std::remove(path);
  EXPECT_FALSE(HostBlocklist::Load("/nonexistent/blocklist"));
}

TEST(HostOfTest, LowercasesAndDropsTheTrailingDot) {
  EXPECT_EQ(HostOf("https://WWW.Example.com./x"), "www.example.com");
  EXPECT_EQ(HostOf("http://[::1]:80/"), "::1");
  EXPECT_EQ(HostOf("not a url"), "");
  EXPECT_EQ(HostOf("android-app://com.example.app/"), "com.example.app");
}

}  // namespace
}  // namespace shortener
