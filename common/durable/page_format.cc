#include "common/durable/page_format.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "common/durable/block.h"
#include "common/durable/coding.h"

namespace ddc::durable {
namespace {

constexpr uint32_t kProgressMagic = 0x47525057;  // "WPRG"

}  // namespace

PageList::PageList(std::vector<Region> regions, int64_t page_size) : page_size_(page_size) {
  for (const Region& region : regions) Add(region);
}

void PageList::Add(Region region) {
  regions_.push_back(region);
  pages_ += region.length / page_size_;
}

VirtAddr PageList::Address(int64_t index) const {
  for (const Region& region : regions_) {
    const int64_t in_region = region.length / page_size_;
    if (index < in_region) return region.base + static_cast<uint64_t>(index * page_size_);
    index -= in_region;
  }
  return 0;
}

int64_t PageList::Contiguous(int64_t index) const {
  for (const Region& region : regions_) {
    const int64_t in_region = region.length / page_size_;
    if (index < in_region) return in_region - index;
    index -= in_region;
  }
  return 0;
}

std::vector<Region> PageList::Prefix(int64_t count) const {
  std::vector<Region> out;
  for (const Region& region : regions_) {
    if (count <= 0) break;
    const int64_t take = std::min(count, region.length / page_size_);
    const Region piece{region.base, take * page_size_};
    if (!out.empty() && out.back().end() == piece.base) {
      out.back().length += piece.length;
    } else {
      out.push_back(piece);
    }
    count -= take;
  }
  return out;
}

std::vector<Region> PageWriterProgress::Pages(int64_t page_size) const {
  return PageList(extents, page_size).Prefix(pages);
}

std::string PageWriterProgress::Encode() const {
  std::string out;
  PutFixed32(out, kProgressMagic);
  PutFixed64(out, static_cast<uint64_t>(pages));
  PutFixed64(out, static_cast<uint64_t>(records));
  PutFixed64(out, static_cast<uint64_t>(bytes));
  PutFixed32(out, static_cast<uint32_t>(extents.size()));
  for (const Region& extent : extents) {
    PutFixed64(out, extent.base);
    PutFixed64(out, static_cast<uint64_t>(extent.length));
  }
  return out;
}

absl::StatusOr<PageWriterProgress> PageWriterProgress::Decode(absl::string_view bytes) {
  ByteReader in(bytes);
  uint32_t magic = 0, extents = 0;
  uint64_t pages = 0, records = 0, record_bytes = 0;
  bool ok = in.ReadFixed(magic) && magic == kProgressMagic && in.ReadFixed(pages) &&
            in.ReadFixed(records) && in.ReadFixed(record_bytes) && in.ReadFixed(extents) &&
            in.remaining() == extents * size_t{16};
  PageWriterProgress progress;
  for (uint32_t i = 0; ok && i < extents; ++i) {
    Region extent;
    uint64_t length = 0;
    ok = in.ReadFixed(extent.base) && in.ReadFixed(length);
    extent.length = static_cast<int64_t>(length);
    progress.extents.push_back(extent);
  }
  if (!ok) return absl::InvalidArgumentError("page writer progress: not an encoded progress");
  progress.pages = static_cast<int64_t>(pages);
  progress.records = static_cast<int64_t>(records);
  progress.bytes = static_cast<int64_t>(record_bytes);
  return progress;
}

absl::StatusOr<ParsedPage> ParsePage(absl::string_view image, VirtAddr address, int64_t index) {
  const std::string what = absl::StrFormat("writer page %d", index);
  absl::StatusOr<SealedView> page = Unseal(image, address, kWriterPageKind, what);
  if (!page.ok()) return page.status();
  if (page->fields.link != static_cast<uint64_t>(index)) {
    return absl::DataLossError(absl::StrFormat("%s at 0x%x holds page %d of its writer", what,
                                               address, page->fields.link));
  }
  ParsedPage parsed;
  ByteReader in(page->payload);
  for (uint32_t i = 0; i < page->fields.count; ++i) {
    uint32_t length = 0;
    absl::string_view record;
    if (!in.ReadFixed(length) || !in.ReadBytes(length, record)) {
      return absl::DataLossError(
          absl::StrFormat("%s at 0x%x: record %d runs past the page's payload", what, address, i));
    }
    parsed.records.push_back(record);
  }
  return parsed;
}

}  // namespace ddc::durable
