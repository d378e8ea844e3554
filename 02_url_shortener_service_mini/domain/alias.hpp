// Custom aliases ("/r/launch-2024"): which names a caller may pick.
//
// An alias shares the code namespace with generated codes (one UNIQUE column), so taking one is the
// same atomic insert; here only its shape is checked: [A-Za-z0-9_-]{3,64}, and not a reserved word
// (names of our own routes and words that phishers like: "admin", "login"), compared without case
// so that "Admin" cannot pass for "admin" in a browser's address bar.
#pragma once

#include <string_view>

#include "core/base/error.hpp"

namespace shortener {

inline constexpr std::size_t kMinAliasLength = 3;
inline constexpr std::size_t kMaxAliasLength = 64;

// True for the reserved words, in any letter case.
bool IsReservedAlias(std::string_view alias) noexcept;

// OK, or kInvalidArgument naming what is wrong (length, a character, reserved).
core::Result<void> ValidateAlias(std::string_view alias);

}  // namespace shortener
