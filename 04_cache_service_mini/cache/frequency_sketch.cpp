#include "04_cache_service_mini/cache/frequency_sketch.hpp"

#include <algorithm>
#include <bit>
#include <utility>

namespace cache {

namespace {

constexpr std::uint64_t kResetMask = 0x7777777777777777ULL;  // keeps 3 bits of each nibble
constexpr std::uint64_t kOneMask = 0x1111111111111111ULL;    // the low bit of each nibble
constexpr std::size_t kWordsPerBlock = 8;
// Keeps bit_ceil and 10 x capacity far from overflow; a shard never holds 2^40 items.
constexpr std::size_t kMaxItems = std::size_t{1} << 40;

// MurmurHash3's 64-bit finaliser. HashKey already picked the shard and the table bucket from these
// bits; remixing keeps the sketch's blocks from inheriting that choice (otherwise a shard's keys
// would crowd into a fraction of its blocks).
std::uint64_t Mix(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

constexpr unsigned kDoorkeeperProbes = 3;
constexpr std::size_t kDoorkeeperBitsPerSample = 4;

// The doorkeeper's probes, by double hashing from a differently mixed hash than the sketch's.
template <typename Fn>
void ForEachProbe(std::uint64_t key_hash, std::size_t bit_mask, Fn&& fn) {
  const std::uint64_t h = Mix(key_hash ^ 0x9e3779b97f4a7c15ULL);
  const std::uint64_t step = (h >> 32) | 1;
  std::uint64_t probe = h;
  for (unsigned i = 0; i < kDoorkeeperProbes; ++i, probe += step) {
    fn(static_cast<std::size_t>(probe) & bit_mask);
  }
}

}  // namespace

void FrequencySketch::EnsureCapacity(std::size_t expected_items) {
  const std::size_t maximum = std::clamp<std::size_t>(expected_items, 1, kMaxItems);
  if (table_ != nullptr && words_ >= maximum) return;
  const std::size_t words = std::max(std::bit_ceil(maximum), kWordsPerBlock);
  // Allocate everything before changing anything: a bad_alloc leaves the old sketch working.
  auto table = std::make_unique<Block[]>(words / kWordsPerBlock);  // zeroed
  std::vector<std::uint64_t> doorkeeper_bits;
  if (doorkeeper_) {
    const std::size_t bits =
        std::bit_ceil(std::max<std::size_t>(kDoorkeeperBitsPerSample * 10 * maximum, 64));
    doorkeeper_bits.assign(bits / 64, 0);
  }
  table_ = std::move(table);
  doorkeeper_bits_ = std::move(doorkeeper_bits);
  words_ = words;
  block_mask_ = words / kWordsPerBlock - 1;
  sample_size_ = 10 * maximum;
  additions_ = 0;
}

bool FrequencySketch::DoorkeeperPut(std::uint64_t key_hash) noexcept {
  bool present = true;
  ForEachProbe(key_hash, doorkeeper_bits_.size() * 64 - 1, [&](std::size_t bit) {
    std::uint64_t& word = doorkeeper_bits_[bit / 64];
    const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
    if ((word & mask) == 0) {
      present = false;
      word |= mask;
    }
  });
  return present;
}

bool FrequencySketch::DoorkeeperContains(std::uint64_t key_hash) const noexcept {
  bool present = true;
  ForEachProbe(key_hash, doorkeeper_bits_.size() * 64 - 1, [&](std::size_t bit) {
    present = present && (doorkeeper_bits_[bit / 64] >> (bit % 64) & 1) != 0;
  });
  return present;
}

FrequencySketch::Slots FrequencySketch::Locate(std::uint64_t key_hash) const noexcept {
  const std::uint64_t h = Mix(key_hash);
  Slots slots{};
  slots.block = &table_[h & block_mask_];                         // low bits pick the block...
  const auto counter_hash = static_cast<std::uint32_t>(h >> 32);  // ...high bits the counters
  for (unsigned row = 0; row < 4; ++row) {
    const auto byte = static_cast<std::uint8_t>(counter_hash >> (8 * row));
    // Row r owns words 2r and 2r+1 of the block: one bit picks the word, four the nibble.
    slots.word[row] = static_cast<std::uint8_t>(2 * row + (byte & 1));
    slots.nibble[row] = static_cast<std::uint8_t>((byte >> 1) & 15);
  }
  return slots;
}

void FrequencySketch::Increment(std::uint64_t key_hash) noexcept {
  if (table_ == nullptr) return;
  if (doorkeeper_ && !DoorkeeperPut(key_hash)) return;
  const Slots slots = Locate(key_hash);
  bool added = false;
  for (unsigned row = 0; row < 4; ++row) {
    std::uint64_t& word = slots.block->words[slots.word[row]];
    const unsigned shift = 4u * slots.nibble[row];
    const std::uint64_t mask = std::uint64_t{0xF} << shift;
    if ((word & mask) != mask) {
      word += std::uint64_t{1} << shift;
      added = true;
    }
  }
  if (added && ++additions_ >= sample_size_) Age();
}

int FrequencySketch::Frequency(std::uint64_t key_hash) const noexcept {
  if (table_ == nullptr) return 0;
  const Slots slots = Locate(key_hash);
  int frequency = kMaxCount;
  for (unsigned row = 0; row < 4; ++row) {
    const std::uint64_t word = slots.block->words[slots.word[row]];
    const auto count = static_cast<int>((word >> (4u * slots.nibble[row])) & 0xF);
    frequency = std::min(frequency, count);
  }
  if (doorkeeper_ && frequency < kMaxCount && DoorkeeperContains(key_hash)) ++frequency;
  return frequency;
}

void FrequencySketch::Age() noexcept {
  if (table_ == nullptr) return;
  std::size_t odd = 0;
  for (std::size_t b = 0; b <= block_mask_; ++b) {
    for (std::uint64_t& word : table_[b].words) {
      odd += static_cast<std::size_t>(std::popcount(word & kOneMask));
      word = (word >> 1) & kResetMask;
    }
  }
  // Halving truncated the odd counters; each addition raised up to four counters, so odd / 4
  // approximates the additions lost to truncation (Caffeine's correction).
  const std::size_t lost = odd / 4;
  additions_ = additions_ > lost ? (additions_ - lost) / 2 : 0;
  std::fill(doorkeeper_bits_.begin(), doorkeeper_bits_.end(), 0);
  ++agings_;
}

}  // namespace cache
