// Framing (lines, data blocks, skipping), dispatch, retrieval and storage commands. The other
// commands live in memcached_commands.cpp.
#include "04_cache_service_mini/memcached/memcached_session.hpp"

#include <algorithm>
#include <climits>
#include <cstring>

#include "core/base/decimal.hpp"

namespace cache {

using memcached::ParseI64;
using memcached::ParseU64;
using memcached::Tokens;

namespace {

// memcached skips up to 100 leading spaces before deciding whether a long line is a multi-get.
constexpr std::size_t kLineSniffBytes = 110;

// After a long multi-get line, give its buffer back: an idle connection keeps only what an
// ordinary command needs, not the largest line it ever sent.
void ReleaseIfLarge(std::string& buffer) {
  constexpr std::size_t kKeepBytes = 4096;
  if (buffer.capacity() > kKeepBytes) std::string().swap(buffer);
  buffer.clear();
}

bool IsRetrievalLine(std::string_view line) noexcept {
  while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
  for (std::string_view command : {"get ", "gets ", "gat ", "gats "}) {
    if (line.substr(0, command.size()) == command) return true;
  }
  return false;
}

// memcached's tokenizer stops after 23 tokens (MAX_TOKENS = 24 with its terminal token), so its
// "last token" is the 23rd of a longer line.
constexpr std::size_t kMemcachedTokensSeen = 23;

// memcached closes, without a reply, a connection whose command line is not a command it knows and
// ends in an "HTTP/..." token: that is an HTTP request (a browser tricked into POSTing to the cache
// port), and answering ERROR line by line would run its headers and body as commands. memcached
// dispatches on the first byte, so an unknown word starting with g s a c i d t, or a two-letter
// word starting with m (the meta commands), is answered ERROR before the check; so here.
bool IsCrossProtocolRequest(std::string_view line, std::string_view command) noexcept {
  if (command.size() < 2) return false;
  switch (command.front()) {
    case 'g':
    case 's':
    case 'a':
    case 'c':
    case 'i':
    case 'd':
    case 't':
      return false;
    case 'm':
      if (command.size() == 2) return false;
      break;
    default:
      break;
  }
  std::string_view last;
  std::size_t seen = 0;
  memcached::ForEachToken(line, [&](std::string_view token) {
    if (seen++ < kMemcachedTokensSeen) last = token;
  });
  return last.substr(0, 5) == "HTTP/";
}

std::string_view StoreReply(StoreStatus status) noexcept {
  switch (status) {
    case StoreStatus::kStored:
      return "STORED";
    case StoreStatus::kNotStored:
      return "NOT_STORED";
    case StoreStatus::kExists:
      return "EXISTS";
    case StoreStatus::kNotFound:
      return "NOT_FOUND";
    case StoreStatus::kTooLarge:
      return "SERVER_ERROR object too large for cache";
    case StoreStatus::kNoMemory:
      return "SERVER_ERROR out of memory storing object";
  }
  return "SERVER_ERROR unknown";
}

}  // namespace

MemcachedSession::MemcachedSession(MemcachedService& service) : service_(service) {
  service_.curr_connections_.fetch_add(1, std::memory_order_relaxed);
  service_.total_connections_.fetch_add(1, std::memory_order_relaxed);
  info_.last_active_ns.store(ToNs(service_.clock_.Now()), std::memory_order_relaxed);
  service_.Register(&info_);
}

MemcachedSession::~MemcachedSession() {
  service_.Unregister(&info_);
  service_.curr_connections_.fetch_sub(1, std::memory_order_relaxed);
}

void MemcachedSession::Publish(bool active) {
  ConnState state = ConnState::kWaiting;
  if (retrieval_active_) {
    state = ConnState::kMwrite;
  } else {
    switch (state_) {
      case State::kLine:
        state = line_.empty() ? ConnState::kWaiting : ConnState::kRead;
        break;
      case State::kValue:
      case State::kValueEnd:
        state = ConnState::kNread;
        break;
      case State::kSwallow:
        state = ConnState::kSwallow;
        break;
      case State::kClosed:
        state = ConnState::kClosing;
        break;
    }
  }
  info_.state.store(state, std::memory_order_relaxed);
  // One clock read per Feed (per socket read), not per command: a pipelined get stays cheap.
  if (active) info_.last_active_ns.store(ToNs(service_.clock_.Now()), std::memory_order_relaxed);
}

std::size_t MemcachedSession::Feed(std::string_view input, std::string& out) {
  const std::size_t out_before = out.size();
  std::size_t consumed = 0;
  while (state_ != State::kClosed) {
    if (retrieval_active_) {
      if (!ContinueRetrieval(out)) break;
      continue;
    }
    if (out.size() >= service_.options_.output_high_water_bytes) break;
    if (consumed == input.size()) break;
    const std::string_view rest = input.substr(consumed);
    switch (state_) {
      case State::kLine:
        consumed += ConsumeLine(rest, out);
        break;
      case State::kValue:
        consumed += ConsumeValue(rest);
        break;
      case State::kValueEnd:
        consumed += ConsumeValueEnd(rest, out);
        break;
      case State::kSwallow:
        consumed += ConsumeSwallow(rest);
        break;
      case State::kClosed:
        break;
    }
  }
  if (state_ == State::kClosed) consumed = input.size();
  service_.bytes_read_.fetch_add(consumed, std::memory_order_relaxed);
  service_.bytes_written_.fetch_add(out.size() - out_before, std::memory_order_relaxed);
  Publish(!input.empty());
  return consumed;
}

std::size_t MemcachedSession::LineLimit(std::string_view line_start) const noexcept {
  return IsRetrievalLine(line_start) ? service_.options_.max_retrieval_line_bytes
                                     : service_.options_.max_line_bytes;
}

std::size_t MemcachedSession::ConsumeLine(std::string_view input, std::string& out) {
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) {
    // An incomplete line: keep it, within the limit its first bytes call for.
    std::string head = line_.substr(0, kLineSniffBytes);
    head.append(input.substr(0, kLineSniffBytes - head.size()));
    if (line_.size() + input.size() > LineLimit(head)) {
      out.append("CLIENT_ERROR line too long\r\n");
      state_ = State::kClosed;
      return input.size();
    }
    line_.append(input);
    return input.size();
  }
  std::string_view line = input.substr(0, newline);
  std::string head = line_.substr(0, kLineSniffBytes);
  head.append(line.substr(0, kLineSniffBytes - head.size()));
  if (line_.size() + line.size() > LineLimit(head)) {
    out.append("CLIENT_ERROR line too long\r\n");
    state_ = State::kClosed;
    return input.size();
  }
  if (!line_.empty()) {
    line_.append(line);
    line = line_;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  after_line_ = input.size() - newline - 1;
  Execute(line, out);
  line_.clear();
  ReleaseIfLarge(line_);
  return newline + 1;
}

std::size_t MemcachedSession::ConsumeValue(std::string_view input) {
  const std::size_t n = std::min(input.size(), pending_.value_size() - value_filled_);
  if (n > 0) std::memcpy(pending_.mutable_value() + value_filled_, input.data(), n);
  value_filled_ += n;
  if (value_filled_ == pending_.value_size()) {
    state_ = State::kValueEnd;
    terminator_filled_ = 0;
  }
  return n;
}

std::size_t MemcachedSession::ConsumeValueEnd(std::string_view input, std::string& out) {
  const std::size_t n = std::min(input.size(), sizeof(terminator_) - terminator_filled_);
  std::memcpy(terminator_ + terminator_filled_, input.data(), n);
  terminator_filled_ += n;
  if (terminator_filled_ == sizeof(terminator_)) {
    state_ = State::kLine;
    noreply_ = store_noreply_;
    if (terminator_[0] == '\r' && terminator_[1] == '\n') {
      FinishStorage(out);
    } else {
      pending_ = PendingItem();
      Reply(out, "CLIENT_ERROR bad data chunk");
    }
  }
  return n;
}

std::size_t MemcachedSession::ConsumeSwallow(std::string_view input) {
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(input.size(), swallow_left_));
  swallow_left_ -= n;
  if (swallow_left_ == 0) state_ = State::kLine;
  return n;
}

void MemcachedSession::Execute(std::string_view line, std::string& out) {
  noreply_ = false;
  const Tokens tokens = memcached::Tokenize(line);
  const std::string_view command = tokens[0];
  if (command == "get" || command == "gets" || command == "gat" || command == "gats") {
    StartRetrieval(tokens, line, out);
  } else if (command == "set") {
    StartStorage(StoreMode::kSet, tokens, out);
  } else if (command == "add") {
    StartStorage(StoreMode::kAdd, tokens, out);
  } else if (command == "replace") {
    StartStorage(StoreMode::kReplace, tokens, out);
  } else if (command == "append") {
    StartStorage(StoreMode::kAppend, tokens, out);
  } else if (command == "prepend") {
    StartStorage(StoreMode::kPrepend, tokens, out);
  } else if (command == "cas") {
    StartStorage(StoreMode::kCas, tokens, out);
  } else if (command == "delete") {
    Delete(tokens, out);
  } else if (command == "incr" || command == "decr") {
    Arith(command == "incr", tokens, out);
  } else if (command == "touch") {
    Touch(tokens, out);
  } else if (command == "flush_all") {
    FlushAll(tokens, out);
  } else if (command == "stats") {
    Stats(tokens, out);
  } else if (command == "version") {
    out.append("VERSION ").append(service_.options_.version).append("\r\n");
  } else if (command == "verbosity") {
    Verbosity(tokens, out);
  } else if (command == "quit" || IsCrossProtocolRequest(line, command)) {
    state_ = State::kClosed;  // no reply either way
  } else {
    out.append("ERROR\r\n");  // includes the empty line and upper-case commands
  }
}

void MemcachedSession::StartRetrieval(const Tokens& tokens, std::string_view line,
                                      std::string& out) {
  const std::string_view command = tokens[0];
  retrieval_touch_ = command == "gat" || command == "gats";
  retrieval_cas_ = command == "gets" || command == "gats";
  const std::size_t first_key = retrieval_touch_ ? 2 : 1;
  if (tokens.count < 2) {
    out.append("ERROR\r\n");
    return;
  }
  if (retrieval_touch_) {
    std::int64_t exptime = 0;
    if (!ParseI64(tokens[1], &exptime)) {
      out.append("CLIENT_ERROR invalid exptime argument\r\n");
      return;
    }
    retrieval_expiry_ = ExpiryFrom(exptime);
  }
  // Every key is checked before any is answered: memcached answers a bad key with one error
  // line and no values.
  std::string_view keys;
  if (tokens.count > first_key) {
    const std::string_view first = tokens[first_key];
    keys = line.substr(static_cast<std::size_t>(first.data() - line.data()));
  }
  bool valid = true;
  memcached::ForEachToken(keys, [&](std::string_view key) { valid = valid && IsValidKey(key); });
  if (!valid) {
    out.append("CLIENT_ERROR bad command line format\r\n");
    return;
  }
  const bool in_line_buffer =
      !line_.empty() && keys.data() >= line_.data() && keys.data() < line_.data() + line_.size();
  if (in_line_buffer) {
    // A line that spanned reads was assembled in line_: take its buffer instead of copying it, so
    // a big multi-get costs one line's memory, not two.
    const auto offset = static_cast<std::size_t>(keys.data() - line_.data());
    const std::size_t end = offset + keys.size();
    retrieval_keys_ = std::move(line_);
    line_.clear();
    retrieval_keys_.resize(end);
    retrieval_pos_ = offset;
  } else {
    retrieval_keys_.assign(keys);
    retrieval_pos_ = 0;
  }
  retrieval_active_ = true;  // Feed's loop runs ContinueRetrieval
}

bool MemcachedSession::ContinueRetrieval(std::string& out) {
  const std::string_view keys = retrieval_keys_;
  Cache& cache = service_.cache_;
  while (retrieval_pos_ < keys.size()) {
    if (out.size() >= service_.options_.output_high_water_bytes) return false;
    while (retrieval_pos_ < keys.size() && keys[retrieval_pos_] == ' ') ++retrieval_pos_;
    const std::size_t start = retrieval_pos_;
    while (retrieval_pos_ < keys.size() && keys[retrieval_pos_] != ' ') ++retrieval_pos_;
    if (retrieval_pos_ == start) break;
    const std::string_view key = keys.substr(start, retrieval_pos_ - start);
    ItemHandle item = retrieval_touch_ ? cache.GetAndTouch(key, retrieval_expiry_) : cache.Get(key);
    if (!item) continue;
    out.append("VALUE ").append(key).push_back(' ');
    core::AppendDecimal(out, item.flags());
    out.push_back(' ');
    core::AppendDecimal(out, item.value().size());
    if (retrieval_cas_) {
      out.push_back(' ');
      core::AppendDecimal(out, item.cas());
    }
    out.append("\r\n").append(item.value()).append("\r\n");
  }
  out.append("END\r\n");
  retrieval_active_ = false;
  ReleaseIfLarge(retrieval_keys_);
  return true;
}

void MemcachedSession::StartStorage(StoreMode mode, const Tokens& tokens, std::string& out) {
  const std::size_t base = mode == StoreMode::kCas ? 6 : 5;
  if (tokens.count != base && tokens.count != base + 1) {
    out.append("ERROR\r\n");
    return;
  }
  noreply_ = tokens.count == base + 1 && tokens.last() == "noreply";
  std::uint64_t flags = 0;
  std::int64_t exptime = 0;
  std::int64_t length = 0;
  std::uint64_t cas_unique = 0;
  // memcached 1.6 truncates flags above 2^32-1; refusing them is the honest reading of "u32".
  if (!IsValidKey(tokens[1]) || !ParseU64(tokens[2], &flags) || flags > UINT32_MAX ||
      !ParseI64(tokens[3], &exptime) || !ParseI64(tokens[4], &length) || length < 0 ||
      length > INT_MAX - 2 || (mode == StoreMode::kCas && !ParseU64(tokens[5], &cas_unique))) {
    Reply(out, "CLIENT_ERROR bad command line format");  // the data block is then read as commands
    return;
  }
  const auto value_len = static_cast<std::size_t>(length);
  // A value that arrived whole with its command (small sets, the common case) is filled and
  // stored in this same Feed call: nothing waits on the network, so it is not reserved, and the
  // set takes the shard's lock once. One that must wait for more bytes is reserved against the
  // budget now. The size cap keeps "in this call" honest for callers that Feed huge buffers (a
  // paused Feed may hold it across one write): the TCP server's reads are 16 KiB.
  constexpr std::size_t kStoredAtOnceBytes = std::size_t{16} * 1024;
  const bool arrived = value_len <= kStoredAtOnceBytes && after_line_ >= value_len + 2;
  Allocation allocation = service_.cache_.Allocate(
      mode, tokens[1], static_cast<std::uint32_t>(flags), value_len, /*reserve=*/!arrived);
  if (allocation.status != StoreStatus::kStored) {
    Reply(out, StoreReply(allocation.status));
    swallow_left_ = std::uint64_t{value_len} + 2;  // skip the data block and its \r\n
    state_ = State::kSwallow;
    return;
  }
  store_mode_ = mode;
  store_expiry_ = ExpiryFrom(exptime);
  store_cas_ = cas_unique;
  store_noreply_ = noreply_;
  pending_ = std::move(allocation.item);
  value_filled_ = 0;
  state_ = value_len == 0 ? State::kValueEnd : State::kValue;
  terminator_filled_ = 0;
}

void MemcachedSession::FinishStorage(std::string& out) {
  const StoreStatus status =
      service_.cache_.Store(store_mode_, std::move(pending_), store_expiry_, store_cas_);
  Reply(out, StoreReply(status));
}

Expiry MemcachedSession::ExpiryFrom(std::int64_t exptime) const {
  return Expiry::FromMemcached(exptime, service_.wall_.UnixSeconds());
}

void MemcachedSession::Reply(std::string& out, std::string_view text) {
  if (noreply_) return;
  out.append(text).append("\r\n");
}

}  // namespace cache
