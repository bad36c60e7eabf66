// PageWriter: records appended into whole pages of memory-element memory, for outputs that are
// handed to another process by granting the pages (MapReduce's shuffle partitions).
//
//   PageWriter writer = *PageWriter::Create(memory);
//   DDC_CO_RETURN_IF_ERROR(co_await writer.Append(record));         // buffered locally
//   DDC_CO_ASSIGN_OR_RETURN(PageWriterProgress done, co_await writer.Flush());  // durable
//   // checkpoint done.Encode(), or Grant(writer.Regions(), reducer) and send `done` along.
//
// Contract:
// - Records are 0 to MaxRecordBytes() bytes (page size - 28); a larger one is INVALID_ARGUMENT
//   naming its size and the limit, and changes nothing. A record never straddles a page.
// - Append fills a local page; a full page is written to memory whole (no fetch, no flush).
// - Flush writes the partly filled page, flushes every page written since the last Flush, and
//   returns the progress (page_format.h): pages, records, bytes, and the writer's extents. OK
//   means every record appended so far is durable. Flush also *closes* the page: the next record
//   starts a new one, so frequent Flushes leave pages partly empty.
// - Resume(progress) continues a writer from a progress a Flush returned, in any process that
//   owns the pages (after a steal or a grant), from exactly that point: records a crashed writer
//   appended after that Flush are dropped, and the pages they were in are overwritten.
// - Regions() lists the pages holding the records of the last Flush (for Grant); pages the
//   writer allocated but did not fill stay with it.
// - An I/O error leaves the writer refusing further calls (FAILED_PRECONDITION); Resume from the
//   last progress instead.
//
// Crash consistency: every page is written once, as a whole, sealed (CRC-32C over its address,
// its index in the output, its record count and its records), and never written again while a
// progress lists it. So a page that a progress lists, flushed before that progress was returned,
// can never be torn by a later write, even where pages are larger than the 4 KiB the platform
// writes back atomically; a page past the progress may be torn or stale, and no reader of that
// progress looks at it (and a reader of a list of regions would report it as DATA_LOSS).
//
// Costs: one page write per filled page; Flush = one page write (the partial page) + one flush
// per run of contiguous pages written since the last Flush. Resume reads nothing. Extents are
// allocated as pages are needed, doubling from `initial_extent_pages` up to `max_extent_pages`.
#ifndef DDC_COMMON_DURABLE_PAGE_WRITER_H_
#define DDC_COMMON_DURABLE_PAGE_WRITER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "common/durable/page_format.h"
#include "platform/memory.h"

namespace ddc::durable {

struct PageWriterOptions {
  int64_t initial_extent_pages = 4;
  int64_t max_extent_pages = 1024;
};

class PageWriter {
 public:
  static absl::StatusOr<PageWriter> Create(Memory& memory, PageWriterOptions options = {});
  static asio::awaitable<absl::StatusOr<PageWriter>> Resume(Memory& memory,
                                                            PageWriterProgress progress,
                                                            PageWriterOptions options = {});

  int64_t MaxRecordBytes() const { return MaxPageRecordBytes(memory_->page_size()); }

  asio::awaitable<absl::Status> Append(absl::string_view record);
  asio::awaitable<absl::StatusOr<PageWriterProgress>> Flush();

  // Regions lists the pages of the last Flush's records, coalesced.
  std::vector<Region> Regions() const { return flushed_.Pages(memory_->page_size()); }
  const PageWriterProgress& flushed() const { return flushed_; }
  int64_t records() const { return records_; }

 private:
  PageWriter(Memory& memory, PageWriterOptions options)
      : memory_(&memory), options_(options), pages_({}, memory.page_size()) {}
  absl::Status Usable() const;
  // ClosePage seals the open page, writes it (allocating an extent when needed) and opens the
  // next one.
  asio::awaitable<absl::Status> ClosePage();
  asio::awaitable<absl::Status> EnsurePage(int64_t index);

  Memory* memory_;
  PageWriterOptions options_;
  PageList pages_;            // every page the writer allocated, in order
  int64_t page_index_ = 0;    // the open page; the pages before it are written
  std::string page_payload_;  // its framed records
  int64_t page_records_ = 0;
  int64_t first_unflushed_ = 0;  // pages from here on were written after the last Flush
  int64_t records_ = 0;
  int64_t bytes_ = 0;
  PageWriterProgress flushed_;
  absl::Status broken_;
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_PAGE_WRITER_H_
