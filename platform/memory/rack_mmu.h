// RackMmu is one rack's memory manager: per-process virtual-to-physical (V2P) maps, allocation
// across the rack's MEs, page reassignment (grant and steal), owner epochs, trust groups for the
// steal capability, and the rack namespace.
//
// Internal to platform/. Its methods are instantaneous state changes; SimMemory charges their cost.
//
// Ownership checks classify a bad region precisely (see CheckOwned) and change nothing.
// Maps are ordered (btree), so every walk over them is deterministic.
#ifndef DDC_PLATFORM_MEMORY_RACK_MMU_H_
#define DDC_PLATFORM_MEMORY_RACK_MMU_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "platform/config.pb.h"
#include "platform/memory.h"
#include "platform/memory/memory_element.h"
#include "platform/types.h"

namespace ddc::mem {

struct PhysicalPage {
  MeId me;
  uint64_t frame;
};

// CoalescePages turns ascending virtual page numbers into regions of adjacent pages.
std::vector<Region> CoalescePages(const std::vector<uint64_t>& pages, int64_t page_size);

class RackMmu {
 public:
  RackMmu(std::vector<MemoryElement*> mes, int64_t page_size,
          config::MemoryConfig::StealPolicy policy);

  int64_t page_size() const { return page_size_; }
  uint32_t epoch(ProcessId p) const { return Process(p).epoch; }

  // Allocate maps ceil(bytes / page) fresh pages from the caller's home range. Placement is
  // best-fit: the ME with the least free space that holds the whole region; a region no single
  // ME can hold is split across MEs, most free space first.
  absl::StatusOr<Region> Allocate(ProcessId p, int64_t bytes);

  // CheckOwned verifies that `p` maps every page of [first, first + count). Errors:
  // PERMISSION_DENIED (a page belongs to another process), INVALID_ARGUMENT (the range runs past
  // the end of the caller's mapping), NOT_FOUND (an unmapped address).
  absl::Status CheckOwned(ProcessId p, uint64_t first_page, uint64_t count) const;
  const PhysicalPage* Lookup(ProcessId p, uint64_t page) const;
  // CheckAlive returns UNAVAILABLE, naming the element, when one of p's pages in the range (which
  // p must own) is on a failed ME.
  absl::Status CheckAlive(ProcessId p, uint64_t first_page, uint64_t count) const;

  // Unmap removes the pages from `p` and frees their frames.
  void Unmap(ProcessId p, uint64_t first_page, uint64_t count);
  // Reassign moves pages from `from` to `to`: V2P entries and ME page tables (owner, epoch).
  void Reassign(ProcessId from, ProcessId to, const std::vector<uint64_t>& pages);
  // BumpEpoch fences `p`: its epoch grows and every ME entry it still owns is rewritten.
  // Returns the number of entries rewritten.
  int64_t BumpEpoch(ProcessId p);

  std::vector<uint64_t> PagesOf(ProcessId p) const;
  std::vector<Region> RegionsOf(ProcessId p) const;
  // PagesOn lists p's pages whose frames are on `me`.
  std::vector<uint64_t> PagesOn(ProcessId p, MeId me) const;
  // ProcessesUsing lists processes with at least one page on `me`, in id order.
  std::vector<ProcessId> ProcessesUsing(MeId me) const;

  absl::Status JoinGroup(ProcessId p, const std::string& group, const std::string& secret);
  // AuthorizeSteal applies the configured capability policy.
  absl::Status AuthorizeSteal(ProcessId thief, ProcessId victim, const Capability& cap) const;

  void Publish(const std::string& name, VirtAddr root) { names_[name] = root; }
  absl::StatusOr<VirtAddr> LookupName(const std::string& name) const;

  MemoryElement& me(MeId id);

 private:
  struct ProcessMap {
    absl::btree_map<uint64_t, PhysicalPage> v2p;
    VirtAddr next_address = 0;  // bump allocator in the home range; never reused
    uint32_t epoch = 0;
    std::string group;
  };
  struct Group {
    std::string secret;
    std::set<ProcessId> members;
  };
  ProcessMap& Process(ProcessId p);
  const ProcessMap& Process(ProcessId p) const;
  std::vector<MemoryElement*> PlacementOrder(int64_t pages) const;

  std::vector<MemoryElement*> mes_;
  const int64_t page_size_;
  const config::MemoryConfig::StealPolicy policy_;
  mutable std::vector<ProcessMap> processes_;      // indexed by ProcessId, grown on demand
  absl::btree_map<uint64_t, ProcessId> owner_of_;  // every mapped page of the rack
  std::map<std::string, Group> groups_;
  std::map<std::string, VirtAddr> names_;
};

}  // namespace ddc::mem

#endif  // DDC_PLATFORM_MEMORY_RACK_MMU_H_
