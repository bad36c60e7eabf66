// Arena builds data structures inside a memory Region, page-confined: no object straddles a page
// boundary, so every page can be checksummed, granted or stolen on its own and still holds whole
// objects. References between objects are VirtAddrs, which stay valid across grant and steal.
//
// The arena's state (a magic number and the next free address) lives in the first bytes of the
// region itself, so a process that receives or steals the region re-opens the arena with Open().
// Allocate writes the header through the cache; it becomes durable with the caller's next Flush,
// like any other write.
//
//   absl::StatusOr<ddc::Arena> arena = co_await ddc::Arena::Create(self.memory(), region);
//   absl::StatusOr<ddc::VirtAddr> node = co_await arena->Allocate(sizeof(Node));
#ifndef DDC_PLATFORM_ARENA_H_
#define DDC_PLATFORM_ARENA_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "platform/memory.h"

namespace ddc {

class Arena {
 public:
  // Create formats `region` (page-aligned, at least one page) as an empty arena.
  static asio::awaitable<absl::StatusOr<Arena>> Create(Memory& memory, Region region);
  // Open re-attaches to an arena some process created in `region`; FAILED_PRECONDITION when the
  // header is not an arena's (for example, it was never flushed).
  static asio::awaitable<absl::StatusOr<Arena>> Open(Memory& memory, Region region);

  // Allocate reserves `bytes` aligned to `alignment` (a power of two) within one page.
  // INVALID_ARGUMENT when the object cannot fit in a page, RESOURCE_EXHAUSTED when the region is
  // full.
  asio::awaitable<absl::StatusOr<VirtAddr>> Allocate(int64_t bytes, int64_t alignment = 8);

  const Region& region() const { return region_; }
  VirtAddr next() const { return next_; }

 private:
  struct Header {
    uint64_t magic;
    uint64_t next;
  };
  static constexpr uint64_t kMagic = 0x6464632d6172656eull;  // "ddc-aren"

  Arena(Memory& memory, Region region, VirtAddr next)
      : memory_(&memory), region_(region), next_(next) {}

  Memory* memory_;
  Region region_;
  VirtAddr next_;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_ARENA_H_
