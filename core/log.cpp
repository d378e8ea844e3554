#include "core/log.hpp"

#include "core/ticker.hpp"

#include <spdlog/async.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace core::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::string g_service = "sd";  // written once by Init, before other threads log
// Owned here, not by spdlog's global registry, so Shutdown controls the order: stop the flusher,
// drain and join the writer thread, and only then destroy the logger and its sink.
std::shared_ptr<spdlog::details::thread_pool> g_pool;
std::shared_ptr<spdlog::logger> g_logger;
std::unique_ptr<core::Ticker> g_flusher;              // bounds how long an idle batch waits
std::atomic<spdlog::logger*> g_fast_logger{nullptr};  // what Write reads: no refcount traffic
std::mutex g_init_mu;

void AppendNumber(std::string& out, auto v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// RFC 3339 UTC with microseconds: 2026-11-24T11:21:00.123456Z
void AppendTimestamp(std::string& out) {
  using namespace std::chrono;
  const auto now = system_clock::now();
  const auto us = duration_cast<microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += static_cast<std::size_t>(
      std::snprintf(buf + n, sizeof buf - n, ".%06dZ", static_cast<int>(us % 1000000)));
  out.append(buf, n);
}

// stderr, written in batches. spdlog's console sinks fflush after every line — one write(2) per
// log line, which at 100k requests/s costs the log thread a core. This sink appends lines to a
// buffer and writes it when it passes 64 KiB or on flush (warn/error lines, a 1 s timer, shutdown).
class BatchingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    buffer_.append(msg.payload.data(), msg.payload.size());
    buffer_.push_back('\n');
    if (buffer_.size() >= kBatchBytes) flush_();
  }
  void flush_() override {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = ::write(STDERR_FILENO, buffer_.data() + done, buffer_.size() - done);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        break;  // stderr is gone (closed pipe): drop rather than spin
      }
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

 private:
  static constexpr std::size_t kBatchBytes = 64 * 1024;
  std::string buffer_;
};

spdlog::level::level_enum ToSpdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
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

void AppendJsonEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
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
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;  // UTF-8 passes through; invalid bytes are the writer's problem to avoid
        }
    }
  }
}

std::string Format(Level level, std::string_view message, std::span<const Field> fields) {
  std::string out;
  out.reserve(160 + message.size());
  out += "{\"ts\":\"";
  AppendTimestamp(out);
  out += "\",\"level\":\"";
  out += LevelName(level);
  out += "\",\"msg\":\"";
  AppendJsonEscaped(out, message);
  out += "\",\"service\":\"";
  AppendJsonEscaped(out, g_service);
  out += '"';
  for (const Field& f : fields) {
    out += ",\"";
    AppendJsonEscaped(out, f.key);
    out += "\":";
    switch (f.kind) {
      case Field::Kind::kString:
        out += '"';
        AppendJsonEscaped(out, f.s);
        out += '"';
        break;
      case Field::Kind::kInt:
        AppendNumber(out, f.i);
        break;
      case Field::Kind::kUint:
        AppendNumber(out, f.u);
        break;
      case Field::Kind::kDouble:
        AppendNumber(out, f.d);
        break;
      case Field::Kind::kBool:
        out += f.b ? "true" : "false";
        break;
    }
  }
  out += '}';
  return out;
}

void Init(std::string_view service, Level level, std::size_t queue_lines) {
  std::lock_guard lock(g_init_mu);
  g_service = std::string(service);
  g_level.store(level);
  if (g_logger) return;
  g_pool = std::make_shared<spdlog::details::thread_pool>(queue_lines, 1);
  auto sink = std::make_shared<BatchingStderrSink>();
  g_logger = std::make_shared<spdlog::async_logger>("sd", std::move(sink), g_pool,
                                                    spdlog::async_overflow_policy::overrun_oldest);
  g_logger->set_pattern("%v");
  g_logger->set_level(spdlog::level::trace);  // filtering is ours, before formatting
  g_logger->flush_on(spdlog::level::warn);
  g_fast_logger.store(g_logger.get(), std::memory_order_release);
  g_flusher = std::make_unique<core::Ticker>(std::chrono::seconds(1), [] {
    if (auto* logger = g_fast_logger.load(std::memory_order_acquire)) logger->flush();
  });
}

void Shutdown() {
  std::lock_guard lock(g_init_mu);
  if (!g_logger) return;
  g_flusher.reset();  // joins the flusher thread
  g_fast_logger.store(nullptr, std::memory_order_release);
  g_logger->flush();  // queued behind every line already written
  // The pool's destructor processes what is queued, then joins its thread: after this nothing
  // else touches the sink.
  g_pool.reset();
  g_logger.reset();
}

void SetLevel(Level level) { g_level.store(level); }

bool Enabled(Level level) noexcept {
  return level != Level::kOff && level >= g_level.load(std::memory_order_relaxed);
}

std::uint64_t DroppedLines() {
  std::lock_guard lock(g_init_mu);
  return g_pool ? g_pool->overrun_counter() : 0;
}

void Write(Level level, std::string_view message, std::span<const Field> fields) {
  if (!Enabled(level)) return;
  std::string line = Format(level, message, fields);
  if (auto* logger = g_fast_logger.load(std::memory_order_acquire)) {
    logger->log(ToSpdlog(level), std::string_view(line));
  } else {
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
}

}  // namespace core::log
