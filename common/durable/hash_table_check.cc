// PageHashTable's consistency check and leak reclamation.
#include <algorithm>
#include <set>

#include "absl/strings/str_format.h"
#include "common/durable/hash_table.h"
#include "platform/status_macros.h"

namespace ddc::durable {

asio::awaitable<absl::StatusOr<PageHashTableStats>> PageHashTable::Verify() {
  DDC_CO_RETURN_IF_ERROR(Usable());
  std::set<VirtAddr> reached;
  std::vector<VirtAddr> leaked;
  co_return co_await Walk(reached, leaked);
}

asio::awaitable<absl::StatusOr<int64_t>> PageHashTable::ReclaimLeakedBlocks() {
  DDC_CO_RETURN_IF_ERROR(Usable());
  std::set<VirtAddr> reached;
  std::vector<VirtAddr> leaked;
  DDC_CO_RETURN_IF_ERROR((co_await Walk(reached, leaked)).status());
  std::vector<std::pair<VirtAddr, int64_t>> runs;
  for (VirtAddr block : leaked) runs.emplace_back(block, 1);
  DDC_CO_RETURN_IF_ERROR(Sticky(co_await pool_.Free(runs)));
  co_return static_cast<int64_t>(leaked.size());
}

asio::awaitable<absl::StatusOr<PageHashTableStats>> PageHashTable::Walk(
    std::set<VirtAddr>& reached, std::vector<VirtAddr>& leaked) {
  PageHashTableStats stats;
  stats.buckets = BucketCount(meta_);
  auto claim = [&](VirtAddr run, int64_t blocks,
                   absl::string_view what) -> asio::awaitable<absl::Status> {
    for (int64_t i = 0; i < blocks; ++i) {
      if (!reached.insert(run + static_cast<uint64_t>(i * kBlockSize)).second) {
        co_return absl::DataLossError(
            absl::StrFormat("hash table: %s at 0x%x is reachable twice", what, run));
      }
    }
    DDC_CO_ASSIGN_OR_RETURN(bool allocated, co_await pool_.Allocated(run, blocks));
    if (!allocated) {
      co_return absl::DataLossError(
          absl::StrFormat("hash table: %s at 0x%x is in use but marked free", what, run));
    }
    co_return absl::OkStatus();
  };
  for (int64_t bucket = 0; bucket < stats.buckets; ++bucket) {
    DDC_CO_ASSIGN_OR_RETURN(Chain chain, co_await LoadChain(bucket, std::nullopt));
    stats.longest_chain = std::max(stats.longest_chain, static_cast<int64_t>(chain.size()));
    for (size_t b = 0; b < chain.size(); ++b) {
      if (b > 0) {
        ++stats.overflow_blocks;
        DDC_CO_RETURN_IF_ERROR(co_await claim(chain[b].address, 1, "an overflow block"));
      }
      for (const BucketEntry& entry : chain[b].entries) {
        if (!Live(entry, bucket)) {
          ++stats.stale_entries;
          continue;
        }
        ++stats.entries;
        if (!entry.out_of_line) continue;
        stats.value_blocks += entry.RunBlocks();
        DDC_CO_RETURN_IF_ERROR(co_await claim(entry.value_run, entry.RunBlocks(), "a value run"));
        DDC_CO_RETURN_IF_ERROR((co_await ReadValue(entry)).status());
      }
    }
  }
  stats.pool_blocks = pool_.data_blocks();
  DDC_CO_ASSIGN_OR_RETURN(std::vector<VirtAddr> allocated, co_await pool_.AllocatedBlocks());
  for (VirtAddr block : allocated) {
    if (!reached.contains(block)) leaked.push_back(block);
  }
  stats.leaked_blocks = static_cast<int64_t>(leaked.size());
  co_return stats;
}

}  // namespace ddc::durable
