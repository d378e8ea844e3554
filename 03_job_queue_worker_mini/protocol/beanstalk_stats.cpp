// The YAML bodies of stats, stats-tube and stats-job, key for key as beanstalkd 1.12 writes them.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <array>
#include <cinttypes>
#include <cstdio>

#include "03_job_queue_worker_mini/protocol/beanstalk_service.hpp"
#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"
#include "core/base/hex.hpp"
#include "core/base/thread_random.hpp"

namespace beanstalk {

namespace {

std::string RandomId() {
  std::array<std::uint8_t, 8> bytes{};
  core::FillRandom(bytes);
  return core::ToHex(bytes);
}

std::uint64_t Seconds(std::int64_t ns) {
  return ns <= 0 ? 0 : static_cast<std::uint64_t>(ns / 1'000'000'000);
}

class Yaml {
 public:
  Yaml() { text_ = "---\n"; }
  Yaml& Add(std::string_view key, std::uint64_t value) {
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%" PRIu64, value);
    return Raw(key, std::string_view(buf, static_cast<std::size_t>(n)));
  }
  Yaml& Raw(std::string_view key, std::string_view value) {
    text_.append(key).append(": ").append(value).append("\n");
    return *this;
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

std::string Rusage(const timeval& tv) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%ld.%06ld", static_cast<long>(tv.tv_sec),
                static_cast<long>(tv.tv_usec));
  return buf;
}

// The cmd-* keys of `stats`, in beanstalkd's order (not its matching order).
constexpr std::array kStatsCommands = {Op::kPut,
                                       Op::kPeekJob,
                                       Op::kPeekReady,
                                       Op::kPeekDelayed,
                                       Op::kPeekBuried,
                                       Op::kReserve,
                                       Op::kReserveTimeout,
                                       Op::kDelete,
                                       Op::kRelease,
                                       Op::kUse,
                                       Op::kWatch,
                                       Op::kIgnore,
                                       Op::kBury,
                                       Op::kKick,
                                       Op::kTouch,
                                       Op::kStats,
                                       Op::kStatsJob,
                                       Op::kStatsTube,
                                       Op::kListTubes,
                                       Op::kListTubeUsed,
                                       Op::kListTubesWatched,
                                       Op::kPauseTube};

void AppendOkYaml(std::string& out, const std::string& yaml) {
  char head[32];
  const int n = std::snprintf(head, sizeof head, "OK %zu\r\n", yaml.size());
  out.append(head, static_cast<std::size_t>(n)).append(yaml).append("\r\n");
}

}  // namespace

Service::Service(jobs::Engine& engine, const core::Clock& clock, Options options)
    : engine_(engine),
      clock_(clock),
      options_(std::move(options)),
      started_(clock.Now()),
      id_(RandomId()) {}

std::string Service::StatsYaml() const {
  const jobs::EngineStats s = engine_.Stats();
  Yaml y;
  y.Add("current-jobs-urgent", s.urgent)
      .Add("current-jobs-ready", s.ready)
      .Add("current-jobs-reserved", s.reserved)
      .Add("current-jobs-delayed", s.delayed)
      .Add("current-jobs-buried", s.buried);
  for (Op op : kStatsCommands) y.Add(StatName(op), Commands(op));
  y.Add("job-timeouts", s.counters.timeouts)
      .Add("total-jobs", s.counters.puts)
      .Add("max-job-size", engine_.options().max_job_bytes)
      .Add("current-tubes", s.tubes)
      .Add("current-connections", current_connections())
      .Add("current-producers", s.producers)
      .Add("current-workers", s.workers)
      .Add("current-waiting", s.waiting)
      .Add("total-connections", total_connections())
      .Add("pid", static_cast<std::uint64_t>(getpid()))
      .Raw("version", "\"" + options_.version + "\"");
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  y.Raw("rusage-utime", Rusage(usage.ru_utime)).Raw("rusage-stime", Rusage(usage.ru_stime));
  y.Add("uptime", Seconds((clock_.Now() - started_).count()));
  const LogFigures log = log_figures_ ? log_figures_() : LogFigures{};
  y.Add("binlog-oldest-index", log.oldest_index)
      .Add("binlog-current-index", log.current_index)
      .Add("binlog-records-migrated", log.records_migrated)
      .Add("binlog-records-written", log.records_written)
      .Add("binlog-max-size", log.max_size)
      .Raw("draining", s.draining ? "true" : "false")
      .Raw("id", id_);
  utsname u{};
  uname(&u);
  y.Raw("hostname", u.nodename).Raw("os", u.version).Raw("platform", u.machine);
  return y.Take();
}

void Session::StatsJob(jobs::JobId id, std::string& out) {
  const auto s = engine_.StatsJob(id);
  if (!s) {
    out.append("NOT_FOUND\r\n");
    return;
  }
  Yaml y;
  y.Add("id", s->id)
      .Raw("tube", s->tube)
      .Raw("state", jobs::NameOf(s->state))
      .Add("pri", s->pri)
      .Add("age", Seconds(s->age_ns))
      .Add("delay", Seconds(s->delay_ns))
      .Add("ttr", Seconds(s->ttr_ns))
      .Add("time-left", Seconds(s->time_left_ns))
      .Add("file", s->file)
      .Add("reserves", s->reserves)
      .Add("timeouts", s->timeouts)
      .Add("releases", s->releases)
      .Add("buries", s->buries)
      .Add("kicks", s->kicks);
  AppendOkYaml(out, y.Take());
}

void Session::StatsTube(std::string_view name, std::string& out) {
  const auto s = engine_.StatsTube(name);
  if (!s) {
    out.append("NOT_FOUND\r\n");
    return;
  }
  Yaml y;
  y.Raw("name", s->name)
      .Add("current-jobs-urgent", s->urgent)
      .Add("current-jobs-ready", s->ready)
      .Add("current-jobs-reserved", s->reserved)
      .Add("current-jobs-delayed", s->delayed)
      .Add("current-jobs-buried", s->buried)
      .Add("total-jobs", s->total_jobs)
      .Add("current-using", s->using_count)
      .Add("current-watching", s->watching)
      .Add("current-waiting", s->waiting)
      .Add("cmd-delete", s->cmd_delete)
      .Add("cmd-pause-tube", s->cmd_pause)
      .Add("pause", Seconds(s->pause_ns))
      .Add("pause-time-left", Seconds(s->pause_left_ns));
  AppendOkYaml(out, y.Take());
}

}  // namespace beanstalk
