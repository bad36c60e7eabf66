#include "common/durable/block_pool.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "common/durable/block.h"
#include "platform/status_macros.h"

namespace ddc::durable {
namespace {

constexpr int64_t kBitsPerBitmapBlock = (kBlockSize - kSealedHeaderSize) * 8;

std::string BitmapImage(VirtAddr address, VirtAddr extent_base, const std::vector<bool>& used,
                        int64_t first_bit) {
  const int64_t bits =
      std::min<int64_t>(kBitsPerBitmapBlock, static_cast<int64_t>(used.size()) - first_bit);
  std::string payload(static_cast<size_t>((bits + 7) / 8), '\0');
  for (int64_t i = 0; i < bits; ++i) {
    if (used[first_bit + i]) payload[i / 8] |= static_cast<char>(1 << (i % 8));
  }
  const SealedFields fields{kBitmapBlockKind, static_cast<uint32_t>(bits), extent_base};
  return Seal(address, fields, payload, kBlockSize);
}

}  // namespace

int64_t BlockPool::BitmapBlocks(int64_t blocks) {
  return (blocks + kBitsPerBitmapBlock) / (kBitsPerBitmapBlock + 1);
}

std::string BlockPool::EmptyBitmap(VirtAddr base, int64_t blocks) {
  const int64_t bitmap_blocks = BitmapBlocks(blocks);
  const std::vector<bool> used(static_cast<size_t>(blocks - bitmap_blocks), false);
  std::string image;
  for (int64_t b = 0; b < bitmap_blocks; ++b) {
    image += BitmapImage(base + static_cast<uint64_t>(b * kBlockSize), base, used,
                         b * kBitsPerBitmapBlock);
  }
  return image;
}

void BlockPool::AddExtent(VirtAddr base, int64_t blocks, bool known_empty) {
  const int64_t bitmap_blocks = BitmapBlocks(blocks);
  extents_.push_back(Extent{base, blocks, bitmap_blocks, known_empty,
                            std::vector<bool>(static_cast<size_t>(blocks - bitmap_blocks))});
}

int64_t BlockPool::data_blocks() const {
  int64_t total = 0;
  for (const Extent& e : extents_) total += e.blocks - e.bitmap_blocks;
  return total;
}

asio::awaitable<absl::Status> BlockPool::Load(Extent& extent) {
  DDC_CO_ASSIGN_OR_RETURN(std::string image,
                          co_await memory_->Read(extent.base, extent.bitmap_blocks * kBlockSize));
  const int64_t data = extent.blocks - extent.bitmap_blocks;
  for (int64_t b = 0; b < extent.bitmap_blocks; ++b) {
    const VirtAddr address = extent.base + static_cast<uint64_t>(b * kBlockSize);
    DDC_CO_ASSIGN_OR_RETURN(SealedView view,
                            Unseal(absl::string_view(image).substr(b * kBlockSize, kBlockSize),
                                   address, kBitmapBlockKind, "hash table bitmap block"));
    const int64_t first = b * kBitsPerBitmapBlock;
    const int64_t bits = std::min(kBitsPerBitmapBlock, data - first);
    if (view.fields.count != bits || view.fields.link != extent.base ||
        static_cast<int64_t>(view.payload.size()) != (bits + 7) / 8) {
      co_return absl::DataLossError(
          absl::StrFormat("hash table bitmap block at 0x%x does not match its extent", address));
    }
    for (int64_t i = 0; i < bits; ++i) {
      extent.used[first + i] = (view.payload[i / 8] >> (i % 8)) & 1;
    }
  }
  extent.loaded = true;
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> BlockPool::LoadAll() {
  for (Extent& extent : extents_) {
    if (!extent.loaded) DDC_CO_RETURN_IF_ERROR(co_await Load(extent));
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::optional<VirtAddr>>> BlockPool::Allocate(int64_t count) {
  DDC_CO_RETURN_IF_ERROR(co_await LoadAll());
  for (const Extent& extent : extents_) {
    // First fit.
    int64_t run = 0;
    for (int64_t i = 0; i < static_cast<int64_t>(extent.used.size()); ++i) {
      run = extent.used[i] ? 0 : run + 1;
      if (run == count) {
        const VirtAddr address =
            extent.DataBase() + static_cast<uint64_t>((i - count + 1) * kBlockSize);
        Mark(address, count, true);
        co_return address;
      }
    }
  }
  co_return std::nullopt;
}

asio::awaitable<absl::StatusOr<bool>> BlockPool::Allocated(VirtAddr run, int64_t count) {
  DDC_CO_RETURN_IF_ERROR(co_await LoadAll());
  const Extent* extent = ExtentOf(run);
  if (extent == nullptr) co_return false;
  const int64_t first = static_cast<int64_t>((run - extent->DataBase()) / kBlockSize);
  if (first + count > static_cast<int64_t>(extent->used.size())) co_return false;
  for (int64_t i = first; i < first + count; ++i) {
    if (!extent->used[i]) co_return false;
  }
  co_return true;
}

asio::awaitable<absl::StatusOr<std::vector<VirtAddr>>> BlockPool::AllocatedBlocks() {
  DDC_CO_RETURN_IF_ERROR(co_await LoadAll());
  std::vector<VirtAddr> blocks;
  for (const Extent& extent : extents_) {
    for (size_t i = 0; i < extent.used.size(); ++i) {
      if (extent.used[i]) blocks.push_back(extent.DataBase() + i * kBlockSize);
    }
  }
  co_return blocks;
}

BlockPool::Extent* BlockPool::ExtentOf(VirtAddr address) {
  for (Extent& extent : extents_) {
    if (address >= extent.DataBase() &&
        address < extent.base + static_cast<uint64_t>(extent.blocks * kBlockSize)) {
      return &extent;
    }
  }
  return nullptr;
}

void BlockPool::Mark(VirtAddr run, int64_t count, bool used) {
  Extent* extent = ExtentOf(run);
  if (extent == nullptr) return;
  const size_t index = static_cast<size_t>(extent - extents_.data());
  const int64_t first = static_cast<int64_t>((run - extent->DataBase()) / kBlockSize);
  for (int64_t i = first; i < first + count && i < static_cast<int64_t>(extent->used.size()); ++i) {
    extent->used[i] = used;
    dirty_.insert({index, i / kBitsPerBitmapBlock});
  }
}

void BlockPool::Release(VirtAddr run, int64_t count) { Mark(run, count, false); }

asio::awaitable<absl::Status> BlockPool::Free(
    const std::vector<std::pair<VirtAddr, int64_t>>& runs) {
  if (runs.empty()) co_return absl::OkStatus();
  DDC_CO_RETURN_IF_ERROR(co_await LoadAll());
  for (const auto& [run, count] : runs) Mark(run, count, false);
  DDC_CO_RETURN_IF_ERROR((co_await WriteDirty()).status());
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::vector<Region>>> BlockPool::WriteDirty() {
  std::vector<Region> written;
  for (const auto& [index, block] : dirty_) {
    const Extent& extent = extents_[index];
    const VirtAddr address = extent.base + static_cast<uint64_t>(block * kBlockSize);
    const std::string image =
        BitmapImage(address, extent.base, extent.used, block * kBitsPerBitmapBlock);
    DDC_CO_RETURN_IF_ERROR(co_await memory_->Write(address, image));
    written.push_back(Region{address, kBlockSize});
  }
  dirty_.clear();
  co_return written;
}

}  // namespace ddc::durable
