// Memory is the disaggregated-memory interface a process sees: regions of pages on the rack's
// memory elements (MEs), reached through the CE-local page cache, plus the paper's memory
// reassignment primitives (grant, steal) and the rack namespace (the paper's "map").
//
// Addresses: a VirtAddr is rack-wide. The allocating process's id sits in the reserved high bits
// (see AddressOwnerBits), so a page keeps its address when it is granted or stolen: pointers
// stored inside regions stay valid in the receiver, and the sender never reuses that address.
//
// Costs: every call is awaited and charged by the cost model (docs/cost-model.md). Data moves in
// cache lines (memory.cache_line_bytes, 4 KiB by default), ownership in pages
// (memory.page_size). A cache hit costs local DRAM time; a miss costs a memory-interconnect round
// trip plus size / bandwidth; misses of one call are batched into one round trip per ME. Writes
// stay in the CE cache until Flush (or eviction): only flushed bytes survive a crash of the CE.
//
// Modes: in transparent mode the OS hides the rack, so the calls that expose it (Grant, Steal,
// JoinTrustGroup) return FAILED_PRECONDITION. Allocate, Free, Read, Write, Flush, Evict,
// Checksums and the namespace (Publish, Lookup) work in both modes: a transparent OS still gives
// processes memory and lets them name it.
//
// Errors: every call validates all of its input before changing anything, so an error leaves the
// V2P maps, ME page tables and caches exactly as they were.
// clang-format off
//   INVALID_ARGUMENT     empty/unaligned/overlapping regions, a region that runs past the end
//                        of an allocation, negative lengths
//   PERMISSION_DENIED    touching a page the caller does not own (granted away, stolen, someone
//                        else's), a stale owner epoch (the caller was stolen from), a bad
//                        capability
//   NOT_FOUND            unmapped addresses, unknown processes, unknown names
//   FAILED_PRECONDITION  grant, steal or trust groups in transparent mode, a dead destination,
//                        cross-rack reassignment
//   UNAVAILABLE          the page's memory element has failed
//   RESOURCE_EXHAUSTED   the rack's MEs are full
// clang-format on
#ifndef DDC_PLATFORM_MEMORY_H_
#define DDC_PLATFORM_MEMORY_H_

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "platform/types.h"

namespace ddc {

// VirtAddr is a rack-wide virtual address.
using VirtAddr = uint64_t;

// AddressOwnerBits: bits [kAddressOwnerShift, 64) of an address hold 1 + the allocating
// process's id; each process allocates from its own 2^40-byte home range.
inline constexpr int kAddressOwnerShift = 40;
inline constexpr VirtAddr HomeBase(ProcessId p) {
  return (static_cast<VirtAddr>(Index(p)) + 1) << kAddressOwnerShift;
}
inline constexpr ProcessId AllocatorOf(VirtAddr a) {
  return ProcessId{static_cast<uint32_t>((a >> kAddressOwnerShift) - 1)};
}

// Region is a byte range [base, base + length) of virtual memory.
struct Region {
  VirtAddr base = 0;
  int64_t length = 0;

  VirtAddr end() const { return base + static_cast<VirtAddr>(length); }
  // Sub returns [base + offset, base + offset + len); callers keep it inside this region.
  Region Sub(int64_t offset, int64_t len) const {
    return {base + static_cast<VirtAddr>(offset), len};
  }
  bool operator==(const Region&) const = default;
};

// Capability authorizes a steal: the victim's trust group, and its secret under the
// GROUP_SECRET policy (config memory.steal_policy).
//
// Capability has a constructor on purpose: GCC 12 destroys a braced *aggregate* temporary twice
// when it appears in a co_await expression (e.g. `co_await m.Steal(v, {"g", "s"}, ...)`); with a
// constructor the same call site is correct.
struct Capability {
  Capability() = default;
  Capability(std::string group_name, std::string group_secret = "")
      : group(std::move(group_name)), secret(std::move(group_secret)) {}
  std::string group;
  std::string secret;
};

class Memory {
 public:
  virtual ~Memory() = default;

  virtual int64_t page_size() const = 0;

  // Allocate maps ceil(bytes / page_size) fresh, zeroed pages on the rack's MEs (bin-packed).
  virtual asio::awaitable<absl::StatusOr<Region>> Allocate(int64_t bytes) = 0;
  // Free unmaps a page-aligned region the caller owns and releases its frames.
  virtual asio::awaitable<absl::Status> Free(Region region) = 0;

  virtual asio::awaitable<absl::StatusOr<std::string>> Read(VirtAddr address, int64_t length) = 0;
  virtual asio::awaitable<absl::Status> Write(VirtAddr address, absl::string_view bytes) = 0;
  // Flush writes the region's dirty cached pages back to their MEs and waits for the acks.
  virtual asio::awaitable<absl::Status> Flush(Region region) = 0;
  // Evict flushes the region and drops its pages from the CE cache.
  virtual asio::awaitable<absl::Status> Evict(Region region) = 0;

  // Grant hands the pages of `regions` to `destination` (same rack) without copying: dirty
  // cached pages are written back, the Rack MMU moves the V2P entries, revokes the caller at the
  // MEs and admits the destination, and then the caller's OS sends the destination a GrantNotice
  // (platform/notices.proto) naming the regions. Returns when the MMU reports completion.
  virtual asio::awaitable<absl::Status> Grant(std::vector<Region> regions,
                                              ProcessId destination) = 0;
  asio::awaitable<absl::Status> Grant(Region region, ProcessId destination) {
    return Grant(std::vector<Region>{region}, destination);
  }

  // Steal takes `region` (or, when nullopt, every page) of `victim`, dead or alive, with
  // `capability`. The victim's owner epoch is bumped and its CE's V2P entries are shot down, so
  // that any later access, allocation or publish by it is refused (PERMISSION_DENIED, "fenced by
  // a steal") by the rack MMU or the MEs; the ToR redirects traffic addressed to the victim to the caller and drops traffic
  // the victim sends. Returns the stolen regions, coalesced, in address order.
  virtual asio::awaitable<absl::StatusOr<std::vector<Region>>> Steal(
      ProcessId victim, Capability capability, std::optional<Region> region) = 0;

  // JoinTrustGroup makes the caller a member of `group`, creating it with `secret` if needed;
  // joining an existing group requires its secret. Trust groups exist only to authorize steals,
  // so like Steal it is FAILED_PRECONDITION in transparent mode.
  virtual asio::awaitable<absl::Status> JoinTrustGroup(std::string group, std::string secret) = 0;

  // Publish binds `name` to `root` in the rack namespace (replacing any binding); Lookup reads it.
  virtual asio::awaitable<absl::Status> Publish(std::string name, VirtAddr root) = 0;
  virtual asio::awaitable<absl::StatusOr<VirtAddr>> Lookup(std::string name) = 0;

  // Checksums returns the CRC-32 of every page of `region` as stored at its ME (what reached the
  // ME, not what sits dirty in a cache), computed and charged as ME-side work. A receiver compares
  // them with checksums the writer recorded to detect torn or unflushed writes.
  virtual asio::awaitable<absl::StatusOr<std::vector<uint32_t>>> Checksums(Region region) = 0;

  // Regions lists the caller's mapped pages as coalesced regions, in address order (local; the
  // CE OS learns the map from the Rack MMU at grant/steal time).
  virtual std::vector<Region> Regions() const = 0;

  // ReadValue / WriteValue move one trivially copyable value.
  template <typename T>
  asio::awaitable<absl::StatusOr<T>> ReadValue(VirtAddr address) {
    static_assert(std::is_trivially_copyable_v<T>);
    absl::StatusOr<std::string> bytes = co_await Read(address, sizeof(T));
    if (!bytes.ok()) co_return bytes.status();
    T value;
    std::memcpy(&value, bytes->data(), sizeof(T));
    co_return value;
  }
  template <typename T>
  asio::awaitable<absl::Status> WriteValue(VirtAddr address, T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    // The value is copied into this coroutine's frame, so the caller's argument may die before
    // the write is awaited.
    co_return co_await Write(
        address, absl::string_view(reinterpret_cast<const char*>(&value), sizeof(T)));
  }
};

// PageChecksum is the CRC-32 (zlib polynomial) that Memory::Checksums reports for a page, for
// writers that record the checksum of what they intend to make durable.
uint32_t PageChecksum(absl::string_view page_bytes);

}  // namespace ddc

#endif  // DDC_PLATFORM_MEMORY_H_
