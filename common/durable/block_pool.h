// BlockPool allocates 4 KiB blocks and runs of blocks for PageHashTable (hash_table.h) from pool
// extents, each of which starts with its own allocation bitmap.
//
//   pool extent:  bitmap blocks | data blocks
//   bitmap block: sealed (block.h), kind kBitmapBlockKind, count = data blocks it covers,
//                 link = the extent's base, payload = one bit per data block (1 = allocated)
//
// Durability rule (what the table relies on): the durable bitmap always marks at least every
// block that a durable structure references. So a caller
//   - Allocate()s, writes the new blocks, calls WriteDirty() and flushes the new blocks *and*
//     the regions WriteDirty returns, and only then commits a reference to them;
//   - Free()s a block only after the commit that dropped its last reference is durable.
// A crash in between leaks the blocks of the operation in flight (they stay marked); it never
// lets a referenced block be handed out twice.
//
// Bitmaps are read lazily, at the first allocation or free, so opening a table costs nothing
// here. Not durable by itself: the table records extents in its root.
#ifndef DDC_COMMON_DURABLE_BLOCK_POOL_H_
#define DDC_COMMON_DURABLE_BLOCK_POOL_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "common/durable/block.h"
#include "platform/memory.h"

namespace ddc::durable {

class BlockPool {
 public:
  explicit BlockPool(Memory& memory) : memory_(&memory) {}

  // BitmapBlocks is how many leading blocks of a pool extent of `blocks` blocks are bitmap.
  static int64_t BitmapBlocks(int64_t blocks);
  // EmptyBitmap is the image of those bitmap blocks for a new extent (all data blocks free).
  static std::string EmptyBitmap(VirtAddr base, int64_t blocks);

  // AddExtent adopts a pool extent; `known_empty` when its bitmap was just formatted empty.
  void AddExtent(VirtAddr base, int64_t blocks, bool known_empty);

  // Allocate reserves `count` contiguous data blocks of one extent, or nullopt if none fits.
  asio::awaitable<absl::StatusOr<std::optional<VirtAddr>>> Allocate(int64_t count);
  // Release undoes an Allocate whose blocks were never written or flushed.
  void Release(VirtAddr run, int64_t count);
  // Free releases runs (address, blocks) and writes their bitmap blocks (no flush: see the
  // durability rule).
  asio::awaitable<absl::Status> Free(const std::vector<std::pair<VirtAddr, int64_t>>& runs);
  // WriteDirty writes every bitmap block changed since it was last written and returns the
  // regions written, for the caller to flush.
  asio::awaitable<absl::StatusOr<std::vector<Region>>> WriteDirty();

  int64_t data_blocks() const;
  // Allocated reports whether every block of a run is marked allocated (loading the bitmaps).
  asio::awaitable<absl::StatusOr<bool>> Allocated(VirtAddr run, int64_t count);
  // AllocatedBlocks lists every block marked allocated (loading the bitmaps).
  asio::awaitable<absl::StatusOr<std::vector<VirtAddr>>> AllocatedBlocks();

 private:
  struct Extent {
    VirtAddr base;
    int64_t blocks;
    int64_t bitmap_blocks;
    bool loaded;
    std::vector<bool> used;  // per data block
    VirtAddr DataBase() const { return base + static_cast<uint64_t>(bitmap_blocks * kBlockSize); }
  };
  asio::awaitable<absl::Status> Load(Extent& extent);
  asio::awaitable<absl::Status> LoadAll();
  // Mark sets or clears the bits of a run and records the bitmap blocks as dirty.
  void Mark(VirtAddr run, int64_t count, bool used);
  Extent* ExtentOf(VirtAddr address);

  Memory* memory_;
  std::vector<Extent> extents_;
  std::set<std::pair<size_t, int64_t>> dirty_;  // (extent, bitmap block)
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_BLOCK_POOL_H_
