#include "02_url_shortener_service_mini/domain/url_policy.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

namespace shortener {
namespace {

constexpr std::size_t kMaxHostBytes = 253;  // a DNS name's limit

char Lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

std::string NormalizeHost(std::string_view host) {
  std::string out(host);
  for (char& c : out) c = Lower(c);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// IP literals are matched exactly: "1" must not block every address ending in ".1".
bool IsIpLiteral(std::string_view host) noexcept {
  if (host.find(':') != std::string_view::npos || host.starts_with('[')) return true;
  return host.find_first_not_of("0123456789.") == std::string_view::npos;
}

// A registered name as browsers resolve it: letters, digits, '-', '_', '.', and UTF-8 (IDN).
bool IsPlausibleName(std::string_view host) noexcept {
  if (host.empty() || host.size() > kMaxHostBytes) return false;
  for (char c : host) {
    const auto u = static_cast<unsigned char>(c);
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == '_' || u >= 0x80;
    if (!ok) return false;
  }
  return host.find("..") == std::string_view::npos && host.front() != '.';
}

}  // namespace

std::string_view NameOf(UrlRejection reason) noexcept {
  switch (reason) {
    case UrlRejection::kNone:
      return "none";
    case UrlRejection::kEmpty:
      return "empty";
    case UrlRejection::kTooLong:
      return "too_long";
    case UrlRejection::kMalformed:
      return "malformed";
    case UrlRejection::kScheme:
      return "scheme";
    case UrlRejection::kNoHost:
      return "no_host";
    case UrlRejection::kBadHost:
      return "bad_host";
    case UrlRejection::kBadPort:
      return "bad_port";
    case UrlRejection::kCredentials:
      return "credentials";
    case UrlRejection::kBlockedHost:
      return "blocked_host";
    case UrlRejection::kSelfLink:
      return "self_link";
  }
  return "unknown";
}

HostBlocklist::HostBlocklist(const std::vector<std::string>& hosts) {
  for (const auto& h : hosts) {
    std::string n = NormalizeHost(h);
    if (!n.empty()) hosts_.insert(std::move(n));
  }
}

core::Result<HostBlocklist> HostBlocklist::Load(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Error(core::Code::kInvalidArgument, "blocklist " + path + ": cannot read");
  std::vector<std::string> hosts;
  std::string line;
  std::size_t bytes = 0;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    bytes += line.size() + 1;
    if (bytes > max_bytes) {
      return core::Error(core::Code::kInvalidArgument,
                         "blocklist " + path + ": larger than " + std::to_string(max_bytes));
    }
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    std::string host = NormalizeHost(std::string_view(line).substr(first, last - first + 1));
    if (!IsPlausibleName(host) && !IsIpLiteral(host)) {
      return core::Error(
          core::Code::kInvalidArgument,
          "blocklist " + path + ":" + std::to_string(line_no) + ": not a host name: " + host);
    }
    hosts.push_back(std::move(host));
  }
  if (in.bad())
    return core::Error(core::Code::kInvalidArgument, "blocklist " + path + ": read error");
  return HostBlocklist(hosts);
}

bool HostBlocklist::Blocks(std::string_view host) const {
  if (hosts_.empty() || host.empty()) return false;
  const std::string h = NormalizeHost(host);
  if (hosts_.contains(h)) return true;
  if (IsIpLiteral(h)) return false;
  for (std::size_t dot = h.find('.'); dot != std::string::npos; dot = h.find('.', dot + 1)) {
    if (hosts_.contains(h.substr(dot + 1))) return true;
  }
  return false;
}

UrlPolicy::UrlPolicy(UrlPolicyOptions options, HostBlocklist blocklist)
    : options_(std::move(options)), blocklist_(std::move(blocklist)), self_(options_.self_hosts) {}

UrlRejection UrlPolicy::Check(std::string_view url, std::string_view request_host) const {
  if (url.empty()) return UrlRejection::kEmpty;
  if (url.size() > options_.max_bytes) return UrlRejection::kTooLong;
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return UrlRejection::kMalformed;
  const boost::urls::url_view& u = *parsed;
  const auto scheme = u.scheme_id();
  if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
    return UrlRejection::kScheme;
  }
  if (!u.has_authority() || u.encoded_host().empty()) return UrlRejection::kNoHost;
  std::string host;
  switch (u.host_type()) {
    case boost::urls::host_type::name: {
      host = NormalizeHost(u.host_name());  // percent-decoded, as a resolver would see it
      if (!IsPlausibleName(host)) return UrlRejection::kBadHost;
      break;
    }
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      host = NormalizeHost(u.host_address());
      break;
    default:
      return UrlRejection::kBadHost;  // IPvFuture, or none
  }
  if (u.has_port()) {
    const auto port = u.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    // An empty port ("host:") is allowed by RFC 3986 and means the default.
    if (!port.empty() && (ec != std::errc() || end != port.data() + port.size() || value > 65535)) {
      return UrlRejection::kBadPort;
    }
  }
  if (options_.reject_credentials && u.has_userinfo()) return UrlRejection::kCredentials;
  if (blocklist_.Blocks(host)) return UrlRejection::kBlockedHost;
  if (self_.Blocks(host)) return UrlRejection::kSelfLink;
  if (!request_host.empty() && host == NormalizeHost(request_host)) return UrlRejection::kSelfLink;
  return UrlRejection::kNone;
}

core::Result<void> UrlPolicy::Validate(std::string_view url, std::string_view request_host) const {
  const UrlRejection reason = Check(url, request_host);
  if (reason == UrlRejection::kNone) return {};
  std::string why;
  switch (reason) {
    case UrlRejection::kEmpty:
      why = "a url is required";
      break;
    case UrlRejection::kTooLong:
      why = "longer than " + std::to_string(options_.max_bytes) + " bytes";
      break;
    case UrlRejection::kMalformed:
      why = "not an absolute URL (RFC 3986)";
      break;
    case UrlRejection::kScheme:
      why = "only http and https links";
      break;
    case UrlRejection::kNoHost:
      why = "the URL has no host";
      break;
    case UrlRejection::kBadHost:
      why = "the host is not a DNS name or an IP address";
      break;
    case UrlRejection::kBadPort:
      why = "the port is not a number up to 65535";
      break;
    case UrlRejection::kCredentials:
      why = "user names and passwords in links are refused";
      break;
    case UrlRejection::kBlockedHost:
      why = "the host is blocklisted";
      break;
    case UrlRejection::kSelfLink:
      why = "links to this shortener would loop";
      break;
    case UrlRejection::kNone:
      break;
  }
  return core::Error(core::Code::kInvalidArgument,
                     "url rejected (" + std::string(NameOf(reason)) + "): " + why);
}

std::string HostOf(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || !parsed->has_authority()) return {};
  if (parsed->host_type() == boost::urls::host_type::name) {
    return NormalizeHost(parsed->host_name());
  }
  return NormalizeHost(parsed->host_address());
}

}  // namespace shortener
