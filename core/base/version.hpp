// The project's version, one constant for every place that reports it (`--version`, the
// protocols' `version` commands and stats, build_info): CMake passes it to every target as
// SD_VERSION; a file compiled outside CMake (an ad-hoc fuzzer build) reads "dev".
#pragma once

#include <string_view>

namespace core {

#ifdef SD_VERSION
inline constexpr std::string_view kVersion = SD_VERSION;
#else
inline constexpr std::string_view kVersion = "dev";
#endif

}  // namespace core
