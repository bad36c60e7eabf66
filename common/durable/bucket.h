// The on-page format of PageHashTable's chains (hash_table.h): entries, chain blocks, hashing.
//
// A chain block is a sealed 4 KiB block (block.h) of kind kBucketBlockKind whose link is the
// address of the next block of the chain (0 at its end) and whose payload is `count` entries:
//
//   flags u8 | key length u16 | key | value
//     flags 0 (inline):       value length u16 | value bytes
//     flags 1 (out of line):  value length u32 | run address u64 | masked CRC-32C u32
//
// An out-of-line value lives in a run of whole blocks of its own; its CRC (over the run address
// and the value) is stored in the entry, so the committed entry vouches for the run's bytes.
#ifndef DDC_COMMON_DURABLE_BUCKET_H_
#define DDC_COMMON_DURABLE_BUCKET_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/durable/block.h"
#include "platform/memory.h"

namespace ddc::durable {

inline constexpr int64_t kBucketPayloadBytes = kBlockSize - kSealedHeaderSize;
// Values whose inline entry would exceed this go out of line, so a block holds several entries.
inline constexpr int64_t kMaxInlineEntryBytes = 1024;

struct BucketEntry {
  std::string key;
  bool out_of_line = false;
  std::string value;        // inline only
  uint32_t value_size = 0;  // both forms
  VirtAddr value_run = 0;   // out of line only
  uint32_t value_crc = 0;   // out of line only, masked

  int64_t EncodedSize() const;
  int64_t RunBlocks() const { return out_of_line ? BlocksFor(value_size) : 0; }
};

// InlineEntrySize is the encoded size an inline entry of this key and value would have.
int64_t InlineEntrySize(int64_t key_size, int64_t value_size);

// ValueChecksum is the masked CRC-32C an out-of-line entry stores for `value` at `run`.
uint32_t ValueChecksum(VirtAddr run, absl::string_view value);

struct ChainBlock {
  VirtAddr address = 0;
  VirtAddr next = 0;
  std::vector<BucketEntry> entries;
};

int64_t PayloadSize(const std::vector<BucketEntry>& entries);

// EncodeChainBlock returns the sealed 4 KiB image of `block` at block.address.
std::string EncodeChainBlock(const ChainBlock& block);
// DecodeChainBlock validates and parses the image found at `address`; DATA_LOSS names it.
absl::StatusOr<ChainBlock> DecodeChainBlock(absl::string_view image, VirtAddr address);

// KeyHash is the table's 64-bit hash of a key: FNV-1a, seeded, then MurmurHash3's finalizer.
// Stable across processes and runs (it is part of the on-page format).
uint64_t KeyHash(uint64_t seed, absl::string_view key);

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_BUCKET_H_
