// The beanstalkd command line grammar, as beanstalkd 1.12 parses it (byte-compatible answers
// need its exact rules, quirks included): commands are matched by prefix in a fixed order;
// integers are decimal, may be preceded by spaces, must start with a digit and must fit their
// width; "no trailing garbage" applies to some commands and not others. Pure functions; no state.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace beanstalk {

// X(op, prefix, stats name or "" if beanstalkd does not count it in `stats`), in beanstalkd's
// matching order (a longer prefix before a shorter one that it extends).
#define BEANSTALK_COMMANDS(X)                                             \
  X(kPut, "put ", "cmd-put")                                              \
  X(kPeekJob, "peek ", "cmd-peek")                                        \
  X(kPeekReady, "peek-ready", "cmd-peek-ready")                           \
  X(kPeekDelayed, "peek-delayed", "cmd-peek-delayed")                     \
  X(kPeekBuried, "peek-buried", "cmd-peek-buried")                        \
  X(kReserveTimeout, "reserve-with-timeout ", "cmd-reserve-with-timeout") \
  X(kReserveJob, "reserve-job ", "")                                      \
  X(kReserve, "reserve", "cmd-reserve")                                   \
  X(kDelete, "delete ", "cmd-delete")                                     \
  X(kRelease, "release ", "cmd-release")                                  \
  X(kBury, "bury ", "cmd-bury")                                           \
  X(kKick, "kick ", "cmd-kick")                                           \
  X(kKickJob, "kick-job ", "")                                            \
  X(kTouch, "touch ", "cmd-touch")                                        \
  X(kStatsJob, "stats-job ", "cmd-stats-job")                             \
  X(kStatsTube, "stats-tube ", "cmd-stats-tube")                          \
  X(kStats, "stats", "cmd-stats")                                         \
  X(kUse, "use ", "cmd-use")                                              \
  X(kWatch, "watch ", "cmd-watch")                                        \
  X(kIgnore, "ignore ", "cmd-ignore")                                     \
  X(kListTubesWatched, "list-tubes-watched", "cmd-list-tubes-watched")    \
  X(kListTubeUsed, "list-tube-used", "cmd-list-tube-used")                \
  X(kListTubes, "list-tubes", "cmd-list-tubes")                           \
  X(kQuit, "quit", "")                                                    \
  X(kPauseTube, "pause-tube", "cmd-pause-tube")

enum class Op : std::uint8_t {
#define BEANSTALK_OP_ENUM(op, prefix, stat) op,
  BEANSTALK_COMMANDS(BEANSTALK_OP_ENUM)
#undef BEANSTALK_OP_ENUM
      kUnknown,
};
inline constexpr int kOpCount = static_cast<int>(Op::kUnknown);

// The command a line starts with (kUnknown if none), and the length of its prefix.
Op MatchCommand(std::string_view line, std::size_t* prefix_len) noexcept;
// The `stats` key counting this command ("cmd-put"), or "" if beanstalkd shows none.
std::string_view StatName(Op op) noexcept;

// A number as beanstalkd's read_u64/read_u32 read it from `text`: leading spaces skipped, then a
// digit required, then digits. With `rest` == nullptr the number must end the text; otherwise
// *rest is what follows it. nullopt: malformed or out of range.
std::optional<std::uint64_t> ReadU64(std::string_view text, std::string_view* rest = nullptr);
std::optional<std::uint32_t> ReadU32(std::string_view text, std::string_view* rest = nullptr);

// reserve-with-timeout's argument as strtol reads it: leading whitespace, an optional sign,
// digits (none: 0), anything after ignored. nullopt only on overflow of a signed 64-bit value.
std::optional<std::int64_t> ReadLongLenient(std::string_view text);
// kick's bound as strtoul reads it: like ReadLongLenient but at least one digit is required and a
// negative number wraps (so "-1" is the largest bound). nullopt: no digits, or overflow.
std::optional<std::uint64_t> ReadUnsignedLenient(std::string_view text);

// pause-tube's tube name: leading spaces skipped, then the longest run of name characters
// (at least one). *rest is what follows.
std::optional<std::string_view> ReadTubeName(std::string_view text, std::string_view* rest);

}  // namespace beanstalk
