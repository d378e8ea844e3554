// libFuzzer target for the URL policy, the alias check and the visit helpers (built with the
// `fuzz` preset: clang, -DSD_BUILD_FUZZERS=ON).
//
// Beyond "no crash, no UB, no leak": a URL the policy accepts must be safe to put in a Location
// header and must really be what the policy promises — http(s), within the byte limit, no control
// characters or spaces, a host that is not blocked, not the shortener's own.
//
//   build-fuzz/bin/shortener_url_policy_fuzz 02_url_shortener_service_mini/domain/fuzz/corpus \
//     -max_total_time=120
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "02_url_shortener_service_mini/domain/alias.hpp"
#include "02_url_shortener_service_mini/domain/url_policy.hpp"
#include "02_url_shortener_service_mini/domain/visit.hpp"

namespace {

void Require(bool ok) {
  if (!ok) std::abort();
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const shortener::UrlPolicy policy(
      {.max_bytes = 512, .reject_credentials = true, .self_hosts = {"sho.rt"}},
      shortener::HostBlocklist({"evil.example", "10.0.0.1"}));
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  const auto reason = policy.Check(url);
  const auto validated = policy.Validate(url);
  Require(validated.has_value() == (reason == shortener::UrlRejection::kNone));
  if (reason == shortener::UrlRejection::kNone) {
    Require(url.size() <= 512);
    Require(StartsWithNoCase(url, "http://") || StartsWithNoCase(url, "https://"));
    for (char c : url) Require(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
    const std::string host = shortener::HostOf(url);
    Require(!host.empty());
    Require(host != "evil.example" && !host.ends_with(".evil.example") && host != "10.0.0.1");
    Require(host != "sho.rt" && !host.ends_with(".sho.rt"));
  }
  if (shortener::ValidateAlias(url)) {
    Require(url.size() >= 3 && url.size() <= 64);
  }
  (void)shortener::ReferrerHost(url);
  (void)shortener::IsBot(url);
  return 0;
}
