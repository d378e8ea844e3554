#include "01_rate_limiter_service_mini/limiter/keys.hpp"

#include <boost/json/value.hpp>

#include "core/base/decimal.hpp"

namespace ratelimit {
namespace {

constexpr std::size_t kMaxDescriptors = 16;

core::Error Invalid(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

void AppendEncoded(std::string& out, std::string_view s) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f || c == '%' || c == '=' || c == ';') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
}

}  // namespace

std::string IpKey(const core::IpAddress& ip, int ipv6_prefix) {
  if (ip.family() == core::IpAddress::Family::kV4 || ipv6_prefix >= 128) return ip.ToString();
  const int prefix = ipv6_prefix < 0 ? 0 : ipv6_prefix;
  std::string key(core::IpAddressText(ip.Masked(prefix)).view());
  key += '/';
  core::AppendDecimal(key, prefix);
  return key;
}

core::Result<void> ValidateClientKey(std::string_view key, std::string_view what) {
  if (key.size() > kMaxKeyBytes) {
    return Invalid(std::string(what) + ": longer than " + std::to_string(kMaxKeyBytes) + " bytes");
  }
  return {};
}

core::Result<std::string> HeaderKey(std::string_view name, std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (value.empty()) return std::string();
  if (auto ok = ValidateClientKey(value, name); !ok) return ok.error();
  std::string key;
  key.reserve(kHeaderKeyPrefix.size() + value.size());
  key.append(kHeaderKeyPrefix).append(value);
  return key;
}

std::string RouteKey(std::string_view route_pattern) { return std::string(route_pattern); }

std::string DescriptorKey(std::span<const Descriptor> descriptors) {
  std::string out;
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    if (i > 0) out += ';';
    AppendEncoded(out, descriptors[i].key);
    out += '=';
    AppendEncoded(out, descriptors[i].value);
  }
  return out;
}

core::Result<std::vector<Descriptor>> ParseDescriptors(const boost::json::value& json) {
  if (!json.is_array()) return Invalid("descriptors: must be an array of {key, value} objects");
  const auto& arr = json.get_array();
  if (arr.empty() || arr.size() > kMaxDescriptors) {
    return Invalid("descriptors: must hold 1.." + std::to_string(kMaxDescriptors) + " entries");
  }
  std::vector<Descriptor> out;
  out.reserve(arr.size());
  for (std::size_t i = 0; i < arr.size(); ++i) {
    const std::string where = "descriptors[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) return Invalid(where + ": must be an object");
    const auto& obj = arr[i].get_object();
    Descriptor d;
    bool has_key = false;
    bool has_value = false;
    for (const auto& [k, v] : obj) {
      if (k != "key" && k != "value") {
        return Invalid(where + "." + std::string(k) + ": unknown member (expected key, value)");
      }
      if (!v.is_string()) return Invalid(where + "." + std::string(k) + ": must be a string");
      if (k == "key") {
        d.key = std::string(v.get_string());
        has_key = true;
      } else {
        d.value = std::string(v.get_string());
        has_value = true;
      }
    }
    if (!has_key || d.key.empty()) return Invalid(where + ".key: is required and non-empty");
    if (!has_value) return Invalid(where + ".value: is required");
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace ratelimit
