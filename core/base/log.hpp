// Structured logging: one JSON object per line on stderr, written in batches.
//
// Callers format the line on their own thread (so the timestamp is the event's) and append it to a
// batch (log_writer.hpp) that is written once it passes 64 KiB or every 200 ms; warnings and errors
// are written at once. The request path never waits on the terminal or a pipe: when the consumer
// cannot keep up, lines are dropped and counted (`DroppedLines`) — a log pipeline must not become
// the outage. `Shutdown` writes everything, so a clean exit loses nothing (call it after the
// threads that log have stopped). Until `Init`, and after `Shutdown`, lines are written directly
// (tests, start-up errors).
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace core::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// "trace" | "debug" | "info" | "warn" | "error" | "off" (also "warning", any case).
std::optional<Level> ParseLevel(std::string_view text);
std::string_view LevelName(Level level);

// One key/value of a log line; the value is a string, an integer, a floating-point number, bool, or
// a duration (written in seconds, fixed-point to the nanosecond: 0.000012345). The key is a name
// chosen by code ([A-Za-z0-9_.-]+, asserted in debug builds) and is written without escaping;
// values are escaped.
struct Field {
  enum class Kind { kString, kInt, kUint, kDouble, kBool, kSeconds } kind;
  std::string_view key;
  std::string_view s;
  union {
    std::int64_t i;
    std::uint64_t u;
    double d;
    bool b;
  };

  Field(std::string_view k, std::string_view v) : kind(Kind::kString), key(k), s(v), i(0) {}
  Field(std::string_view k, const char* v) : Field(k, std::string_view(v)) {}
  Field(std::string_view k, const std::string& v) : Field(k, std::string_view(v)) {}
  Field(std::string_view k, bool v) : kind(Kind::kBool), key(k), b(v) {}
  Field(std::string_view k, double v) : kind(Kind::kDouble), key(k), d(v) {}
  // Integer digits instead of a double's shortest form: the access line's duration costs ~10 ns
  // instead of ~80 (std::to_chars on a double), a third of what formatting the line took.
  Field(std::string_view k, std::chrono::nanoseconds v)
      : kind(Kind::kSeconds), key(k), i(v.count()) {}
  template <class T>
  requires(std::is_integral_v<T>&& std::is_signed_v<T> && !std::is_same_v<T, bool>)
      Field(std::string_view k, T v)
      : kind(Kind::kInt), key(k), i(v) {}
  template <class T>
  requires(std::is_integral_v<T>&& std::is_unsigned_v<T> && !std::is_same_v<T, bool>)
      Field(std::string_view k, T v)
      : kind(Kind::kUint), key(k), u(v) {}
};

// Starts batched logging for `service` at `level`. Call once, from main, before serving.
void Init(std::string_view service, Level level);
// Writes every buffered line and stops the background flush. Safe to call twice.
void Shutdown();

void SetLevel(Level level);
bool Enabled(Level level) noexcept;
// Lines dropped because the consumer of stderr could not keep up.
std::uint64_t DroppedLines();

// Writes one line: {"ts":..,"level":..,"msg":..,"service":..,<fields>}. Thread-safe.
void Write(Level level, std::string_view message, std::span<const Field> fields);
inline void Write(Level level, std::string_view message, std::initializer_list<Field> fields = {}) {
  Write(level, message, std::span<const Field>(fields.begin(), fields.size()));
}

// Formats a line without writing it (for tests and for sinks that want the text).
std::string Format(Level level, std::string_view message, std::span<const Field> fields);
inline std::string Format(Level level, std::string_view message,
                          std::initializer_list<Field> fields) {
  return Format(level, message, std::span<const Field>(fields.begin(), fields.size()));
}

// Appends `text` to `out` as the body of a JSON string (quotes not included).
void AppendJsonEscaped(std::string& out, std::string_view text);
// Appends `ns` nanoseconds as seconds, fixed-point without trailing zeros: 12345 → "0.000012345",
// 1500000000 → "1.5", 0 → "0", -2000 → "-0.000002".
void AppendSeconds(std::string& out, std::int64_t ns);

inline void Debug(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kDebug, m, f);
}
inline void Info(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kInfo, m, f);
}
inline void Warn(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kWarn, m, f);
}
inline void Error(std::string_view m, std::initializer_list<Field> f = {}) {
  Write(Level::kError, m, f);
}

}  // namespace core::log
