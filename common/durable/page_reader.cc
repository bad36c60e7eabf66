#include "common/durable/page_reader.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "platform/status_macros.h"

namespace ddc::durable {

absl::StatusOr<PageReader> PageReader::Create(Memory& memory, std::vector<Region> pages) {
  const uint64_t page_size = static_cast<uint64_t>(memory.page_size());
  for (const Region& region : pages) {
    if (region.length <= 0 || region.base % page_size != 0 ||
        static_cast<uint64_t>(region.length) % page_size != 0) {
      return absl::InvalidArgumentError(
          absl::StrFormat("page reader: region [0x%x, +%d) is not a run of whole %d-byte pages",
                          region.base, region.length, page_size));
    }
  }
  return PageReader(memory, std::move(pages), -1);
}

absl::StatusOr<PageReader> PageReader::Create(Memory& memory, const PageWriterProgress& progress) {
  DDC_ASSIGN_OR_RETURN(PageReader reader, Create(memory, progress.Pages(memory.page_size())));
  if (progress.records < 0 || reader.pages_.size() != progress.pages) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "page reader: progress of %d records in %d pages, but its extents hold %d pages",
        progress.records, progress.pages, reader.pages_.size()));
  }
  reader.expected_records_ = progress.records;
  return reader;
}

asio::awaitable<absl::Status> PageReader::LoadPage() {
  const int64_t page_size = memory_->page_size();
  if (next_page_ < chunk_first_ || next_page_ >= chunk_first_ + chunk_pages_) {
    const int64_t wanted = std::max<int64_t>(1, kReadAheadBytes / page_size);
    const int64_t count =
        std::min({wanted, pages_.Contiguous(next_page_), pages_.size() - next_page_});
    chunk_.clear();
    chunk_pages_ = 0;
    DDC_CO_ASSIGN_OR_RETURN(chunk_,
                            co_await memory_->Read(pages_.Address(next_page_), count * page_size));
    chunk_first_ = next_page_;
    chunk_pages_ = count;
  }
  const absl::string_view image =
      absl::string_view(chunk_).substr((next_page_ - chunk_first_) * page_size, page_size);
  DDC_CO_ASSIGN_OR_RETURN(current_, ParsePage(image, pages_.Address(next_page_), next_page_));
  next_record_ = 0;
  ++next_page_;
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::optional<std::string>>> PageReader::Next() {
  while (next_record_ >= current_.records.size()) {
    if (next_page_ >= pages_.size()) {
      if (expected_records_ >= 0 && returned_ != expected_records_) {
        co_return absl::DataLossError(
            absl::StrFormat("page reader: expected %d records, the %d pages hold %d",
                            expected_records_, pages_.size(), returned_));
      }
      co_return std::nullopt;
    }
    DDC_CO_RETURN_IF_ERROR(co_await LoadPage());
  }
  if (expected_records_ >= 0 && returned_ >= expected_records_) {
    co_return absl::DataLossError(
        absl::StrFormat("page reader: the %d pages hold more than the %d records expected",
                        pages_.size(), expected_records_));
  }
  const absl::string_view record = current_.records[next_record_++];
  ++returned_;
  co_return std::string(record);
}

}  // namespace ddc::durable
