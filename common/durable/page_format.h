// The page format shared by PageWriter and PageReader (page_writer.h, page_reader.h), and the
// progress a writer reports.
//
// A writer page is one memory page, sealed (block.h) with kind kWriterPageKind, count = records
// in the page, link = the page's index in the writer's output (so pages read out of order or
// from the wrong place fail), and a payload of records, each
//     length u32 | bytes[length]
// A record never straddles a page.
#ifndef DDC_COMMON_DURABLE_PAGE_FORMAT_H_
#define DDC_COMMON_DURABLE_PAGE_FORMAT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/durable/block.h"
#include "platform/memory.h"

namespace ddc::durable {

inline constexpr int64_t kRecordFrameBytes = 4;

// MaxPageRecordBytes is the largest record a page of `page_size` bytes holds.
inline constexpr int64_t MaxPageRecordBytes(int64_t page_size) {
  return page_size - kSealedHeaderSize - kRecordFrameBytes;
}

// PageList numbers the pages of a list of page-aligned regions, in order.
class PageList {
 public:
  PageList(std::vector<Region> regions, int64_t page_size);

  int64_t size() const { return pages_; }
  // Address of page `index` (< size()).
  VirtAddr Address(int64_t index) const;
  // Contiguous is how many pages from `index` on lie in the same region.
  int64_t Contiguous(int64_t index) const;
  // Prefix lists the first `count` pages as coalesced regions.
  std::vector<Region> Prefix(int64_t count) const;
  void Add(Region region);
  const std::vector<Region>& regions() const { return regions_; }

 private:
  std::vector<Region> regions_;
  int64_t page_size_;
  int64_t pages_ = 0;
};

// PageWriterProgress is what a PageWriter::Flush made durable: enough for a PageReader to read
// exactly those records, and for PageWriter::Resume to continue from exactly that point.
struct PageWriterProgress {
  int64_t pages = 0;            // pages holding records
  int64_t records = 0;          // records in those pages
  int64_t bytes = 0;            // record bytes (without framing)
  std::vector<Region> extents;  // the writer's allocations, in page order (may hold more pages)

  // Pages lists the `pages` pages holding records, coalesced: what to Grant or to read.
  std::vector<Region> Pages(int64_t page_size) const;

  // Encode / Decode serialize the progress for a checkpoint (e.g. in a DurableCell).
  std::string Encode() const;
  static absl::StatusOr<PageWriterProgress> Decode(absl::string_view bytes);
  bool operator==(const PageWriterProgress&) const = default;
};

// ParsedPage is a validated writer page's records (views into the page bytes).
struct ParsedPage {
  std::vector<absl::string_view> records;
};

// ParsePage validates the page image found at `address` as page `index` of a writer's output.
// DATA_LOSS names the page when it is torn, unflushed, foreign or out of place.
absl::StatusOr<ParsedPage> ParsePage(absl::string_view image, VirtAddr address, int64_t index);

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_PAGE_FORMAT_H_
