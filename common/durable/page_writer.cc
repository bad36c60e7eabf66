#include "common/durable/page_writer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/durable/block.h"
#include "common/durable/coding.h"
#include "platform/status_macros.h"

namespace ddc::durable {
namespace {

absl::Status CheckPageAligned(const std::vector<Region>& regions, int64_t page_size,
                              absl::string_view what) {
  for (const Region& region : regions) {
    if (region.length <= 0 || region.base % static_cast<uint64_t>(page_size) != 0 ||
        region.length % page_size != 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: region [0x%x, +%d) is not a run of whole %d-byte pages", what,
                          region.base, region.length, page_size));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProgress(const PageWriterProgress& p, int64_t page_size) {
  DDC_RETURN_IF_ERROR(CheckPageAligned(p.extents, page_size, "page writer progress"));
  const int64_t allocated = PageList(p.extents, page_size).size();
  // Every page holds at least one record.
  const bool consistent = p.pages >= 0 && p.pages <= allocated && p.bytes >= 0 &&
                          p.records >= p.pages && (p.pages == 0) == (p.records == 0);
  if (!consistent) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "page writer progress: %d pages, %d records, %d bytes in %d allocated pages is "
        "inconsistent",
        p.pages, p.records, p.bytes, allocated));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PageWriter> PageWriter::Create(Memory& memory, PageWriterOptions options) {
  if (options.initial_extent_pages < 1 || options.max_extent_pages < options.initial_extent_pages) {
    return absl::InvalidArgumentError(
        absl::StrFormat("page writer: extents of %d pages growing to %d pages are not a valid size",
                        options.initial_extent_pages, options.max_extent_pages));
  }
  return PageWriter(memory, options);
}

asio::awaitable<absl::StatusOr<PageWriter>> PageWriter::Resume(Memory& memory,
                                                               PageWriterProgress progress,
                                                               PageWriterOptions options) {
  DDC_CO_ASSIGN_OR_RETURN(PageWriter writer, Create(memory, options));
  DDC_CO_RETURN_IF_ERROR(CheckProgress(progress, memory.page_size()));
  // The progress's pages are closed: go on in the next one.
  writer.pages_ = PageList(progress.extents, memory.page_size());
  writer.page_index_ = progress.pages;
  writer.first_unflushed_ = progress.pages;
  writer.records_ = progress.records;
  writer.bytes_ = progress.bytes;
  writer.flushed_ = std::move(progress);
  co_return writer;
}

absl::Status PageWriter::Usable() const {
  if (broken_.ok()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "page writer: refused after an earlier I/O error (resume from the last progress): ",
      broken_.message()));
}

asio::awaitable<absl::Status> PageWriter::Append(absl::string_view record) {
  DDC_CO_RETURN_IF_ERROR(Usable());
  const int64_t size = static_cast<int64_t>(record.size());
  if (size > MaxRecordBytes()) {
    co_return absl::InvalidArgumentError(absl::StrFormat(
        "page writer: record of %d bytes exceeds the limit of %d bytes (a %d-byte page minus its "
        "%d-byte header and the %d-byte record length)",
        size, MaxRecordBytes(), memory_->page_size(), kSealedHeaderSize, kRecordFrameBytes));
  }
  const int64_t payload_limit = memory_->page_size() - kSealedHeaderSize;
  if (static_cast<int64_t>(page_payload_.size()) + kRecordFrameBytes + size > payload_limit) {
    // The open page is full (and not empty, since any record fits an empty page).
    absl::Status closed = co_await ClosePage();
    if (!closed.ok()) {
      broken_ = closed;
      co_return closed;
    }
  }
  PutFixed32(page_payload_, static_cast<uint32_t>(size));
  page_payload_.append(record.data(), record.size());
  ++page_records_;
  ++records_;
  bytes_ += size;
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> PageWriter::EnsurePage(int64_t index) {
  while (pages_.size() <= index) {
    const int64_t grown = options_.initial_extent_pages
                          << std::min<int64_t>(static_cast<int64_t>(pages_.regions().size()), 20);
    const int64_t extent_pages = std::min(grown, options_.max_extent_pages);
    DDC_CO_ASSIGN_OR_RETURN(Region extent,
                            co_await memory_->Allocate(extent_pages * memory_->page_size()));
    pages_.Add(extent);
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> PageWriter::ClosePage() {
  DDC_CO_RETURN_IF_ERROR(co_await EnsurePage(page_index_));
  const VirtAddr address = pages_.Address(page_index_);
  const SealedFields fields{kWriterPageKind, static_cast<uint32_t>(page_records_),
                            static_cast<uint64_t>(page_index_)};
  const std::string image = Seal(address, fields, page_payload_, memory_->page_size());
  DDC_CO_RETURN_IF_ERROR(co_await memory_->Write(address, image));
  ++page_index_;
  page_payload_.clear();
  page_records_ = 0;
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<PageWriterProgress>> PageWriter::Flush() {
  DDC_CO_RETURN_IF_ERROR(Usable());
  absl::Status status = absl::OkStatus();
  if (page_records_ > 0) status = co_await ClosePage();
  // Every page written since the last Flush, one flush per run of contiguous pages.
  for (int64_t i = first_unflushed_; status.ok() && i < page_index_;) {
    const int64_t run = std::min(pages_.Contiguous(i), page_index_ - i);
    const Region pages{pages_.Address(i), run * memory_->page_size()};
    status = co_await memory_->Flush(pages);
    i += run;
  }
  if (!status.ok()) {
    broken_ = status;
    co_return status;
  }
  first_unflushed_ = page_index_;
  flushed_ = PageWriterProgress{page_index_, records_, bytes_, pages_.regions()};
  co_return flushed_;
}

}  // namespace ddc::durable
