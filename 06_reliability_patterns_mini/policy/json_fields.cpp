#include "06_reliability_patterns_mini/policy/json_fields.hpp"

#include <cmath>

namespace reliability::json_fields {

using Ms = std::chrono::duration<double, std::milli>;

core::Error Invalid(std::string detail) {
  return core::Error(core::Code::kInvalidArgument, std::move(detail));
}

core::Result<double> Number(const json::value& v, const std::string& field) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double() && std::isfinite(v.get_double())) return v.get_double();
  return Invalid(field + ": must be a number");
}

core::Result<int> Integer(const json::value& v, const std::string& field) {
  // Bounds well past every limit, so the range checks in Validate see the real value.
  if (v.is_int64() && v.get_int64() >= -1'000'000'000 && v.get_int64() <= 1'000'000'000) {
    return static_cast<int>(v.get_int64());
  }
  if (v.is_uint64() || v.is_int64()) return Invalid(field + ": out of range");
  return Invalid(field + ": must be an integer");
}

// Milliseconds, fractional allowed; refused before conversion if it could not be a valid value.
core::Result<core::Clock::duration> Millis(const json::value& v, const std::string& field) {
  auto n = Number(v, field);
  if (!n) return n.error();
  if (*n < 0) return Invalid(field + ": must not be negative");
  if (*n > static_cast<double>(kMaxFieldMs)) {
    return Invalid(field + ": at most " + std::to_string(kMaxFieldMs) + " ms");
  }
  return std::chrono::duration_cast<core::Clock::duration>(Ms(*n));
}

core::Result<void> ReadObject(const json::value& v, const std::string& where,
                              std::initializer_list<std::pair<std::string_view, Setter>> setters) {
  if (!v.is_object()) return Invalid(where + ": must be an object");
  for (const json::key_value_pair& kv : v.get_object()) {
    const std::string field = where + "." + std::string(kv.key());
    bool known = false;
    for (const auto& [name, set] : setters) {
      if (kv.key() == name) {
        known = true;
        if (auto ok = set(kv.value(), field); !ok) return ok.error();
        break;
      }
    }
    if (!known) {
      std::string expected;
      for (const auto& [name, set] : setters) {
        expected += (expected.empty() ? "" : ", ") + std::string(name);
      }
      return Invalid(field + ": unknown member (expected " + expected + ")");
    }
  }
  return {};
}

}  // namespace reliability::json_fields
