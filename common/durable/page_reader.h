// PageReader reads back the records a PageWriter (page_writer.h) wrote, from a list of pages,
// verifying every page's seal: a torn, unflushed, foreign or misplaced page is DATA_LOSS naming
// the page, never silently used.
//
//   DDC_CO_ASSIGN_OR_RETURN(PageReader reader, PageReader::Create(memory, progress));
//   for (;;) {
//     DDC_CO_ASSIGN_OR_RETURN(std::optional<std::string> record, co_await reader.Next());
//     if (!record) break;
//     ...
//   }
//
// Created from a PageWriterProgress, the reader reads the progress's pages and reports DATA_LOSS
// unless they hold exactly progress.records records. Created from regions, it reads every record
// of every page, so every page must be a writer page. Pages are read in chunks of up to
// kReadAheadBytes (at least one page) per memory call.
#ifndef DDC_COMMON_DURABLE_PAGE_READER_H_
#define DDC_COMMON_DURABLE_PAGE_READER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "common/durable/page_format.h"
#include "platform/memory.h"

namespace ddc::durable {

class PageReader {
 public:
  static constexpr int64_t kReadAheadBytes = 256 * 1024;

  // Create reads every record of `pages` (page-aligned regions, in writer order).
  static absl::StatusOr<PageReader> Create(Memory& memory, std::vector<Region> pages);
  // Create reads exactly the records of a writer's progress.
  static absl::StatusOr<PageReader> Create(Memory& memory, const PageWriterProgress& progress);

  // Next returns the next record, or nullopt after the last one.
  asio::awaitable<absl::StatusOr<std::optional<std::string>>> Next();

 private:
  PageReader(Memory& memory, std::vector<Region> pages, int64_t expected_records)
      : memory_(&memory),
        pages_(std::move(pages), memory.page_size()),
        expected_records_(expected_records) {}
  // LoadPage makes page `next_page_` the current one, reading a chunk when needed.
  asio::awaitable<absl::Status> LoadPage();

  Memory* memory_;
  PageList pages_;
  int64_t expected_records_;  // -1: every record of every page
  int64_t returned_ = 0;
  int64_t next_page_ = 0;
  std::string chunk_;  // pages [chunk_first_, chunk_first_ + chunk_pages_)
  int64_t chunk_first_ = 0;
  int64_t chunk_pages_ = 0;
  ParsedPage current_;
  size_t next_record_ = 0;
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_PAGE_READER_H_
