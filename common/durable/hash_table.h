// PageHashTable: a crash-consistent hash table in memory-element pages, with 4 KiB buckets,
// overflow chains, out-of-line values, and linear-hashing growth. All its pages are its own,
// so a whole table can be granted (or stolen) and opened by the receiver from its root.
//
//   DDC_CO_ASSIGN_OR_RETURN(PageHashTable table, co_await PageHashTable::Create(memory));
//   DDC_CO_RETURN_IF_ERROR(co_await table.Put("k", "v"));        // durable when OK
//   DDC_CO_ASSIGN_OR_RETURN(std::string v, co_await table.Get("k"));
//   DDC_CO_RETURN_IF_ERROR(co_await memory.Grant(table.Regions(), other));  // hand it over
//   // other: PageHashTable::Open(memory, root) and go on.
//
// Contract:
// - Keys are 0 to kMaxKeyBytes bytes, values 0 to kMaxValueBytes; anything else is
//   INVALID_ARGUMENT and changes nothing. Get/Delete of an absent key is NOT_FOUND.
// - Put and Delete return OK only when the update is durable. After a crash at any point, Open
//   sees every acknowledged update; an update in flight is either wholly applied or not at all;
//   nothing else (no garbage, no torn value, no resurrected key).
// - Scan returns every entry in a deterministic order (by bucket, then chain position): the same
//   sequence of operations on a table created with the same options gives the same order.
// - Regions() lists every page the table owns (from its root, no memory access); Open needs
//   only the root block, so a grantee can use the table at once.
// - An I/O error in the middle of an update leaves the table refusing further calls
//   (FAILED_PRECONDITION); re-Open it. One owner and one call at a time.
//
// Layout. The root block is a DurableCell holding the table's meta: hash seed, initial bucket
// count B0, linear-hashing level L and split pointer S, and the extents (root, bucket segments,
// block pools). There are B0 * 2^L + S live buckets; bucket i's primary block sits at a fixed
// address in segment i (segment 0 holds B0 buckets, segment j >= 1 holds B0 * 2^(j-1)). Overflow
// blocks and out-of-line value runs come from the pools (block_pool.h). Formats: bucket.h.
//
// Crash consistency: every update ends in exactly one atomic commit, a single aligned 4 KiB
// write-back; everything it makes reachable is durable before it is written to the cache.
// - Put/Delete: the new chain differs from the old one in blocks first..last. New images of
//   blocks first+1..last (and a new value run, and the bitmap blocks marking them allocated) go to
//   *fresh* blocks and are flushed; then block `first` is rewritten in place and flushed: that is
//   the commit. Usually first == last (the entry fits in its block) and the update is one write
//   and one flush. Old blocks and runs are freed only after the commit (block_pool.h).
// - A split of bucket S into S and M = S + B0 * 2^L writes M's chain (M's primary is not live
//   yet, its overflow blocks are fresh), flushes it, then commits by writing the meta (S + 1;
//   with a new segment if M needs one) to the root cell. Bucket S still holds copies of the
//   entries that moved; they are *stale*: lookups route by hash to M, Scan and later rewrites of
//   S skip entries whose hash does not map to the bucket they sit in, and a stale copy never
//   frees the value run it points to. S is rewritten without them right after the commit.
// - A crash may leak pool blocks: the fresh blocks of the update in flight (marked allocated,
//   unreferenced), and blocks freed since the bitmap block that marks them was last flushed
//   (frees are written without a flush). ReclaimLeakedBlocks gets them back. It may also leak an
//   extent allocated for growth but not yet recorded in the root (memory the process owns and
//   the table does not list). It never loses or corrupts a committed entry.
//
// Costs (page writes / flushes): Get = 1 read of the chain's blocks (+1 for an out-of-line
// value). Put or Delete whose entry fits its block: 1 block write + 1 flush. Put that needs a
// new overflow block or an out-of-line value: the fresh blocks + 1 bitmap block + the commit
// block, in 2 flushes (one per extent touched before the commit, then the commit). A split,
// after a Put that added an overflow block: M's blocks + the root cell + S's rewrite, 3-4 flushes.
// Open: 1 read. The first allocation after Open reads the pools' bitmaps.
#ifndef DDC_COMMON_DURABLE_HASH_TABLE_H_
#define DDC_COMMON_DURABLE_HASH_TABLE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "common/durable/block_pool.h"
#include "common/durable/bucket.h"
#include "common/durable/cell.h"
#include "platform/memory.h"

namespace ddc::durable {

struct PageHashTableOptions {
  int64_t initial_buckets = 8;  // B0, a power of two
  int64_t initial_pool_blocks = 16;
  uint64_t hash_seed = 0x9e3779b97f4a7c15ull;
};

// PageHashTableStats is what Verify found.
struct PageHashTableStats {
  int64_t buckets = 0;
  int64_t entries = 0;
  int64_t overflow_blocks = 0;
  int64_t longest_chain = 0;  // blocks, the primary included
  int64_t stale_entries = 0;  // copies left behind by splits
  int64_t value_blocks = 0;   // blocks of out-of-line values
  int64_t pool_blocks = 0;    // data blocks of the pools
  int64_t leaked_blocks = 0;  // allocated but unreachable (crashes leave a few)
};

struct TableEntry {
  std::string key;
  std::string value;
  bool operator==(const TableEntry&) const = default;
};

class PageHashTable {
 public:
  static constexpr int64_t kMaxKeyBytes = 1024;
  static constexpr int64_t kMaxValueBytes = int64_t{64} << 20;

  static asio::awaitable<absl::StatusOr<PageHashTable>> Create(Memory& memory,
                                                               PageHashTableOptions options = {});
  static asio::awaitable<absl::StatusOr<PageHashTable>> Open(Memory& memory, VirtAddr root);

  asio::awaitable<absl::StatusOr<std::string>> Get(absl::string_view key);
  asio::awaitable<absl::Status> Put(absl::string_view key, absl::string_view value);
  asio::awaitable<absl::Status> Delete(absl::string_view key);
  asio::awaitable<absl::StatusOr<std::vector<TableEntry>>> Scan();
  // Verify walks the whole table (a diagnostic, it reads every block): every chain block and
  // live value run must be allocated in the pool's bitmap and reachable once, every value must
  // match its checksum. DATA_LOSS otherwise.
  asio::awaitable<absl::StatusOr<PageHashTableStats>> Verify();
  // ReclaimLeakedBlocks walks the table as Verify does and frees the pool blocks that are
  // allocated but unreachable (what crashes leak, see below). Returns how many it freed.
  asio::awaitable<absl::StatusOr<int64_t>> ReclaimLeakedBlocks();

  VirtAddr root() const { return cell_.address(); }
  int64_t bucket_count() const;
  std::vector<Region> Regions() const;

 private:
  enum ExtentKind : uint32_t { kRootExtent = 1, kSegmentExtent = 2, kPoolExtent = 3 };
  struct Extent {
    VirtAddr base = 0;
    int64_t blocks = 0;
    uint32_t kind = 0;
  };
  struct Meta {
    uint64_t hash_seed = 0;
    int64_t initial_buckets = 0;
    int64_t level = 0;
    int64_t split = 0;
    std::vector<Extent> extents;
  };
  // PlannedBlock is one block of a chain as an update wants it.
  struct PlannedBlock {
    int old = -1;  // index in the chain as loaded; -1 for a new block
    bool modified = false;
    std::vector<BucketEntry> entries;
  };
  using Chain = std::vector<ChainBlock>;

  PageHashTable(Memory& memory, DurableCell cell, Meta meta);

  static std::string EncodeMeta(const Meta& meta);
  static absl::StatusOr<Meta> DecodeMeta(absl::string_view bytes, VirtAddr root);
  // SegmentOf places a bucket: segment 0 holds buckets [0, b0), segment j >= 1 holds
  // [b0 * 2^(j-1), b0 * 2^j). Returns (segment, offset in it).
  static std::pair<int64_t, int64_t> SegmentOf(int64_t bucket, int64_t b0);
  static int64_t SegmentBlocks(int64_t segment, int64_t b0);
  static int64_t BucketCount(const Meta& meta);
  static int64_t BucketOf(const Meta& meta, uint64_t hash);
  // BucketAddress is the primary block of `bucket` (0 when no segment holds it yet).
  static VirtAddr BucketAddress(const Meta& meta, int64_t bucket);

  absl::Status Usable() const;
  // Sticky records the first error of a write phase: the table refuses calls after it.
  absl::Status Sticky(absl::Status status);
  bool Live(const BucketEntry& entry, int64_t bucket) const;
  absl::Status CheckKey(absl::string_view key) const;

  asio::awaitable<absl::StatusOr<Chain>> LoadChain(int64_t bucket,
                                                   std::optional<std::string> primary);
  asio::awaitable<absl::StatusOr<std::string>> ReadValue(const BucketEntry& entry);
  asio::awaitable<absl::Status> WriteMeta(const Meta& meta);
  asio::awaitable<absl::Status> GrowPool(int64_t min_blocks);
  // Reserve allocates a run of `count` blocks, growing the pool when none fits.
  asio::awaitable<absl::StatusOr<VirtAddr>> Reserve(int64_t count);
  // FlushAll makes `regions` and the dirty bitmap blocks durable.
  asio::awaitable<absl::Status> FlushAll(std::vector<Region> regions);
  // CommitChain turns `chain` into `plan` (see the file comment); `prepared` are regions the
  // caller wrote that must be durable before the commit. Blocks to free are appended to `freed`.
  asio::awaitable<absl::Status> CommitChain(const Chain& chain, std::vector<PlannedBlock> plan,
                                            std::vector<Region> prepared,
                                            std::vector<VirtAddr>& freed);
  asio::awaitable<absl::Status> FreeAll(const std::vector<VirtAddr>& blocks,
                                        const std::optional<BucketEntry>& old_entry);
  asio::awaitable<absl::Status> Split();
  // Walk is Verify's traversal; it collects the pool blocks live structures use.
  asio::awaitable<absl::StatusOr<PageHashTableStats>> Walk(std::set<VirtAddr>& reached,
                                                           std::vector<VirtAddr>& leaked);
  asio::awaitable<absl::Status> PutImpl(absl::string_view key, absl::string_view value);

  Memory* memory_;
  DurableCell cell_;
  Meta meta_;
  BlockPool pool_;
  absl::Status broken_;
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_HASH_TABLE_H_
