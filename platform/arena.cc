#include "platform/arena.h"

#include "absl/strings/str_cat.h"

namespace ddc {

asio::awaitable<absl::StatusOr<Arena>> Arena::Create(Memory& memory, Region region) {
  const int64_t page = memory.page_size();
  if (region.length < page || region.base % static_cast<uint64_t>(page) != 0) {
    co_return absl::InvalidArgumentError(absl::StrCat(
        "arena: region must be page-aligned and hold at least one page of ", page, " bytes"));
  }
  const VirtAddr first = region.base + sizeof(Header);
  absl::Status status = co_await memory.WriteValue(region.base, Header{kMagic, first});
  if (!status.ok()) co_return status;
  co_return Arena(memory, region, first);
}

asio::awaitable<absl::StatusOr<Arena>> Arena::Open(Memory& memory, Region region) {
  absl::StatusOr<Header> header = co_await memory.ReadValue<Header>(region.base);
  if (!header.ok()) co_return header.status();
  if (header->magic != kMagic || header->next < region.base + sizeof(Header) ||
      header->next > region.end()) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("arena: no arena header at 0x", absl::Hex(region.base)));
  }
  co_return Arena(memory, region, header->next);
}

asio::awaitable<absl::StatusOr<VirtAddr>> Arena::Allocate(int64_t bytes, int64_t alignment) {
  const int64_t page = memory_->page_size();
  if (bytes <= 0 || bytes > page || alignment <= 0 || (alignment & (alignment - 1)) != 0) {
    co_return absl::InvalidArgumentError(absl::StrCat("arena: cannot place ", bytes,
                                                      " bytes aligned to ", alignment,
                                                      " within a page of ", page));
  }
  const uint64_t a = static_cast<uint64_t>(alignment);
  VirtAddr at = (next_ + a - 1) / a * a;
  const uint64_t p = static_cast<uint64_t>(page);
  if (at / p != (at + static_cast<uint64_t>(bytes) - 1) / p) at = (at / p + 1) * p;  // next page
  if (at + static_cast<uint64_t>(bytes) > region_.end()) {
    co_return absl::ResourceExhaustedError(
        absl::StrCat("arena: region of ", region_.length, " bytes is full"));
  }
  const VirtAddr next = at + static_cast<uint64_t>(bytes);
  absl::Status status = co_await memory_->WriteValue(region_.base, Header{kMagic, next});
  if (!status.ok()) co_return status;
  next_ = next;
  co_return at;
}

}  // namespace ddc
