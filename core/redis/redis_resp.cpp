#include "core/redis/redis_resp.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <new>

#include "core/base/hex.hpp"

namespace core {

using core::Code;
using core::Error;

// ---------------------------------------------------------------------------------------------
// Replies and encoding

namespace {

void AppendQuoted(std::string& out, std::string_view bytes) {
  out += '"';
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      AppendHex(out, std::span<const std::uint8_t>(&c, 1));
    } else {
      out += ch;
    }
  }
  out += '"';
}

void AppendReply(std::string& out, const RedisReply& r) {
  switch (r.type) {
    case RedisReply::Type::kNil:
      out += "nil";
      return;
    case RedisReply::Type::kInteger:
      out += std::to_string(r.integer);
      return;
    case RedisReply::Type::kString:
      AppendQuoted(out, r.str);
      return;
    case RedisReply::Type::kStatus:
      out += '+' + r.str;
      return;
    case RedisReply::Type::kError:
      out += '-' + r.str;
      return;
    case RedisReply::Type::kArray:
      out += '[';
      for (std::size_t i = 0; i < r.elements.size(); ++i) {
        if (i > 0) out += ", ";
        AppendReply(out, r.elements[i]);
      }
      out += ']';
      return;
  }
}

}  // namespace

std::string ToString(const RedisReply& reply) {
  std::string out;
  AppendReply(out, reply);
  return out;
}

std::string EncodeCommand(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  char* command = nullptr;
  const int n =
      redisFormatCommandArgv(&command, static_cast<int>(args.size()), argv.data(), lengths.data());
  if (n < 0) throw std::bad_alloc();  // hiredis's only failure is out of memory
  std::string out(command, static_cast<std::size_t>(n));
  redisFreeCommand(command);
  return out;
}

// ---------------------------------------------------------------------------------------------
// RespParser: hiredis's reader builds our RedisReply tree directly through its object functions.
// A nested reply is constructed in place in its parent's pre-sized element vector (hiredis tells
// us the parent and the index), so only the root is heap-allocated and handed back.

struct RespParser::Impl {
  redisReader* reader = nullptr;
  std::size_t max_bytes;
  std::size_t max_elements;
  std::size_t pending = 0;   // bytes fed since the last complete reply
  std::size_t elements = 0;  // array elements in the reply being parsed
  bool over_elements = false;
  bool feed_failed = false;

  Impl(std::size_t bytes, std::size_t elems) : max_bytes(bytes), max_elements(elems) {}
  ~Impl() { Destroy(); }

  void Create() {
    reader = redisReaderCreateWithFunctions(&kFunctions);
    if (reader == nullptr) throw std::bad_alloc();
    reader->privdata = this;  // hiredis copies it into every read task
    pending = 0;
    elements = 0;
    over_elements = false;
    feed_failed = false;
  }
  void Destroy() {
    if (reader != nullptr) redisReaderFree(reader);
    reader = nullptr;
  }

  static Impl& Of(const redisReadTask* task) { return *static_cast<Impl*>(task->privdata); }

  // Stores `value` as the object for `task`: a new root, or in place in the parent array.
  static void* Place(const redisReadTask* task, RedisReply&& value) {
    if (task->parent == nullptr) return new (std::nothrow) RedisReply(std::move(value));
    auto* parent = static_cast<RedisReply*>(task->parent->obj);
    RedisReply& slot = parent->elements[static_cast<std::size_t>(task->idx)];
    slot = std::move(value);
    return &slot;
  }

  // hiredis's C callbacks: returning nullptr makes the reader fail ("out of memory"); nothing may
  // throw through them.
  static void* CreateString(const redisReadTask* task, char* str, std::size_t len) {
    try {
      RedisReply r;
      if (task->type == REDIS_REPLY_ERROR) {
        r.type = RedisReply::Type::kError;
      } else if (task->type == REDIS_REPLY_STATUS) {
        r.type = RedisReply::Type::kStatus;
      } else {
        r.type = RedisReply::Type::kString;
      }
      r.str.assign(str, len);
      return Place(task, std::move(r));
    } catch (...) {
      return nullptr;
    }
  }
  static void* CreateArray(const redisReadTask* task, int count) {
    Impl& impl = Of(task);
    if (task->parent == nullptr) impl.elements = 0;  // a new reply starts
    const auto n = static_cast<std::size_t>(count);
    if (n > impl.max_elements - impl.elements) {
      impl.over_elements = true;
      return nullptr;
    }
    impl.elements += n;
    try {
      RedisReply r;
      r.type = RedisReply::Type::kArray;
      r.elements.resize(n);
      return Place(task, std::move(r));
    } catch (...) {
      return nullptr;
    }
  }
  static void* CreateInteger(const redisReadTask* task, long long value) {
    RedisReply r;
    r.type = RedisReply::Type::kInteger;
    r.integer = value;
    return Place(task, std::move(r));
  }
  static void* CreateNil(const redisReadTask* task) { return Place(task, RedisReply{}); }
  // hiredis frees only roots (an unfinished reply on error, or on reader free).
  static void FreeObject(void* obj) { delete static_cast<RedisReply*>(obj); }

  static redisReplyObjectFunctions kFunctions;
};

redisReplyObjectFunctions RespParser::Impl::kFunctions = {&Impl::CreateString, &Impl::CreateArray,
                                                          &Impl::CreateInteger, &Impl::CreateNil,
                                                          &Impl::FreeObject};

RespParser::RespParser(std::size_t max_reply_bytes, std::size_t max_elements)
    : impl_(std::make_unique<Impl>(max_reply_bytes, max_elements)) {
  impl_->Create();
}

RespParser::~RespParser() = default;

void RespParser::Reset() {
  impl_->Destroy();
  impl_->Create();
}

void RespParser::Feed(std::string_view bytes) {
  if (impl_->reader == nullptr || bytes.empty()) return;
  impl_->pending += bytes.size();
  if (redisReaderFeed(impl_->reader, bytes.data(), bytes.size()) != REDIS_OK) {
    impl_->feed_failed = true;
  }
}

core::Result<std::optional<RedisReply>> RespParser::Next() {
  Impl& impl = *impl_;
  if (impl.reader == nullptr) {
    return Error(Code::kBadGateway, "redis protocol error: parser failed earlier");
  }
  if (impl.feed_failed) {
    impl.Destroy();
    return Error(Code::kBadGateway, "redis protocol error: out of memory buffering a reply");
  }
  void* raw = nullptr;
  if (redisReaderGetReply(impl.reader, &raw) != REDIS_OK) {
    std::string why = impl.over_elements ? "reply has more than " +
                                               std::to_string(impl.max_elements) + " array elements"
                                         : std::string(impl.reader->errstr);
    impl.Destroy();
    return Error(Code::kBadGateway, "redis protocol error: " + why);
  }
  if (raw == nullptr) {
    if (impl.pending > impl.max_bytes) {
      impl.Destroy();
      return Error(Code::kBadGateway,
                   "redis protocol error: reply over " + std::to_string(impl.max_bytes) + " bytes");
    }
    return std::optional<RedisReply>();
  }
  std::unique_ptr<RedisReply> reply(static_cast<RedisReply*>(raw));
  const std::size_t left = impl.reader->len - impl.reader->pos;  // belongs to later replies
  if (impl.pending - left > impl.max_bytes) {  // complete, but arrived in one piece
    impl.Destroy();
    return Error(Code::kBadGateway,
                 "redis protocol error: reply over " + std::to_string(impl.max_bytes) + " bytes");
  }
  impl.pending = left;
  return std::optional<RedisReply>(std::move(*reply));
}

}  // namespace core
