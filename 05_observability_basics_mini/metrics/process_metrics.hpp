// Process metrics (Linux /proc) and the build-info gauge, under the names every Prometheus client
// library exports, so stock dashboards and alerts work unchanged:
//   process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds
//   sd_build_info{version, compiler, build_type} 1   (the <namespace>_build_info convention)
// Values are read at scrape time. The /proc parsers are pure functions over file contents, so they
// are tested on fixed text; the collector itself reads the live files.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "05_observability_basics_mini/metrics/registry.hpp"

namespace obs {

// The fields of /proc/<pid>/stat we use, in the kernel's units.
struct ProcStat {
  std::uint64_t utime_ticks = 0;      // field 14
  std::uint64_t stime_ticks = 0;      // field 15
  std::uint64_t starttime_ticks = 0;  // field 22: since boot
  std::uint64_t vsize_bytes = 0;      // field 23
  std::int64_t rss_pages = 0;         // field 24
};

// Parses the contents of /proc/<pid>/stat. The command name (field 2) is parenthesised and may
// itself contain spaces and ')', so fields are counted from the last ')'. nullopt if malformed.
std::optional<ProcStat> ParseProcStat(std::string_view content);

// The "btime" line of /proc/stat: boot time in seconds since the epoch. nullopt if absent.
std::optional<std::uint64_t> ParseBootTime(std::string_view proc_stat_content);

// Emits the process_* families for this process. Each scrape reads /proc/self/stat, /proc/stat
// (boot time, read once), counts /proc/self/fd and asks getrlimit(RLIMIT_NOFILE). A file that
// cannot be read omits its metrics from that scrape rather than failing it. Thread-safe.
class ProcessCollector final : public Collector {
 public:
  std::vector<std::string> Describe() const override;
  void Collect(std::vector<FamilySnapshot>& out) const override;
};

// Adds a ProcessCollector to `registry`.
void RegisterProcessMetrics(Registry& registry);

struct BuildInfo {
  std::string version{};     // the project version (SD_VERSION)
  std::string compiler{};    // e.g. "gcc 12.2.0"
  std::string build_type{};  // CMAKE_BUILD_TYPE, e.g. "Release"
};

// This binary's build, from compile-time macros.
BuildInfo CurrentBuildInfo();

// Registers the gauge `sd_build_info{version,compiler,build_type} 1`.
void RegisterBuildInfo(Registry& registry, const BuildInfo& info = CurrentBuildInfo());

}  // namespace obs
