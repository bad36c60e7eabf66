// PageHashTable's layout: the meta in its root cell, and where each bucket lives.
#include <algorithm>
#include <bit>

#include "absl/strings/str_format.h"
#include "common/durable/coding.h"
#include "common/durable/hash_table.h"

namespace ddc::durable {
namespace {

constexpr uint32_t kTableMagic = 0x31544850;  // "PHT1"
constexpr uint32_t kTableVersion = 1;

}  // namespace

std::pair<int64_t, int64_t> PageHashTable::SegmentOf(int64_t bucket, int64_t b0) {
  if (bucket < b0) return {0, bucket};
  const int64_t j = std::bit_width(static_cast<uint64_t>(bucket / b0));
  return {j, bucket - (b0 << (j - 1))};
}

int64_t PageHashTable::SegmentBlocks(int64_t segment, int64_t b0) {
  return segment == 0 ? b0 : b0 << (segment - 1);
}

std::string PageHashTable::EncodeMeta(const Meta& meta) {
  std::string out;
  PutFixed32(out, kTableMagic);
  PutFixed32(out, kTableVersion);
  PutFixed64(out, meta.hash_seed);
  PutFixed32(out, static_cast<uint32_t>(meta.initial_buckets));
  PutFixed32(out, static_cast<uint32_t>(meta.level));
  PutFixed64(out, static_cast<uint64_t>(meta.split));
  PutFixed32(out, static_cast<uint32_t>(meta.extents.size()));
  for (const Extent& extent : meta.extents) {
    PutFixed64(out, extent.base);
    PutFixed64(out, static_cast<uint64_t>(extent.blocks));
    PutFixed32(out, extent.kind);
  }
  return out;
}

absl::StatusOr<PageHashTable::Meta> PageHashTable::DecodeMeta(absl::string_view bytes,
                                                              VirtAddr root) {
  ByteReader in(bytes);
  uint32_t magic = 0, version = 0, b0 = 0, level = 0, extents = 0;
  uint64_t split = 0;
  Meta meta;
  bool ok = in.ReadFixed(magic) && magic == kTableMagic && in.ReadFixed(version) &&
            version == kTableVersion && in.ReadFixed(meta.hash_seed) && in.ReadFixed(b0) &&
            in.ReadFixed(level) && in.ReadFixed(split) && in.ReadFixed(extents) &&
            std::has_single_bit(b0) && level < 40 && split < (uint64_t{b0} << level);
  for (uint32_t i = 0; ok && i < extents; ++i) {
    Extent extent;
    uint64_t blocks = 0;
    ok = in.ReadFixed(extent.base) && in.ReadFixed(blocks) && in.ReadFixed(extent.kind) &&
         blocks > 0 && blocks < (uint64_t{1} << 40) && IsBlockAligned(extent.base) &&
         extent.kind >= kRootExtent && extent.kind <= kPoolExtent;
    extent.blocks = static_cast<int64_t>(blocks);
    meta.extents.push_back(extent);
  }
  meta.initial_buckets = b0;
  meta.level = level;
  meta.split = static_cast<int64_t>(split);
  // The root first, and a segment of the right size for every live bucket.
  ok = ok && in.remaining() == 0 && !meta.extents.empty() && meta.extents[0].base == root &&
       meta.extents[0].blocks == 1 && meta.extents[0].kind == kRootExtent;
  int64_t segments = 0;
  for (const Extent& extent : meta.extents) {
    if (!ok || extent.kind != kSegmentExtent) continue;
    ok = extent.blocks == SegmentBlocks(segments++, b0);
  }
  ok = ok && SegmentOf(BucketCount(meta) - 1, b0).first < segments;
  if (!ok) {
    return absl::FailedPreconditionError(
        absl::StrFormat("hash table: the root cell at 0x%x does not describe a table", root));
  }
  return meta;
}

int64_t PageHashTable::BucketCount(const Meta& meta) {
  return (meta.initial_buckets << meta.level) + meta.split;
}

int64_t PageHashTable::BucketOf(const Meta& meta, uint64_t hash) {
  const uint64_t round = static_cast<uint64_t>(meta.initial_buckets << meta.level);
  uint64_t bucket = hash & (round - 1);
  if (bucket < static_cast<uint64_t>(meta.split)) bucket = hash & (2 * round - 1);
  return static_cast<int64_t>(bucket);
}

VirtAddr PageHashTable::BucketAddress(const Meta& meta, int64_t bucket) {
  const auto [segment, offset] = SegmentOf(bucket, meta.initial_buckets);
  int64_t seen = 0;
  for (const Extent& extent : meta.extents) {
    if (extent.kind != kSegmentExtent) continue;
    if (seen++ == segment) return extent.base + static_cast<uint64_t>(offset * kBlockSize);
  }
  return 0;
}

int64_t PageHashTable::bucket_count() const { return BucketCount(meta_); }

std::vector<Region> PageHashTable::Regions() const {
  std::vector<Region> regions;
  for (const Extent& extent : meta_.extents) {
    regions.push_back(Region{extent.base, extent.blocks * kBlockSize});
  }
  std::sort(regions.begin(), regions.end(),
            [](const Region& a, const Region& b) { return a.base < b.base; });
  std::vector<Region> merged;
  for (const Region& region : regions) {
    if (!merged.empty() && merged.back().end() == region.base) {
      merged.back().length += region.length;
    } else {
      merged.push_back(region);
    }
  }
  return merged;
}

}  // namespace ddc::durable
