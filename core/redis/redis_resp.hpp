// RESP, the Redis wire protocol, without I/O: the reply type, command encoding, and a bounded
// incremental parser. hiredis does the byte work (redisFormatCommandArgv, its reader); these
// wrappers give owning C++ values and limits a misbehaving peer cannot push past. Pure: the
// socket side is redis_client.hpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/error.hpp"

namespace core {

// One parsed RESP2 reply, owning its data. Arrays nest.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kError, kArray };

  Type type = Type::kNil;
  std::int64_t integer = 0;          // kInteger
  std::string str;                   // kString (binary-safe), kStatus ("OK"), kError ("ERR ...")
  std::vector<RedisReply> elements;  // kArray

  bool IsError() const noexcept { return type == Type::kError; }
};

// Debug text for a reply: 42, "bytes" (escaped), +OK, -ERR msg, nil, [a, b].
std::string ToString(const RedisReply& reply);

// The RESP encoding of one command (an array of bulk strings; arguments are binary-safe), made by
// hiredis's redisFormatCommandArgv. Precondition: args is not empty.
std::string EncodeCommand(const std::vector<std::string>& args);

// Incremental RESP parser (hiredis's reader with our own reply objects). Bounded: a reply with
// more than `max_elements` array elements in total, or more than `max_reply_bytes` of buffered
// input before it completes, is an error — a misbehaving peer cannot make us allocate without
// limit. After an error the parser is unusable until Reset(). Not thread-safe.
class RespParser {
 public:
  RespParser(std::size_t max_reply_bytes, std::size_t max_elements);
  ~RespParser();
  RespParser(const RespParser&) = delete;
  RespParser& operator=(const RespParser&) = delete;

  // Appends received bytes.
  void Feed(std::string_view bytes);
  // The next complete reply, or nullopt when more bytes are needed. Errors (kBadGateway): the
  // input is not RESP, nests deeper than 7 levels, or is over a limit.
  core::Result<std::optional<RedisReply>> Next();
  // Forgets all buffered input and any error (a new connection).
  void Reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace core
