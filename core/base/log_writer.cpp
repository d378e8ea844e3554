#include "core/base/log_writer.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace core::log {
namespace {

bool IsPipeLike(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

bool Writable(int fd) {
  pollfd p{fd, POLLOUT, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLOUT) != 0;
}

}  // namespace

BatchWriter::BatchWriter(int fd, std::size_t batch_bytes, std::size_t max_buffered_bytes)
    : fd_(fd),
      batch_bytes_(batch_bytes),
      max_buffered_bytes_(std::max(batch_bytes, max_buffered_bytes)),
      pipe_like_(IsPipeLike(fd)) {
  buffer_.reserve(batch_bytes_ + 4096);
}

void BatchWriter::Append(std::string_view line) {
  core::MutexLock lock(mu_);
  if (buffer_.size() + line.size() + 1 > max_buffered_bytes_) {
    dropped_.fetch_add(1, std::memory_order_relaxed);  // the consumer is stuck: drop, don't wait
    return;
  }
  buffer_.append(line);
  buffer_.push_back('\n');
  if (buffer_.size() >= batch_bytes_) WriteLocked(Mode::kNonBlocking);
}

void BatchWriter::Flush(Mode mode) {
  core::MutexLock lock(mu_);
  WriteLocked(mode);
}

void BatchWriter::WriteLocked(Mode mode) {
  std::size_t done = 0;
  while (done < buffer_.size()) {
    std::size_t chunk = buffer_.size() - done;
    if (pipe_like_ && mode == Mode::kNonBlocking) {
      // POLLOUT on a pipe promises PIPE_BUF bytes of room: writing no more never blocks.
      if (!Writable(fd_)) break;
      chunk = std::min<std::size_t>(chunk, PIPE_BUF);
    }
    const ssize_t n = ::write(fd_, buffer_.data() + done, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {  // the descriptor is gone (closed pipe): nothing we buffer can ever be written
      done = buffer_.size();
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  buffer_.erase(0, done);
}

}  // namespace core::log
