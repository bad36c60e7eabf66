// Blocks and sealed blocks: the units the structures in this folder commit.
//
// A block is 4 KiB, 4 KiB aligned: the cache line, and the largest write-back the platform lets
// us assume atomic (a page may be 2 MiB; nothing larger than an aligned 4 KiB line is assumed to
// reach a memory element all at once). Every structure here therefore builds on 4 KiB blocks,
// whatever the page size.
//
// A sealed block is a fixed-size unit (a 4 KiB block, or a whole memory page for PageWriter)
// that carries its own checksum, so a reader can tell a complete, intended image from garbage:
// a never-written (zero) block, a torn or unflushed one, or one that belongs elsewhere.
//
//   offset  size  field
//        0     4  masked CRC-32C of: address (u64), kind, length, count, link, payload
//        4     4  kind     which structure and role the block has (a magic number)
//        8     4  length   payload bytes
//       12     4  count    kind-specific (entries of a bucket, records of a page)
//       16     8  link     kind-specific (next block of a chain, index of a page)
//       24     -  payload, then zeros up to the block size
//
// The checksum covers the block's own address, so an image copied to (or left behind at)
// another address never validates there.
#ifndef DDC_COMMON_DURABLE_BLOCK_H_
#define DDC_COMMON_DURABLE_BLOCK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/memory.h"

namespace ddc::durable {

inline constexpr int64_t kBlockSize = 4096;
inline constexpr int64_t kSealedHeaderSize = 24;

// Kinds of sealed blocks (ASCII tags, so a memory dump is readable).
inline constexpr uint32_t kBucketBlockKind = 0x544b4342;  // "BCKT"
inline constexpr uint32_t kBitmapBlockKind = 0x50414d42;  // "BMAP"
inline constexpr uint32_t kWriterPageKind = 0x45474150;   // "PAGE"

inline constexpr bool IsBlockAligned(uint64_t x) { return x % kBlockSize == 0; }
inline constexpr int64_t BlocksFor(int64_t bytes) { return (bytes + kBlockSize - 1) / kBlockSize; }

struct SealedFields {
  uint32_t kind = 0;
  uint32_t count = 0;
  uint64_t link = 0;
};

// SealedView is a validated sealed block; payload points into the bytes it was parsed from.
struct SealedView {
  SealedFields fields;
  absl::string_view payload;
};

// Seal returns the `size`-byte image of a sealed block at `address`. The caller guarantees
// payload.size() <= size - kSealedHeaderSize.
std::string Seal(VirtAddr address, const SealedFields& fields, absl::string_view payload,
                 int64_t size);

// Unseal validates `bytes`, the image found at `address`, as a sealed block of `kind`.
// DATA_LOSS names `what` and the address when the checksum, kind or length is wrong.
absl::StatusOr<SealedView> Unseal(absl::string_view bytes, VirtAddr address, uint32_t kind,
                                  absl::string_view what);

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_BLOCK_H_
