// CRC-32C (Castagnoli), the checksum of every write-ahead log record: it detects torn and corrupt
// records (the same polynomial as ext4, iSCSI and LevelDB's log). Table-driven, no dependency.
#pragma once

#include <cstdint>
#include <string_view>

namespace wal {

// The CRC-32C of `data`, continuing from `crc` (0 to start).
std::uint32_t Crc32c(std::string_view data, std::uint32_t crc = 0) noexcept;

}  // namespace wal
