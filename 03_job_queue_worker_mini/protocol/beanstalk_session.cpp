#include "03_job_queue_worker_mini/protocol/beanstalk_session.hpp"

#include <algorithm>
#include <cstring>

#include "core/base/decimal.hpp"

namespace beanstalk {

namespace {

using namespace std::chrono_literals;

// "WORD <id> <bytes>\r\n<body>\r\n" (RESERVED, FOUND).
void AppendJob(std::string& out, std::string_view word, const jobs::JobCopy& job) {
  out.append(word);
  out.push_back(' ');
  core::AppendDecimal(out, job.id);
  out.push_back(' ');
  core::AppendDecimal(out, job.body.size());
  out.append("\r\n");
  out.append(job.body);
  out.append("\r\n");
}

// "OK <bytes>\r\n<yaml>\r\n".
void AppendOk(std::string& out, std::string_view yaml) {
  out.append("OK ");
  core::AppendDecimal(out, yaml.size());
  out.append("\r\n");
  out.append(yaml);
  out.append("\r\n");
}

std::size_t FindCrlf(std::string_view s) {
  for (std::size_t from = 0;;) {
    const void* p = std::memchr(s.data() + from, '\r', s.size() - from);
    if (p == nullptr) return std::string_view::npos;
    const auto i = static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
    if (i + 1 >= s.size()) return std::string_view::npos;
    if (s[i + 1] == '\n') return i;
    from = i + 1;
  }
}

constexpr std::string_view kBadFormat = "BAD_FORMAT\r\n";
constexpr std::string_view kNotFound = "NOT_FOUND\r\n";

std::chrono::seconds Seconds(std::uint32_t s) { return std::chrono::seconds(s); }

}  // namespace

Session::Session(Service& service)
    : service_(service), engine_(service.engine()), client_(engine_.Connect()) {
  service_.current_connections_.fetch_add(1, std::memory_order_relaxed);
  service_.total_connections_.fetch_add(1, std::memory_order_relaxed);
}

Session::~Session() { Close(); }

void Session::Close() {
  if (disconnected_) return;
  disconnected_ = true;
  state_ = State::kClosed;
  engine_.Disconnect(client_);
  service_.current_connections_.fetch_sub(1, std::memory_order_relaxed);
}

std::size_t Session::Feed(std::string_view input, std::string& out) {
  std::size_t used = 0;
  const std::size_t high_water = service_.options().output_high_water_bytes;
  while (used < input.size() && !waiting_ && state_ != State::kClosed && out.size() < high_water) {
    const std::string_view in = input.substr(used);
    switch (state_) {
      case State::kLine:
        used += ConsumeLine(in, out);
        break;
      case State::kDiscardLine:
        used += ConsumeDiscard(in, out);
        break;
      case State::kBody:
        used += ConsumeBody(in, out);
        break;
      case State::kSkip:
        used += ConsumeSkip(in, out);
        break;
      case State::kClosed:
        break;
    }
  }
  if (state_ == State::kClosed) return input.size();
  return used;
}

std::size_t Session::ConsumeLine(std::string_view in, std::string& out) {
  const std::size_t max_line = service_.options().max_line_bytes;
  // A CRLF split between two reads.
  if (!line_.empty() && line_.back() == '\r' && in.front() == '\n') {
    std::string line = std::move(line_);
    line_.clear();
    line.pop_back();
    Execute(line, out);
    return 1;
  }
  const std::size_t pos = FindCrlf(in);
  if (pos == std::string_view::npos) {
    if (line_.size() + in.size() >= max_line) {
      // No room left for a CRLF within the limit: drop the line, answer at its end.
      discard_cr_ = in.back() == '\r';
      line_.clear();
      state_ = State::kDiscardLine;
    } else {
      line_.append(in);
    }
    return in.size();
  }
  if (line_.size() + pos + 2 > max_line) {
    line_.clear();
    out.append(kBadFormat);
    return pos + 2;
  }
  if (line_.empty()) {
    Execute(in.substr(0, pos), out);
  } else {
    std::string line = std::move(line_);
    line_.clear();
    line.append(in.substr(0, pos));
    Execute(line, out);
  }
  return pos + 2;
}

std::size_t Session::ConsumeDiscard(std::string_view in, std::string& out) {
  std::size_t end = 0;
  if (discard_cr_ && in.front() == '\n') {
    end = 1;
  } else {
    const std::size_t pos = FindCrlf(in);
    if (pos == std::string_view::npos) {
      discard_cr_ = in.back() == '\r';
      return in.size();
    }
    end = pos + 2;
  }
  discard_cr_ = false;
  state_ = State::kLine;
  out.append(kBadFormat);
  return end;
}

std::size_t Session::ConsumeBody(std::string_view in, std::string& out) {
  if (body_.empty() && in.size() >= body_need_) {
    FinishPut(in.substr(0, body_need_), out);  // the whole body in this read: no copy
    return body_need_;
  }
  const std::size_t take = std::min(in.size(), body_need_ - body_.size());
  body_.append(in.substr(0, take));
  if (body_.size() == body_need_) {
    std::string body = std::move(body_);
    body_.clear();
    FinishPut(body, out);
  }
  return take;
}

std::size_t Session::ConsumeSkip(std::string_view in, std::string& out) {
  const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(in.size(), skip_left_));
  skip_left_ -= take;
  if (skip_left_ == 0) {
    state_ = State::kLine;
    out.append("JOB_TOO_BIG\r\n");
  }
  return take;
}

void Session::Execute(std::string_view line, std::string& out) {
  // beanstalkd NUL-terminates the line and refuses one with an embedded NUL.
  if (line.find('\0') != std::string_view::npos) {
    out.append(kBadFormat);
    return;
  }
  std::size_t prefix = 0;
  const Op op = MatchCommand(line, &prefix);
  const std::string_view args = line.substr(prefix);
  // Commands that take no argument refuse trailing bytes.
  const auto exact = [&] { return args.empty(); };
  const jobs::LeaseHolder me{client_, std::nullopt};

  switch (op) {
    case Op::kPut:
      return Put(args, out);
    case Op::kPeekJob: {
      const auto id = ReadU64(args);
      if (!id) break;
      service_.Count(op);
      return Found(engine_.Peek(*id), out);
    }
    case Op::kPeekReady:
    case Op::kPeekDelayed:
    case Op::kPeekBuried:
      if (!exact()) break;
      service_.Count(op);
      return Found(op == Op::kPeekReady     ? engine_.PeekReady(client_)
                   : op == Op::kPeekDelayed ? engine_.PeekDelayed(client_)
                                            : engine_.PeekBuried(client_),
                   out);
    case Op::kReserveTimeout: {
      const auto timeout = ReadLongLenient(args);
      if (!timeout) break;
      service_.Count(op);
      return Reserve(*timeout, out);
    }
    case Op::kReserve:
      if (!exact()) break;
      service_.Count(op);
      return Reserve(-1, out);
    case Op::kReserveJob: {
      const auto id = ReadU64(args);
      if (!id) break;
      service_.Count(op);
      const jobs::ReserveResult r = engine_.ReserveJob(client_, *id);
      if (r.end != jobs::ReserveEnd::kReserved) {
        out.append(kNotFound);
      } else {
        AppendJob(out, "RESERVED", r.job);
      }
      return;
    }
    case Op::kDelete: {
      const auto id = ReadU64(args);
      if (!id) break;
      service_.Count(op);
      const jobs::Result r = engine_.Delete(me, *id);
      NoteLsn(r.lsn);
      out.append(r.status == jobs::Status::kOk ? "DELETED\r\n" : kNotFound);
      return;
    }
    case Op::kRelease:
      return Release(args, out);
    case Op::kBury:
      return Bury(args, out);
    case Op::kKick: {
      const auto bound = ReadUnsignedLenient(args);
      if (!bound) break;
      service_.Count(op);
      jobs::Lsn lsn = 0;
      // beanstalkd keeps the bound in an unsigned int.
      const std::size_t kicked = engine_.Kick(client_, static_cast<std::uint32_t>(*bound), &lsn);
      NoteLsn(lsn);
      out.append("KICKED ");
      core::AppendDecimal(out, kicked);
      out.append("\r\n");
      return;
    }
    case Op::kKickJob: {
      const auto id = ReadU64(args);
      if (!id) break;
      service_.Count(op);
      const jobs::Result r = engine_.KickJob(*id);
      NoteLsn(r.lsn);
      out.append(r.status == jobs::Status::kOk ? "KICKED\r\n" : kNotFound);
      return;
    }
    case Op::kTouch: {
      const auto id = ReadU64(args);
      if (!id) break;
      service_.Count(op);
      out.append(engine_.Touch(me, *id).status == jobs::Status::kOk ? "TOUCHED\r\n" : kNotFound);
      return;
    }
    case Op::kStatsJob: {
      const auto id = ReadU64(args);
      if (!id) break;
      service_.Count(op);
      return StatsJob(*id, out);
    }
    case Op::kStatsTube:
      if (!jobs::IsValidTubeName(args)) break;
      service_.Count(op);
      return StatsTube(args, out);
    case Op::kStats:
      if (!exact()) break;
      service_.Count(op);
      return AppendOk(out, service_.StatsYaml());
    case Op::kUse:
    case Op::kWatch:
    case Op::kIgnore: {
      if (!jobs::IsValidTubeName(args)) break;
      service_.Count(op);
      std::size_t watching = 0;
      const jobs::Status s = op == Op::kUse     ? engine_.Use(client_, args)
                             : op == Op::kWatch ? engine_.Watch(client_, args, &watching)
                                                : engine_.Ignore(client_, args, &watching);
      return Tubes(s, args, watching, op == Op::kUse, out);
    }
    case Op::kListTubesWatched:
      if (!exact()) break;
      service_.Count(op);
      return ListTubes(engine_.WatchedTubes(client_), out);
    case Op::kListTubeUsed:
      if (!exact()) break;
      service_.Count(op);
      out.append("USING ").append(engine_.UsedTube(client_)).append("\r\n");
      return;
    case Op::kListTubes:
      if (!exact()) break;
      service_.Count(op);
      return ListTubes(engine_.ListTubes(), out);
    case Op::kQuit:
      state_ = State::kClosed;
      return;
    case Op::kPauseTube:
      return PauseTube(args, out);
    case Op::kUnknown:
      out.append("UNKNOWN_COMMAND\r\n");
      return;
  }
  out.append(kBadFormat);
}

void Session::Put(std::string_view args, std::string& out) {
  std::string_view rest;
  const auto pri = ReadU32(args, &rest);
  const auto delay = pri ? ReadU32(rest, &rest) : std::nullopt;
  const auto ttr = delay ? ReadU32(rest, &rest) : std::nullopt;
  const auto bytes = ttr ? ReadU32(rest, &rest) : std::nullopt;
  if (!bytes) {
    out.append(kBadFormat);
    return;
  }
  service_.Count(Op::kPut);
  // Too big is decided before trailing bytes are looked at, and the body is skipped unread.
  if (*bytes > engine_.options().max_job_bytes) {
    skip_left_ = std::uint64_t{*bytes} + 2;
    state_ = State::kSkip;
    return;
  }
  if (!rest.empty()) {
    out.append(kBadFormat);
    return;
  }
  put_ = jobs::PutRequest{};
  put_.pri = *pri;
  put_.delay = Seconds(*delay);
  put_.ttr = Seconds(*ttr);
  put_.id = engine_.AllocateId();  // beanstalkd numbers the job now, before its body
  body_need_ = std::size_t{*bytes} + 2;
  body_.clear();
  state_ = State::kBody;
}

void Session::FinishPut(std::string_view body_and_crlf, std::string& out) {
  state_ = State::kLine;
  if (body_and_crlf.substr(body_need_ - 2) != "\r\n") {
    out.append("EXPECTED_CRLF\r\n");
    return;
  }
  put_.body = body_and_crlf.substr(0, body_need_ - 2);
  const jobs::PutResult r = engine_.Put(client_, put_);
  put_.body = {};
  switch (r.status) {
    case jobs::Status::kOk:
      NoteLsn(r.lsn);
      out.append("INSERTED ");
      core::AppendDecimal(out, r.id);
      out.append("\r\n");
      return;
    case jobs::Status::kDraining:
      out.append("DRAINING\r\n");
      return;
    case jobs::Status::kJobTooBig:
      out.append("JOB_TOO_BIG\r\n");
      return;
    default:  // kFull: the bound this server adds; beanstalkd's word for "try again later"
      out.append("OUT_OF_MEMORY\r\n");
      return;
  }
}

void Session::Reserve(std::int64_t timeout_s, std::string& out) {
  std::optional<core::Clock::duration> timeout;
  if (timeout_s >= 0) {
    timeout = std::chrono::seconds(std::min(timeout_s, service_.options().max_reserve_timeout_s));
  }
  const jobs::ReserveResult r = engine_.Reserve(client_, timeout, waker_);
  switch (r.end) {
    case jobs::ReserveEnd::kReserved:
      AppendJob(out, "RESERVED", r.job);
      return;
    case jobs::ReserveEnd::kDeadlineSoon:
      out.append("DEADLINE_SOON\r\n");
      return;
    case jobs::ReserveEnd::kTimedOut:
      out.append("TIMED_OUT\r\n");
      return;
    case jobs::ReserveEnd::kWaiting:
      waiting_ = true;
      return;
  }
}

void Session::CompleteWait(const jobs::WaitResult& result, std::string& out) {
  if (!waiting_) return;
  waiting_ = false;
  switch (result.end) {
    case jobs::WaitEnd::kReserved:
      AppendJob(out, "RESERVED", result.job);
      return;
    case jobs::WaitEnd::kDeadlineSoon:
      out.append("DEADLINE_SOON\r\n");
      return;
    case jobs::WaitEnd::kTimedOut:
      out.append("TIMED_OUT\r\n");
      return;
  }
}

void Session::Release(std::string_view args, std::string& out) {
  std::string_view rest;
  const auto id = ReadU64(args, &rest);
  const auto pri = id ? ReadU32(rest, &rest) : std::nullopt;
  const auto delay = pri ? ReadU32(rest) : std::nullopt;
  if (!delay) {
    out.append(kBadFormat);
    return;
  }
  service_.Count(Op::kRelease);
  const jobs::Result r = engine_.Release({client_, std::nullopt}, *id, *pri, Seconds(*delay));
  NoteLsn(r.lsn);
  out.append(r.status == jobs::Status::kOk ? "RELEASED\r\n" : kNotFound);
}

void Session::Bury(std::string_view args, std::string& out) {
  std::string_view rest;
  const auto id = ReadU64(args, &rest);
  const auto pri = id ? ReadU32(rest) : std::nullopt;
  if (!pri) {
    out.append(kBadFormat);
    return;
  }
  service_.Count(Op::kBury);
  const jobs::Result r = engine_.Bury({client_, std::nullopt}, *id, *pri);
  NoteLsn(r.lsn);
  out.append(r.status == jobs::Status::kOk ? "BURIED\r\n" : kNotFound);
}

void Session::PauseTube(std::string_view args, std::string& out) {
  std::string_view rest;
  const auto name = ReadTubeName(args, &rest);
  const auto delay = name ? ReadU32(rest) : std::nullopt;
  if (!delay || !jobs::IsValidTubeName(*name)) {
    out.append(kBadFormat);
    return;
  }
  service_.Count(Op::kPauseTube);
  out.append(engine_.PauseTube(*name, Seconds(*delay)) == jobs::Status::kOk ? "PAUSED\r\n"
                                                                            : kNotFound);
}

void Session::Found(const std::optional<jobs::JobCopy>& job, std::string& out) {
  if (job) {
    AppendJob(out, "FOUND", *job);
  } else {
    out.append(kNotFound);
  }
}

void Session::Tubes(jobs::Status status, std::string_view name, std::size_t watching, bool use,
                    std::string& out) {
  switch (status) {
    case jobs::Status::kOk:
      if (use) {
        out.append("USING ").append(name).append("\r\n");
      } else {
        out.append("WATCHING ");
        core::AppendDecimal(out, watching);
        out.append("\r\n");
      }
      return;
    case jobs::Status::kNotIgnored:
      out.append("NOT_IGNORED\r\n");
      return;
    default:  // kTooManyTubes: beanstalkd answers a failed tube allocation so
      out.append("OUT_OF_MEMORY\r\n");
      return;
  }
}

void Session::ListTubes(const std::vector<std::string>& names, std::string& out) {
  std::string yaml = "---\n";
  for (const std::string& n : names) yaml.append("- ").append(n).append("\n");
  AppendOk(out, yaml);
}

}  // namespace beanstalk
