#include "03_job_queue_worker_mini/wal/wal_record.hpp"

#include <cstring>

#include "03_job_queue_worker_mini/engine/tube.hpp"
#include "03_job_queue_worker_mini/wal/crc32c.hpp"

namespace wal {

namespace {

template <class T>
void Put(std::string& out, T v) {
  char b[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    b[i] = static_cast<char>(static_cast<std::uint64_t>(v) >> (8 * i));
  }
  out.append(b, sizeof(T));
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  template <class T>
  bool Get(T* v) {
    if (in_.size() < sizeof(T)) return false;
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      x |= static_cast<std::uint64_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
    }
    *v = static_cast<T>(x);
    in_.remove_prefix(sizeof(T));
    return true;
  }
  bool Bytes(std::size_t n, std::string* s) {
    if (in_.size() < n) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

// Reserves the frame, lets `fill` append the payload, then writes length and CRC.
template <class Fill>
std::size_t Frame(std::string& out, RecordType type, Fill fill) {
  const std::size_t start = out.size();
  out.append(kHeaderBytes - 1, '\0');
  out.push_back(static_cast<char>(type));
  fill();
  const auto length = static_cast<std::uint32_t>(out.size() - start - kHeaderBytes);
  std::string len;
  Put(len, length);
  std::memcpy(out.data() + start + 4, len.data(), 4);
  const std::uint32_t crc = Crc32c(std::string_view(out).substr(start + 4));
  std::string c;
  Put(c, crc);
  std::memcpy(out.data() + start, c.data(), 4);
  return out.size() - start;
}

bool ValidState(std::uint8_t s) {
  return s == static_cast<std::uint8_t>(jobs::JobState::kReady) ||
         s == static_cast<std::uint8_t>(jobs::JobState::kDelayed) ||
         s == static_cast<std::uint8_t>(jobs::JobState::kBuried);
}

}  // namespace

std::size_t AppendJobRecord(std::string& out, const jobs::Job& j, RecordType type,
                            std::int64_t deadline_wall_ns) {
  return Frame(out, type, [&] {
    Put(out, j.id);
    Put(out, j.pri);
    const jobs::JobState state =
        j.state == jobs::JobState::kReserved ? jobs::JobState::kReady : j.state;
    Put(out, static_cast<std::uint8_t>(state));
    Put(out, j.ttr_ns);
    Put(out, j.delay_ns);
    Put(out, state == jobs::JobState::kDelayed ? deadline_wall_ns : std::int64_t{0});
    Put(out, j.reserves);
    Put(out, j.timeouts);
    Put(out, j.releases);
    Put(out, j.buries);
    Put(out, j.kicks);
    if (type == RecordType::kJob) {
      const std::string_view tube = j.tube != nullptr ? std::string_view(j.tube->name) : "";
      Put(out, static_cast<std::uint8_t>(tube.size()));
      out.append(tube);
      Put(out, j.body_size);
      out.append(j.body());
    }
  });
}

std::size_t AppendDeleteRecord(std::string& out, jobs::JobId id) {
  return Frame(out, RecordType::kDelete, [&] { Put(out, id); });
}

Decode DecodeRecord(std::string_view in, Record* r, std::size_t* size) {
  if (in.size() < kHeaderBytes) return Decode::kTruncated;
  Reader header(in);
  std::uint32_t crc = 0, length = 0;
  header.Get(&crc);
  header.Get(&length);
  if (length > kMaxPayloadBytes) return Decode::kCorrupt;
  if (in.size() < kHeaderBytes + length) return Decode::kTruncated;
  if (Crc32c(in.substr(4, 5 + length)) != crc) return Decode::kCorrupt;
  const auto type = static_cast<RecordType>(in[8]);
  Reader p(in.substr(kHeaderBytes, length));
  *r = Record{};
  r->type = type;
  bool ok = p.Get(&r->id);
  if (type == RecordType::kDelete) {
    ok = ok && p.done();
  } else if (type == RecordType::kJob || type == RecordType::kUpdate) {
    std::uint8_t state = 0;
    ok = ok && p.Get(&r->pri) && p.Get(&state) && ValidState(state) && p.Get(&r->ttr_ns) &&
         p.Get(&r->delay_ns) && p.Get(&r->deadline_wall_ns) && p.Get(&r->reserves) &&
         p.Get(&r->timeouts) && p.Get(&r->releases) && p.Get(&r->buries) && p.Get(&r->kicks);
    r->state = static_cast<jobs::JobState>(state);
    if (ok && type == RecordType::kJob) {
      std::uint8_t tube_len = 0;
      std::uint32_t body_len = 0;
      ok = p.Get(&tube_len) && p.Bytes(tube_len, &r->tube) && p.Get(&body_len) &&
           p.Bytes(body_len, &r->body);
    }
    ok = ok && p.done();
  } else {
    ok = false;
  }
  if (!ok) return Decode::kCorrupt;
  *size = kHeaderBytes + length;
  return Decode::kOk;
}

}  // namespace wal
