#include "common/durable/hash_table.h"

#include <algorithm>
#include <bit>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "platform/status_macros.h"

namespace ddc::durable {
namespace {

constexpr size_t kMaxChainBlocks = 4096;  // a longer chain can only be a corrupt link
constexpr int64_t kMinPoolGrowthBlocks = 16;
constexpr int64_t kScanChunkBlocks = 64;

// Pack groups entries, in order, into as few chain blocks as they fit (at least one).
std::vector<std::vector<BucketEntry>> Pack(std::vector<BucketEntry> entries) {
  std::vector<std::vector<BucketEntry>> groups(1);
  int64_t used = 0;
  for (BucketEntry& entry : entries) {
    if (used + entry.EncodedSize() > kBucketPayloadBytes && !groups.back().empty()) {
      groups.emplace_back();
      used = 0;
    }
    used += entry.EncodedSize();
    groups.back().push_back(std::move(entry));
  }
  return groups;
}

Region BlockRegion(VirtAddr address) { return Region{address, kBlockSize}; }

}  // namespace

PageHashTable::PageHashTable(Memory& memory, DurableCell cell, Meta meta)
    : memory_(&memory), cell_(std::move(cell)), meta_(std::move(meta)), pool_(memory) {
  for (const Extent& extent : meta_.extents) {
    if (extent.kind == kPoolExtent) pool_.AddExtent(extent.base, extent.blocks, false);
  }
}

absl::Status PageHashTable::Usable() const {
  if (broken_.ok()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "hash table: refused after an I/O error in the middle of an update (re-open the table): ",
      broken_.message()));
}

absl::Status PageHashTable::Sticky(absl::Status status) {
  if (!status.ok() && broken_.ok()) broken_ = status;
  return status;
}

bool PageHashTable::Live(const BucketEntry& entry, int64_t bucket) const {
  return BucketOf(meta_, KeyHash(meta_.hash_seed, entry.key)) == bucket;
}

absl::Status PageHashTable::CheckKey(absl::string_view key) const {
  DDC_RETURN_IF_ERROR(Usable());
  if (static_cast<int64_t>(key.size()) > kMaxKeyBytes) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "hash table: key of %d bytes exceeds the limit of %d bytes", key.size(), kMaxKeyBytes));
  }
  return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<PageHashTable>> PageHashTable::Create(Memory& memory,
                                                                     PageHashTableOptions options) {
  const int64_t b0 = options.initial_buckets;
  if (b0 < 1 || b0 > (int64_t{1} << 20) || !std::has_single_bit(static_cast<uint64_t>(b0)) ||
      options.initial_pool_blocks < 2 || options.initial_pool_blocks > (int64_t{1} << 30)) {
    co_return absl::InvalidArgumentError(absl::StrFormat(
        "hash table: %d initial buckets (a power of two up to 2^20) and %d pool blocks (at least "
        "2) are not valid options",
        b0, options.initial_pool_blocks));
  }
  DDC_CO_ASSIGN_OR_RETURN(
      Region region, co_await memory.Allocate((1 + b0 + options.initial_pool_blocks) * kBlockSize));
  const int64_t blocks = region.length / kBlockSize;
  const VirtAddr segment = region.base + kBlockSize;
  const VirtAddr pool = segment + static_cast<uint64_t>(b0 * kBlockSize);
  Meta meta{options.hash_seed,
            b0,
            0,
            0,
            {Extent{region.base, 1, kRootExtent}, Extent{segment, b0, kSegmentExtent},
             Extent{pool, blocks - 1 - b0, kPoolExtent}}};
  // Empty buckets and an empty bitmap, durable before the root makes them a table.
  std::string image;
  for (int64_t i = 0; i < b0; ++i) {
    ChainBlock empty{segment + static_cast<uint64_t>(i * kBlockSize), 0, {}};
    image += EncodeChainBlock(empty);
  }
  image += BlockPool::EmptyBitmap(pool, blocks - 1 - b0);
  DDC_CO_RETURN_IF_ERROR(co_await memory.Write(segment, image));
  const Region formatted{segment, static_cast<int64_t>(image.size())};
  DDC_CO_RETURN_IF_ERROR(co_await memory.Flush(formatted));
  DDC_CO_ASSIGN_OR_RETURN(DurableCell cell, co_await DurableCell::Open(memory, region.base));
  PageHashTable table(memory, std::move(cell), meta);
  DDC_CO_RETURN_IF_ERROR(co_await table.WriteMeta(meta));
  co_return table;
}

asio::awaitable<absl::StatusOr<PageHashTable>> PageHashTable::Open(Memory& memory, VirtAddr root) {
  DDC_CO_ASSIGN_OR_RETURN(DurableCell cell,
                          co_await DurableCell::OpenWritten(memory, root, "hash table"));
  DDC_CO_ASSIGN_OR_RETURN(Meta meta, DecodeMeta(*cell.value(), root));
  co_return PageHashTable(memory, std::move(cell), std::move(meta));
}

asio::awaitable<absl::Status> PageHashTable::WriteMeta(const Meta& meta) {
  const std::string encoded = EncodeMeta(meta);
  if (static_cast<int64_t>(encoded.size()) > DurableCell::kMaxValueBytes) {
    co_return absl::ResourceExhaustedError(
        absl::StrFormat("hash table: the root cannot describe %d extents", meta.extents.size()));
  }
  DDC_CO_RETURN_IF_ERROR(Sticky(co_await cell_.Write(encoded)));
  meta_ = meta;
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<PageHashTable::Chain>> PageHashTable::LoadChain(
    int64_t bucket, std::optional<std::string> primary) {
  Chain chain;
  VirtAddr address = BucketAddress(meta_, bucket);
  std::string image;
  if (primary) {
    image = std::move(*primary);
  } else {
    DDC_CO_ASSIGN_OR_RETURN(image, co_await memory_->Read(address, kBlockSize));
  }
  for (;;) {
    DDC_CO_ASSIGN_OR_RETURN(ChainBlock block, DecodeChainBlock(image, address));
    address = block.next;
    chain.push_back(std::move(block));
    if (address == 0) break;
    if (chain.size() >= kMaxChainBlocks || !IsBlockAligned(address)) {
      co_return absl::DataLossError(
          absl::StrFormat("hash table: bucket %d's chain links to 0x%x", bucket, address));
    }
    DDC_CO_ASSIGN_OR_RETURN(image, co_await memory_->Read(address, kBlockSize));
  }
  co_return chain;
}

asio::awaitable<absl::StatusOr<std::string>> PageHashTable::ReadValue(const BucketEntry& entry) {
  if (!entry.out_of_line) co_return entry.value;
  DDC_CO_ASSIGN_OR_RETURN(std::string value,
                          co_await memory_->Read(entry.value_run, entry.value_size));
  if (ValueChecksum(entry.value_run, value) != entry.value_crc) {
    co_return absl::DataLossError(
        absl::StrFormat("hash table: the %d-byte value of a %d-byte key at 0x%x fails its checksum",
                        entry.value_size, entry.key.size(), entry.value_run));
  }
  co_return value;
}

asio::awaitable<absl::Status> PageHashTable::GrowPool(int64_t min_blocks) {
  const int64_t wanted = std::max({min_blocks + BlockPool::BitmapBlocks(min_blocks) + 1,
                                   pool_.data_blocks(), kMinPoolGrowthBlocks});
  Meta next = meta_;
  next.extents.push_back(Extent{0, wanted, kPoolExtent});
  if (static_cast<int64_t>(EncodeMeta(next).size()) > DurableCell::kMaxValueBytes) {
    co_return absl::ResourceExhaustedError(
        absl::StrFormat("hash table: the root cannot describe %d extents", next.extents.size()));
  }
  DDC_CO_ASSIGN_OR_RETURN(Region region, co_await memory_->Allocate(wanted * kBlockSize));
  const int64_t blocks = region.length / kBlockSize;
  next.extents.back() = Extent{region.base, blocks, kPoolExtent};
  const std::string bitmap = BlockPool::EmptyBitmap(region.base, blocks);
  DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Write(region.base, bitmap)));
  const Region written{region.base, static_cast<int64_t>(bitmap.size())};
  DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Flush(written)));
  DDC_CO_RETURN_IF_ERROR(co_await WriteMeta(next));
  pool_.AddExtent(region.base, blocks, /*known_empty=*/true);
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<VirtAddr>> PageHashTable::Reserve(int64_t count) {
  DDC_CO_ASSIGN_OR_RETURN(std::optional<VirtAddr> run, co_await pool_.Allocate(count));
  if (!run) {
    DDC_CO_RETURN_IF_ERROR(co_await GrowPool(count));
    DDC_CO_ASSIGN_OR_RETURN(run, co_await pool_.Allocate(count));
  }
  if (!run) {
    co_return absl::ResourceExhaustedError(
        absl::StrFormat("hash table: no run of %d free blocks after growing the pool", count));
  }
  co_return *run;
}

asio::awaitable<absl::Status> PageHashTable::FlushAll(std::vector<Region> regions) {
  absl::StatusOr<std::vector<Region>> bitmaps = co_await pool_.WriteDirty();
  DDC_CO_RETURN_IF_ERROR(Sticky(bitmaps.status()));
  regions.insert(regions.end(), bitmaps->begin(), bitmaps->end());
  std::sort(regions.begin(), regions.end(),
            [](const Region& a, const Region& b) { return a.base < b.base; });
  // One flush per extent: a span inside one extent is all the table's, dirty or not.
  auto extent_of = [&](const Region& region) -> int {
    for (size_t i = 0; i < meta_.extents.size(); ++i) {
      const Extent& e = meta_.extents[i];
      if (region.base >= e.base &&
          region.end() <= e.base + static_cast<uint64_t>(e.blocks * kBlockSize)) {
        return static_cast<int>(i);
      }
    }
    return -1;
  };
  std::vector<Region> spans;
  int last_extent = -1;
  for (const Region& region : regions) {
    const int extent = extent_of(region);
    if (!spans.empty() && extent >= 0 && extent == last_extent) {
      spans.back().length =
          static_cast<int64_t>(std::max(spans.back().end(), region.end()) - spans.back().base);
    } else {
      spans.push_back(region);
    }
    last_extent = extent;
  }
  for (const Region& span : spans) DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Flush(span)));
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> PageHashTable::CommitChain(const Chain& chain,
                                                         std::vector<PlannedBlock> plan,
                                                         std::vector<Region> prepared,
                                                         std::vector<VirtAddr>& freed) {
  const int n = static_cast<int>(chain.size());
  const int m = static_cast<int>(plan.size());
  constexpr int kEnd = -2;
  auto changed = [&](int i) {
    if (plan[i].old < 0 || plan[i].modified) return true;
    const int next_now = i + 1 < m ? plan[i + 1].old : kEnd;
    const int next_before = plan[i].old + 1 < n ? plan[i].old + 1 : kEnd;
    return next_now != next_before;
  };
  int first = -1, last = -1;
  for (int i = 0; i < m; ++i) {
    if (!changed(i)) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) co_return absl::OkStatus();
  // Block `first` is rewritten in place (the commit); first+1..last go to fresh blocks; the
  // rest keep their blocks and contents. (A new block always follows a changed one, so `first`
  // is an old block.)
  std::vector<VirtAddr> address(m);
  std::vector<VirtAddr> reserved;
  for (int i = 0; i < m; ++i) {
    if (i <= first || i > last) {
      address[i] = chain[plan[i].old].address;
      continue;
    }
    absl::StatusOr<VirtAddr> fresh = co_await Reserve(1);
    if (!fresh.ok()) {
      for (VirtAddr block : reserved) pool_.Release(block, 1);
      co_return fresh.status();
    }
    address[i] = *fresh;
    reserved.push_back(*fresh);
  }
  auto image = [&](int i) {
    const ChainBlock block{address[i], i + 1 < m ? address[i + 1] : 0, plan[i].entries};
    return EncodeChainBlock(block);
  };
  for (int i = first + 1; i <= last; ++i) {
    DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Write(address[i], image(i))));
    prepared.push_back(BlockRegion(address[i]));
  }
  DDC_CO_RETURN_IF_ERROR(co_await FlushAll(std::move(prepared)));
  DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Write(address[first], image(first))));
  const Region commit = BlockRegion(address[first]);
  DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Flush(commit)));
  std::vector<bool> kept(n, false);
  for (int i = 0; i < m; ++i) {
    if (i <= first || i > last) kept[plan[i].old] = true;
  }
  for (int k = 0; k < n; ++k) {
    if (!kept[k]) freed.push_back(chain[k].address);
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> PageHashTable::FreeAll(const std::vector<VirtAddr>& blocks,
                                                     const std::optional<BucketEntry>& old_entry) {
  std::vector<std::pair<VirtAddr, int64_t>> runs;
  for (VirtAddr block : blocks) runs.emplace_back(block, 1);
  if (old_entry && old_entry->out_of_line) {
    runs.emplace_back(old_entry->value_run, old_entry->RunBlocks());
  }
  co_return Sticky(co_await pool_.Free(runs));
}

asio::awaitable<absl::StatusOr<std::string>> PageHashTable::Get(absl::string_view key) {
  DDC_CO_RETURN_IF_ERROR(CheckKey(key));
  const int64_t bucket = BucketOf(meta_, KeyHash(meta_.hash_seed, key));
  DDC_CO_ASSIGN_OR_RETURN(Chain chain, co_await LoadChain(bucket, std::nullopt));
  for (const ChainBlock& block : chain) {
    for (const BucketEntry& entry : block.entries) {
      if (entry.key == key) co_return co_await ReadValue(entry);
    }
  }
  co_return absl::NotFoundError(
      absl::StrFormat("hash table: no entry for a %d-byte key", key.size()));
}

asio::awaitable<absl::StatusOr<std::vector<TableEntry>>> PageHashTable::Scan() {
  DDC_CO_RETURN_IF_ERROR(Usable());
  std::vector<TableEntry> entries;
  const int64_t buckets = BucketCount(meta_);
  for (int64_t bucket = 0; bucket < buckets;) {
    // Primary blocks are read a chunk of a segment at a time.
    const auto [segment, offset] = SegmentOf(bucket, meta_.initial_buckets);
    const int64_t count =
        std::min({kScanChunkBlocks, SegmentBlocks(segment, meta_.initial_buckets) - offset,
                  buckets - bucket});
    DDC_CO_ASSIGN_OR_RETURN(
        std::string primaries,
        co_await memory_->Read(BucketAddress(meta_, bucket), count * kBlockSize));
    for (int64_t i = 0; i < count; ++i, ++bucket) {
      std::optional<std::string> primary = primaries.substr(i * kBlockSize, kBlockSize);
      DDC_CO_ASSIGN_OR_RETURN(Chain chain, co_await LoadChain(bucket, std::move(primary)));
      for (const ChainBlock& block : chain) {
        for (const BucketEntry& entry : block.entries) {
          if (!Live(entry, bucket)) continue;
          DDC_CO_ASSIGN_OR_RETURN(std::string value, co_await ReadValue(entry));
          entries.push_back(TableEntry{entry.key, std::move(value)});
        }
      }
    }
  }
  co_return entries;
}

asio::awaitable<absl::Status> PageHashTable::Put(absl::string_view key, absl::string_view value) {
  DDC_CO_RETURN_IF_ERROR(CheckKey(key));
  if (static_cast<int64_t>(value.size()) > kMaxValueBytes) {
    co_return absl::InvalidArgumentError(
        absl::StrFormat("hash table: value of %d bytes exceeds the limit of %d bytes", value.size(),
                        kMaxValueBytes));
  }
  co_return co_await PutImpl(key, value);
}

asio::awaitable<absl::Status> PageHashTable::PutImpl(absl::string_view key,
                                                     absl::string_view value) {
  const int64_t bucket = BucketOf(meta_, KeyHash(meta_.hash_seed, key));
  DDC_CO_ASSIGN_OR_RETURN(Chain chain, co_await LoadChain(bucket, std::nullopt));
  BucketEntry entry;
  entry.key = std::string(key);
  entry.value_size = static_cast<uint32_t>(value.size());
  std::vector<Region> prepared;
  std::optional<Region> run;
  if (InlineEntrySize(static_cast<int64_t>(key.size()), static_cast<int64_t>(value.size())) <=
      kMaxInlineEntryBytes) {
    entry.value = std::string(value);
  } else {
    // The value goes to a run of fresh blocks, written now and flushed before the commit.
    entry.out_of_line = true;
    DDC_CO_ASSIGN_OR_RETURN(entry.value_run, co_await Reserve(entry.RunBlocks()));
    entry.value_crc = ValueChecksum(entry.value_run, value);
    std::string image(value);
    image.resize(static_cast<size_t>(entry.RunBlocks() * kBlockSize), '\0');
    run = Region{entry.value_run, static_cast<int64_t>(image.size())};
    DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Write(run->base, image)));
    prepared.push_back(*run);
  }
  std::vector<PlannedBlock> plan;
  for (int i = 0; i < static_cast<int>(chain.size()); ++i) {
    plan.push_back(PlannedBlock{i, false, chain[i].entries});
  }
  // Stale entries (left by a split) go whenever their block is rewritten anyway.
  auto live_size = [&](const PlannedBlock& block) {
    int64_t size = 0;
    for (const BucketEntry& e : block.entries) size += Live(e, bucket) ? e.EncodedSize() : 0;
    return size;
  };
  auto rewrite = [&](PlannedBlock& block) {
    block.modified = true;
    std::erase_if(block.entries, [&](const BucketEntry& e) { return !Live(e, bucket); });
  };
  auto fits = [&](const PlannedBlock& block) {
    return live_size(block) + entry.EncodedSize() <= kBucketPayloadBytes;
  };
  std::optional<BucketEntry> old;
  int target = -1;
  for (PlannedBlock& block : plan) {
    auto it = std::find_if(block.entries.begin(), block.entries.end(),
                           [&](const BucketEntry& e) { return e.key == key; });
    if (it == block.entries.end()) continue;
    old = std::move(*it);
    block.entries.erase(it);
    rewrite(block);
    if (fits(block)) target = block.old;
    break;
  }
  for (int i = 0; target < 0 && i < static_cast<int>(plan.size()); ++i) {
    if (fits(plan[i])) target = i;
  }
  const bool grew = target < 0;
  if (grew) {
    plan.push_back(PlannedBlock{-1, true, {}});
    target = static_cast<int>(plan.size()) - 1;
  }
  rewrite(plan[target]);
  plan[target].entries.push_back(std::move(entry));
  std::vector<VirtAddr> freed;
  absl::Status committed = co_await CommitChain(chain, std::move(plan), std::move(prepared), freed);
  if (!committed.ok()) {
    if (run && broken_.ok()) pool_.Release(run->base, run->length / kBlockSize);
    co_return committed;
  }
  DDC_CO_RETURN_IF_ERROR(co_await FreeAll(freed, old));
  if (grew) {
    // The chain got longer: split the next bucket (linear hashing). The Put is already durable;
    // a split that finds no memory is skipped, the table just keeps a longer chain.
    absl::Status split = co_await Split();
    if (!split.ok() && !absl::IsResourceExhausted(split)) co_return split;
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> PageHashTable::Delete(absl::string_view key) {
  DDC_CO_RETURN_IF_ERROR(CheckKey(key));
  const int64_t bucket = BucketOf(meta_, KeyHash(meta_.hash_seed, key));
  DDC_CO_ASSIGN_OR_RETURN(Chain chain, co_await LoadChain(bucket, std::nullopt));
  std::vector<PlannedBlock> plan;
  std::optional<BucketEntry> old;
  for (int i = 0; i < static_cast<int>(chain.size()); ++i) {
    plan.push_back(PlannedBlock{i, false, chain[i].entries});
    if (old) continue;
    std::vector<BucketEntry>& entries = plan.back().entries;
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const BucketEntry& e) { return e.key == key; });
    if (it == entries.end()) continue;
    old = std::move(*it);
    entries.erase(it);
    std::erase_if(entries, [&](const BucketEntry& e) { return !Live(e, bucket); });
    plan.back().modified = true;
    // An emptied overflow block leaves the chain: its predecessor's link is the commit.
    if (i > 0 && entries.empty()) plan.pop_back();
  }
  if (!old) {
    co_return absl::NotFoundError(
        absl::StrFormat("hash table: no entry for a %d-byte key", key.size()));
  }
  std::vector<VirtAddr> freed;
  std::vector<Region> nothing_prepared;  // named: no braced temporaries in co_await (GCC 12)
  DDC_CO_RETURN_IF_ERROR(co_await CommitChain(chain, std::move(plan), nothing_prepared, freed));
  co_return co_await FreeAll(freed, old);
}

asio::awaitable<absl::Status> PageHashTable::Split() {
  const int64_t round = meta_.initial_buckets << meta_.level;
  const int64_t from = meta_.split;
  const int64_t to = from + round;
  // The segment for bucket `to`, if no segment holds it yet (with a pool for any spare blocks of
  // the allocation): recorded in the root by the same write that commits the split.
  std::vector<Extent> pending;
  std::vector<Region> prepared;
  if (BucketAddress(meta_, to) == 0) {
    const int64_t blocks =
        SegmentBlocks(SegmentOf(to, meta_.initial_buckets).first, meta_.initial_buckets);
    DDC_CO_ASSIGN_OR_RETURN(Region region, co_await memory_->Allocate(blocks * kBlockSize));
    pending.push_back(Extent{region.base, blocks, kSegmentExtent});
    const int64_t spare = region.length / kBlockSize - blocks;
    if (spare >= 2) {
      const VirtAddr pool = region.base + static_cast<uint64_t>(blocks * kBlockSize);
      pending.push_back(Extent{pool, spare, kPoolExtent});
      const std::string bitmap = BlockPool::EmptyBitmap(pool, spare);
      DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Write(pool, bitmap)));
      prepared.push_back(Region{pool, static_cast<int64_t>(bitmap.size())});
    }
  }
  auto with_split = [&](Meta meta) {
    meta.extents.insert(meta.extents.end(), pending.begin(), pending.end());
    if (++meta.split == round) {
      ++meta.level;
      meta.split = 0;
    }
    return meta;
  };
  const Meta after = with_split(meta_);
  DDC_CO_ASSIGN_OR_RETURN(Chain chain, co_await LoadChain(from, std::nullopt));
  std::vector<BucketEntry> moved, stay;
  bool stale = false;
  for (const ChainBlock& block : chain) {
    for (const BucketEntry& entry : block.entries) {
      if (!Live(entry, from)) {
        stale = true;
      } else if (BucketOf(after, KeyHash(meta_.hash_seed, entry.key)) == to) {
        moved.push_back(entry);
      } else {
        stay.push_back(entry);
      }
    }
  }
  // Bucket `to`'s chain: its primary is not live until the commit, its overflow blocks fresh.
  const std::vector<std::vector<BucketEntry>> groups = Pack(std::move(moved));
  std::vector<VirtAddr> address{BucketAddress(after, to)};
  for (size_t g = 1; g < groups.size(); ++g) {
    absl::StatusOr<VirtAddr> fresh = co_await Reserve(1);
    if (!fresh.ok()) {
      for (size_t k = 1; k < address.size(); ++k) pool_.Release(address[k], 1);
      co_return fresh.status();
    }
    address.push_back(*fresh);
  }
  for (size_t g = 0; g < groups.size(); ++g) {
    const ChainBlock block{address[g], g + 1 < groups.size() ? address[g + 1] : 0, groups[g]};
    DDC_CO_RETURN_IF_ERROR(Sticky(co_await memory_->Write(address[g], EncodeChainBlock(block))));
    prepared.push_back(BlockRegion(address[g]));
  }
  DDC_CO_RETURN_IF_ERROR(co_await FlushAll(std::move(prepared)));
  // The commit. (Re-derived from the current meta: Reserve may have grown the pool meanwhile.)
  DDC_CO_RETURN_IF_ERROR(co_await WriteMeta(with_split(meta_)));
  for (const Extent& extent : pending) {
    if (extent.kind == kPoolExtent) pool_.AddExtent(extent.base, extent.blocks, true);
  }
  if (groups.front().empty() && groups.size() == 1 && !stale) co_return absl::OkStatus();
  // Bucket `from` without the entries that moved (and any stale ones).
  std::vector<std::vector<BucketEntry>> kept = Pack(std::move(stay));
  std::vector<PlannedBlock> plan;
  for (size_t g = 0; g < kept.size(); ++g) {
    const int old = g < chain.size() ? static_cast<int>(g) : -1;
    plan.push_back(PlannedBlock{old, true, std::move(kept[g])});
  }
  std::vector<VirtAddr> freed;
  std::vector<Region> nothing_prepared;  // named: no braced temporaries in co_await (GCC 12)
  DDC_CO_RETURN_IF_ERROR(co_await CommitChain(chain, std::move(plan), nothing_prepared, freed));
  co_return co_await FreeAll(freed, std::nullopt);
}

}  // namespace ddc::durable
