// Simulation::CheckMemoryInvariants (platform/simulation.h): the memory tables checked against
// each other through their own read-only accessors. It lives next to the tables, in platform/,
// because checkers outside the platform see only the public headers.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "platform/memory/ce_cache.h"
#include "platform/memory/memory_element.h"
#include "platform/memory/rack_mmu.h"
#include "platform/sim/world.h"
#include "platform/simulation.h"

namespace ddc {
namespace {

std::string Hex(uint64_t address) { return absl::StrFormat("0x%x", address); }

// CheckRack checks one rack's MMU against its MEs and its CEs' cached V2P entries.
void CheckRack(sim::World& world, RackId rack_id, std::vector<std::string>& problems) {
  const RackInfo& rack = world.topology().racks()[Index(rack_id)];
  mem::RackMmu& mmu = world.rack_mmu(rack_id);
  const uint64_t page_size = static_cast<uint64_t>(mmu.page_size());
  const auto say = [&](std::string problem) {
    problems.push_back(absl::StrCat(rack.name, ": ", std::move(problem)));
  };
  std::map<uint64_t, ProcessId> owner;                       // virtual page -> first mapper
  std::map<std::pair<uint32_t, uint64_t>, uint64_t> frames;  // (ME, frame) -> virtual page
  std::map<uint32_t, int64_t> frames_mapped;                 // ME -> frames the maps hold
  for (int i = 0; i < world.num_processes(); ++i) {
    const ProcessId p{static_cast<uint32_t>(i)};
    for (uint64_t page : mmu.PagesOf(p)) {
      const uint64_t address = page * page_size;
      auto [first, fresh] = owner.emplace(page, p);
      if (!fresh) {
        say(absl::StrFormat("page %s is owned twice: by process %d and %d", Hex(address),
                            Index(first->second), i));
      }
      // The owner index (what CheckOwned consults) must name the process whose map has the page.
      if (absl::Status owned = mmu.CheckOwned(p, page, 1); !owned.ok()) {
        say(absl::StrFormat("page %s is in process %d's V2P map but the MMU refuses it: %s",
                            Hex(address), i, owned.message()));
      }
      const mem::PhysicalPage& physical = *mmu.Lookup(p, page);
      auto [other, unshared] =
          frames.emplace(std::make_pair(Index(physical.me), physical.frame), page);
      if (!unshared) {
        say(absl::StrFormat("frame %d of %s backs pages %s and %s", physical.frame,
                            world.topology().me(physical.me).name, Hex(other->second * page_size),
                            Hex(address)));
      }
      const mem::MemoryElement& me = world.me(physical.me);
      if (!me.alive()) continue;  // its frames are gone, and every access says so
      ++frames_mapped[Index(physical.me)];
      // The ME's page table must admit exactly the owner the map names, at its current epoch.
      if (absl::Status entry = me.Check(physical.frame, p, page, mmu.epoch(p), mem::kRead);
          !entry.ok()) {
        say(
            absl::StrFormat("page %s of process %d (epoch %d): the V2P map and %s's page table "
                            "disagree: %s",
                            Hex(address), i, mmu.epoch(p), me.name(), entry.message()));
      }
    }
  }
  for (MeId id : rack.mes) {
    const mem::MemoryElement& me = world.me(id);
    if (me.alive() && me.used_frames() != frames_mapped[Index(id)]) {
      say(absl::StrFormat("%s counts %d used frames, the V2P maps hold %d", me.name(),
                          me.used_frames(), frames_mapped[Index(id)]));
    }
  }
  // A CE's cached V2P entries must agree with the MMU: an entry for a page its process no longer
  // owns would send an access to a frame that is someone else's now.
  for (CeId ce : rack.ces) {
    const mem::CeCache& cache = world.cache(ce);
    for (const auto& [page, page_owner] : owner) {
      const mem::PhysicalPage& actual = *mmu.Lookup(page_owner, page);
      for (int i = 0; i < world.num_processes(); ++i) {
        const ProcessId p{static_cast<uint32_t>(i)};
        const mem::PhysicalPage* cached = cache.FindMapping(p, page);
        if (cached == nullptr) continue;
        if (p != page_owner) {
          say(absl::StrFormat(
              "%s caches a V2P entry of process %d for page %s, which process "
              "%d owns",
              world.topology().ce(ce).name, i, Hex(page * page_size), Index(page_owner)));
        } else if (cached->me != actual.me || cached->frame != actual.frame) {
          say(
              absl::StrFormat("%s caches page %s of process %d at %s frame %d, the MMU maps it "
                              "to %s frame %d",
                              world.topology().ce(ce).name, Hex(page * page_size), i,
                              world.topology().me(cached->me).name, cached->frame,
                              world.topology().me(actual.me).name, actual.frame));
        }
      }
    }
  }
}

}  // namespace

std::vector<std::string> Simulation::CheckMemoryInvariants() const {
  std::vector<std::string> problems;
  for (size_t r = 0; r < world_->topology().racks().size(); ++r) {
    CheckRack(*world_, RackId{static_cast<uint32_t>(r)}, problems);
  }
  return problems;
}

}  // namespace ddc
