#include "core/base/log.hpp"

#include "core/base/decimal.hpp"
#include "core/base/hex.hpp"
#include "core/base/log_writer.hpp"
#include "core/base/mutex.hpp"
#include "core/base/ticker.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace core::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
// `"service":"<name>"`, escaped once: written once by Init, before other threads log.
std::string g_service_field = R"("service":"sd")";
core::Mutex g_init_mu;
std::unique_ptr<BatchWriter> g_writer SD_GUARDED_BY(g_init_mu);    // owner; reset only by Shutdown
std::unique_ptr<core::Ticker> g_flusher SD_GUARDED_BY(g_init_mu);  // bounds how long a batch waits
std::atomic<BatchWriter*> g_fast_writer{nullptr};                  // what Write reads

// Shortest round-trip text (integers go through core::AppendDecimal).
void AppendDouble(std::string& out, double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// RFC 3339 UTC with microseconds: 2026-11-24T11:21:00.123456Z
void AppendTimestamp(std::string& out) {
  using namespace std::chrono;
  const auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  const auto secs = static_cast<std::time_t>(us / 1000000);
  // "2026-11-24T11:21:00" changes once a second: format it then, per thread, not per line.
  thread_local std::time_t cached_secs = -1;
  thread_local char cached[24];
  if (secs != cached_secs) {
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_secs = secs;
  }
  char frac[9] = {'.', '0', '0', '0', '0', '0', '0', 'Z', 0};
  for (int i = 6, v = static_cast<int>(us % 1000000); i >= 1; --i, v /= 10) {
    frac[i] = static_cast<char>('0' + v % 10);
  }
  out.append(cached, 19);
  out.append(frac, 8);
}

}  // namespace

std::optional<Level> ParseLevel(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "trace") return Level::kTrace;
  if (t == "debug") return Level::kDebug;
  if (t == "info") return Level::kInfo;
  if (t == "warn" || t == "warning") return Level::kWarn;
  if (t == "error") return Level::kError;
  if (t == "off") return Level::kOff;
  return std::nullopt;
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      return "off";
  }
  return "info";
}

namespace {

// True when one of the 8 bytes in `w` needs escaping: a control byte (< 0x20), '"', '\\' or DEL.
// The classic "has a zero byte / has a byte less than n" word tricks: exact about *whether* a byte
// matches, which is all the fast path needs (the word is then escaped byte by byte).
constexpr bool WordNeedsEscape(std::uint64_t w) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHigh = 0x8080808080808080ull;
  const auto has_zero = [](std::uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) |
          has_zero(w ^ (kOnes * 0x7f))) != 0;
}

// Field keys are written as is: names chosen by code, never request data.
[[maybe_unused]] bool IsPlainKey(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

}  // namespace

void AppendJsonEscaped(std::string& out, std::string_view text) {
  std::size_t run = 0;  // start of the pending run of bytes that need no escaping
  std::size_t i = 0;
  while (i < text.size()) {
    // Ids, routes and messages rarely need escaping: skip clean 8-byte words at a time.
    if (i + 8 <= text.size()) {
      std::uint64_t w;
      std::memcpy(&w, text.data() + i, 8);
      if (!WordNeedsEscape(w)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i]);
    ++i;
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;  // UTF-8 passes through
    out.append(text.data() + run, i - 1 - run);
    run = i;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        AppendHex(out, std::span<const std::uint8_t>(&c, 1));
    }
  }
  out.append(text.data() + run, text.size() - run);
}

void AppendSeconds(std::string& out, std::int64_t ns) {
  auto magnitude = static_cast<std::uint64_t>(ns);
  if (ns < 0) {
    out += '-';
    magnitude = ~magnitude + 1;  // two's complement: INT64_MIN too
  }
  AppendDecimal(out, magnitude / 1'000'000'000);
  std::uint64_t fraction = magnitude % 1'000'000'000;
  if (fraction == 0) return;
  char digits[10] = {'.'};
  int last = 9;  // index of the last digit to keep
  while (fraction % 10 == 0) {
    fraction /= 10;
    --last;
  }
  for (int i = last; i >= 1; --i, fraction /= 10)
    digits[i] = static_cast<char>('0' + fraction % 10);
  out.append(digits, static_cast<std::size_t>(last) + 1);
}

namespace {

// Appends one formatted line to `out` (the hot path reuses a thread-local buffer).
void FormatInto(std::string& out, Level level, std::string_view message,
                std::span<const Field> fields) {
  out += R"({"ts":")";
  AppendTimestamp(out);
  out += R"(","level":")";
  out += LevelName(level);
  out += R"(","msg":")";
  AppendJsonEscaped(out, message);
  out += R"(",)";
  out += g_service_field;
  for (const Field& f : fields) {
    assert(IsPlainKey(f.key));
    out += R"(,")";
    out += f.key;  // a name chosen by code (see Field): nothing to escape
    out += R"(":)";
    switch (f.kind) {
      case Field::Kind::kString:
        out += '"';
        AppendJsonEscaped(out, f.s);
        out += '"';
        break;
      case Field::Kind::kInt:
        AppendDecimal(out, f.i);
        break;
      case Field::Kind::kUint:
        AppendDecimal(out, f.u);
        break;
      case Field::Kind::kDouble:
        AppendDouble(out, f.d);
        break;
      case Field::Kind::kBool:
        out += f.b ? "true" : "false";
        break;
      case Field::Kind::kSeconds:
        AppendSeconds(out, f.i);
        break;
    }
  }
  out += '}';
}

}  // namespace

std::string Format(Level level, std::string_view message, std::span<const Field> fields) {
  std::string out;
  out.reserve(384 + message.size());  // an access line is ~330 bytes
  FormatInto(out, level, message, fields);
  return out;
}

void Init(std::string_view service, Level level) {
  core::MutexLock lock(g_init_mu);
  g_service_field = R"("service":")";
  AppendJsonEscaped(g_service_field, service);
  g_service_field += '"';
  g_level.store(level);
  if (g_writer) return;
  g_writer = std::make_unique<BatchWriter>(STDERR_FILENO);
  g_fast_writer.store(g_writer.get(), std::memory_order_release);
  g_flusher = std::make_unique<core::Ticker>(std::chrono::milliseconds(200), [] {
    if (auto* writer = g_fast_writer.load(std::memory_order_acquire)) {
      writer->Flush(BatchWriter::Mode::kNonBlocking);
    }
  });
}

void Shutdown() {
  core::MutexLock lock(g_init_mu);
  if (!g_writer) return;
  g_flusher.reset();  // joins the flusher thread
  g_fast_writer.store(nullptr, std::memory_order_release);
  g_writer->Flush(BatchWriter::Mode::kBlocking);  // a clean exit loses no line
  g_writer.reset();
}

void SetLevel(Level level) { g_level.store(level); }

bool Enabled(Level level) noexcept {
  return level != Level::kOff && level >= g_level.load(std::memory_order_relaxed);
}

std::uint64_t DroppedLines() {
  core::MutexLock lock(g_init_mu);
  return g_writer ? g_writer->dropped_lines() : 0;
}

void Write(Level level, std::string_view message, std::span<const Field> fields) {
  if (!Enabled(level)) return;
  thread_local std::string line;
  line.clear();
  FormatInto(line, level, message, fields);
  if (auto* writer = g_fast_writer.load(std::memory_order_acquire)) {
    writer->Append(line);
    if (level >= Level::kWarn) writer->Flush(BatchWriter::Mode::kNonBlocking);  // seen at once
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
}

}  // namespace core::log
