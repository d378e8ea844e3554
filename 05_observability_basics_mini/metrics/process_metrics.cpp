#include "05_observability_basics_mini/metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/base/version.hpp"

namespace obs {
namespace {

std::optional<std::string> ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  return std::move(content).str();
}

template <class Int>
bool ParseInt(std::string_view text, Int& out) {
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  return result.ec == std::errc() && result.ptr == text.data() + text.size();
}

FamilySnapshot Single(std::string name, std::string help, MetricType type, double value) {
  FamilySnapshot family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = type;
  family.metrics.emplace_back().value = value;
  return family;
}

std::optional<std::size_t> CountOpenFds() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return std::nullopt;
  std::size_t count = 0;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return std::nullopt;
    ++count;
  }
  // The iterator's own directory fd is in the listing; it is ours, not the service's.
  return count > 0 ? count - 1 : 0;
}

}  // namespace

std::optional<ProcStat> ParseProcStat(std::string_view content) {
  const auto close = content.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  // Fields from 3 ("state") on, space-separated.
  std::vector<std::string_view> fields;
  std::string_view rest = content.substr(close + 1);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = std::min(rest.find_first_of(" \n"), rest.size());
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  const auto field = [&](std::size_t number) {
    return fields[number - 3];
  };  // 1-based, as man 5 proc
  if (fields.size() < 24 - 2) return std::nullopt;
  ProcStat stat;
  if (!ParseInt(field(14), stat.utime_ticks) || !ParseInt(field(15), stat.stime_ticks) ||
      !ParseInt(field(22), stat.starttime_ticks) || !ParseInt(field(23), stat.vsize_bytes) ||
      !ParseInt(field(24), stat.rss_pages)) {
    return std::nullopt;
  }
  return stat;
}

std::optional<std::uint64_t> ParseBootTime(std::string_view content) {
  std::size_t at = 0;
  while (at < content.size()) {
    const auto end = std::min(content.find('\n', at), content.size());
    const std::string_view line = content.substr(at, end - at);
    if (line.starts_with("btime ")) {
      std::uint64_t seconds = 0;
      if (ParseInt(line.substr(6), seconds)) return seconds;
      return std::nullopt;
    }
    at = end + 1;
  }
  return std::nullopt;
}

std::vector<std::string> ProcessCollector::Describe() const {
  return {"process_cpu_seconds_total",
          "process_resident_memory_bytes",
          "process_virtual_memory_bytes",
          "process_start_time_seconds",
          "process_open_fds",
          "process_max_fds"};
}

void ProcessCollector::Collect(std::vector<FamilySnapshot>& out) const {
  static const long kTicksPerSecond = sysconf(_SC_CLK_TCK);
  static const long kPageSize = sysconf(_SC_PAGESIZE);
  static const std::optional<std::uint64_t> kBootTime = [] {
    const auto content = ReadFile("/proc/stat");
    return content ? ParseBootTime(*content) : std::nullopt;
  }();

  if (const auto content = ReadFile("/proc/self/stat")) {
    if (const auto stat = ParseProcStat(*content); stat && kTicksPerSecond > 0) {
      const auto tps = static_cast<double>(kTicksPerSecond);
      out.push_back(Single("process_cpu_seconds_total",
                           "Total user and system CPU time spent in seconds.", MetricType::kCounter,
                           static_cast<double>(stat->utime_ticks + stat->stime_ticks) / tps));
      out.push_back(Single("process_resident_memory_bytes", "Resident memory size in bytes.",
                           MetricType::kGauge,
                           static_cast<double>(stat->rss_pages) * static_cast<double>(kPageSize)));
      out.push_back(Single("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                           MetricType::kGauge, static_cast<double>(stat->vsize_bytes)));
      if (kBootTime) {
        out.push_back(Single(
            "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
            MetricType::kGauge,
            static_cast<double>(*kBootTime) + static_cast<double>(stat->starttime_ticks) / tps));
      }
    }
  }
  if (const auto fds = CountOpenFds()) {
    out.push_back(Single("process_open_fds", "Number of open file descriptors.", MetricType::kGauge,
                         static_cast<double>(*fds)));
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    out.push_back(
        Single("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge,
               limit.rlim_cur == RLIM_INFINITY ? HUGE_VAL : static_cast<double>(limit.rlim_cur)));
  }
}

void RegisterProcessMetrics(Registry& registry) {
  registry.AddCollector(std::make_shared<ProcessCollector>());
}

BuildInfo CurrentBuildInfo() {
  BuildInfo info;
  info.version = std::string(core::kVersion);
#if defined(__clang__)
  info.compiler = "clang " + std::to_string(__clang_major__) + "." +
                  std::to_string(__clang_minor__) + "." + std::to_string(__clang_patchlevel__);
#elif defined(__GNUC__)
  info.compiler = "gcc " + std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                  std::to_string(__GNUC_PATCHLEVEL__);
#else
  info.compiler = "unknown";
#endif
#ifdef SD_BUILD_TYPE
  info.build_type = SD_BUILD_TYPE;
#endif
  if (info.build_type.empty()) info.build_type = "unknown";
  return info;
}

void RegisterBuildInfo(Registry& registry, const BuildInfo& info) {
  auto& family = registry.AddGauge({.name = "sd_build_info",
                                    .help = "Build of this binary; the value is always 1.",
                                    .label_names = {"version", "compiler", "build_type"}});
  family.WithLabelValues({info.version, info.compiler, info.build_type}).Set(1);
}

}  // namespace obs
