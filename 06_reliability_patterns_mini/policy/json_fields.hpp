// Reading strict JSON configuration: every member of an object is handled by a setter registered
// under its name, unknown members are errors, and every error names its field
// ("retry.max_attempts: must be in [1, 10]"). Shared by the pipeline options and the lab's
// upstream behaviour, so both read numbers, durations and names the same way.
#pragma once

#include <boost/json/value.hpp>
#include <charconv>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/clock.hpp"
#include "core/base/error.hpp"

namespace reliability::json_fields {

namespace json = boost::json;

// kInvalidArgument with `detail`.
core::Error Invalid(std::string detail);

// A finite number (integer or not). Error: "<field>: must be a number".
core::Result<double> Number(const json::value& v, const std::string& field);
// An integer within ±1e9 (so range checks downstream see the real value).
core::Result<int> Integer(const json::value& v, const std::string& field);
// Milliseconds, fractional allowed, in [0, kMaxFieldMs].
core::Result<core::Clock::duration> Millis(const json::value& v, const std::string& field);
inline constexpr std::int64_t kMaxFieldMs = 3'600'000;  // one hour

// Handles one member; `field` is its dotted path for error messages.
using Setter = std::function<core::Result<void>(const json::value&, const std::string&)>;

// Runs the setter registered under each member's name. Errors: not an object, an unknown member
// (listing the expected ones), or the first setter error.
core::Result<void> ReadObject(const json::value& v, const std::string& where,
                              std::initializer_list<std::pair<std::string_view, Setter>> setters);

// A setter that stores what `read` returns into `slot` (which must outlive the setter).
template <class T>
Setter Set(T& slot, core::Result<T> (*read)(const json::value&, const std::string&)) {
  return [&slot, read](const json::value& v, const std::string& f) -> core::Result<void> {
    auto r = read(v, f);
    if (!r) return r.error();
    slot = *r;
    return {};
  };
}

// A setter for an enum spelled by name. Error: "<field>: must be one of a, b, c".
template <class E>
Setter SetEnum(E& slot, std::vector<std::pair<std::string_view, E>> names) {
  return [&slot, names = std::move(names)](const json::value& v,
                                           const std::string& f) -> core::Result<void> {
    std::string expected;
    for (const auto& [name, value] : names) {
      if (v.is_string() && v.get_string() == name) {
        slot = value;
        return {};
      }
      expected += (expected.empty() ? "" : ", ") + std::string(name);
    }
    return Invalid(f + ": must be one of " + expected);
  };
}

// A small JSON object writer for configuration echoed to people: numbers in their shortest
// round-trip form ("0.2", "1000"), not Boost.JSON's scientific notation ("2E-1"). Open/Close nest
// objects; keys and string values must be plain (our own names: nothing is escaped).
class JsonWriter {
 public:
  JsonWriter& Open(std::string_view section) {
    Key(section);
    out_ += '{';
    first_ = true;
    return *this;
  }
  JsonWriter& Close() {
    out_ += '}';
    first_ = false;
    return *this;
  }
  JsonWriter& Off(std::string_view section) {
    Key(section);
    out_ += "false";
    return *this;
  }
  JsonWriter& Num(std::string_view name, double value) {
    Key(name);
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    out_.append(buf, ec == std::errc() ? end : buf);
    return *this;
  }
  JsonWriter& Bool(std::string_view name, bool value) {
    Key(name);
    out_ += value ? "true" : "false";
    return *this;
  }
  JsonWriter& Str(std::string_view name, std::string_view value) {  // value: our own enum names
    Key(name);
    out_ += '"';
    out_ += value;
    out_ += '"';
    return *this;
  }
  std::string Finish() { return std::move(out_) + "}"; }

 private:
  void Key(std::string_view name) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  std::string out_ = "{";
  bool first_ = true;
};

}  // namespace reliability::json_fields
