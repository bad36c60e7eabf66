#include "platform/memory/rack_mmu.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ddc::mem {

RackMmu::RackMmu(std::vector<MemoryElement*> mes, int64_t page_size,
                 config::MemoryConfig::StealPolicy policy)
    : mes_(std::move(mes)), page_size_(page_size), policy_(policy) {}

RackMmu::ProcessMap& RackMmu::Process(ProcessId p) {
  if (Index(p) >= processes_.size()) processes_.resize(Index(p) + 1);
  ProcessMap& map = processes_[Index(p)];
  if (map.next_address == 0) map.next_address = HomeBase(p);
  return map;
}

const RackMmu::ProcessMap& RackMmu::Process(ProcessId p) const {
  return const_cast<RackMmu*>(this)->Process(p);
}

MemoryElement& RackMmu::me(MeId id) {
  for (MemoryElement* m : mes_) {
    if (m->id() == id) return *m;
  }
  return *mes_.front();  // unreachable: callers pass MEs of this rack
}

std::vector<MemoryElement*> RackMmu::PlacementOrder(int64_t pages) const {
  std::vector<MemoryElement*> alive;
  for (MemoryElement* m : mes_) {
    if (m->alive() && m->free_frames() > 0) alive.push_back(m);
  }
  // Best fit: the tightest ME that holds everything, ties by id.
  MemoryElement* best = nullptr;
  for (MemoryElement* m : alive) {
    if (m->free_frames() >= pages && (best == nullptr || m->free_frames() < best->free_frames())) {
      best = m;
    }
  }
  if (best != nullptr) return {best};
  std::stable_sort(alive.begin(), alive.end(), [](MemoryElement* a, MemoryElement* b) {
    return a->free_frames() > b->free_frames();
  });
  return alive;
}

absl::StatusOr<Region> RackMmu::Allocate(ProcessId p, int64_t bytes) {
  if (bytes <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("allocate: size must be > 0, got ", bytes));
  }
  // ceil(bytes / page) without overflowing bytes + page - 1 near INT64_MAX.
  const int64_t pages = bytes / page_size_ + (bytes % page_size_ != 0 ? 1 : 0);
  ProcessMap& map = Process(p);
  // The process's home range [HomeBase(p), HomeBase(p) + 2^kAddressOwnerShift) is never reused;
  // an allocation must not run into the next process's range (its addresses would carry that
  // process's id, and its pages could collide with that process's own).
  const uint64_t home_left = HomeBase(p) + (uint64_t{1} << kAddressOwnerShift) - map.next_address;
  if (static_cast<uint64_t>(pages) > home_left / static_cast<uint64_t>(page_size_)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "allocate: ", pages, " pages requested, the address range of process ", Index(p),
        " has room for ", home_left / static_cast<uint64_t>(page_size_), " more"));
  }
  int64_t available = 0;
  std::vector<MemoryElement*> order = PlacementOrder(pages);
  for (MemoryElement* m : order) available += m->free_frames();
  if (available < pages) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "allocate: ", pages, " pages requested, the rack's memory elements have ", available));
  }
  const Region region{map.next_address, pages * page_size_};
  const uint64_t first = region.base / static_cast<uint64_t>(page_size_);
  size_t next_me = 0;
  for (int64_t i = 0; i < pages; ++i) {
    while (order[next_me]->free_frames() == 0) ++next_me;
    MemoryElement* m = order[next_me];
    const uint64_t page = first + static_cast<uint64_t>(i);
    const uint64_t frame = *m->AllocateFrame({p, page, kReadWrite, map.epoch});
    map.v2p.emplace(page, PhysicalPage{m->id(), frame});
    owner_of_.emplace(page, p);
  }
  map.next_address = region.end();
  return region;
}

absl::Status RackMmu::CheckOwned(ProcessId p, uint64_t first_page, uint64_t count) const {
  const ProcessMap& map = Process(p);
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t page = first_page + i;
    if (map.v2p.contains(page)) continue;
    const VirtAddr address = page * static_cast<uint64_t>(page_size_);
    auto owner = owner_of_.find(page);
    if (owner != owner_of_.end()) {
      return absl::PermissionDeniedError(
          absl::StrFormat("page 0x%x is owned by process %d, not by process %d", address,
                          Index(owner->second), Index(p)));
    }
    if (i > 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "region runs past the end of an allocation: page 0x%x is not mapped", address));
    }
    return absl::NotFoundError(absl::StrFormat("address 0x%x is not mapped", address));
  }
  return absl::OkStatus();
}

const PhysicalPage* RackMmu::Lookup(ProcessId p, uint64_t page) const {
  const ProcessMap& map = Process(p);
  auto it = map.v2p.find(page);
  return it == map.v2p.end() ? nullptr : &it->second;
}

absl::Status RackMmu::CheckAlive(ProcessId p, uint64_t first_page, uint64_t count) const {
  const ProcessMap& map = Process(p);
  for (auto it = map.v2p.lower_bound(first_page);
       it != map.v2p.end() && it->first < first_page + count; ++it) {
    const MemoryElement& element = const_cast<RackMmu*>(this)->me(it->second.me);
    if (!element.alive()) {
      return absl::UnavailableError(
          absl::StrFormat("page 0x%x is on memory element %s, which has failed",
                          it->first * static_cast<uint64_t>(page_size_), element.name()));
    }
  }
  return absl::OkStatus();
}

void RackMmu::Unmap(ProcessId p, uint64_t first_page, uint64_t count) {
  ProcessMap& map = Process(p);
  for (uint64_t page = first_page; page < first_page + count; ++page) {
    auto it = map.v2p.find(page);
    if (it == map.v2p.end()) continue;
    me(it->second.me).ReleaseFrame(it->second.frame);
    map.v2p.erase(it);
    owner_of_.erase(page);
  }
}

void RackMmu::Reassign(ProcessId from, ProcessId to, const std::vector<uint64_t>& pages) {
  ProcessMap& source = Process(from);
  ProcessMap& destination = Process(to);
  for (uint64_t page : pages) {
    auto it = source.v2p.find(page);
    if (it == source.v2p.end()) continue;
    const PhysicalPage phys = it->second;
    source.v2p.erase(it);
    destination.v2p.emplace(page, phys);
    owner_of_[page] = to;
    me(phys.me).SetEntry(phys.frame, {to, page, kReadWrite, destination.epoch});
  }
}

int64_t RackMmu::BumpEpoch(ProcessId p) {
  ProcessMap& map = Process(p);
  ++map.epoch;
  for (const auto& [page, phys] : map.v2p) {
    me(phys.me).SetEntry(phys.frame, {p, page, kReadWrite, map.epoch});
  }
  return static_cast<int64_t>(map.v2p.size());
}

std::vector<uint64_t> RackMmu::PagesOf(ProcessId p) const {
  std::vector<uint64_t> pages;
  for (const auto& [page, phys] : Process(p).v2p) pages.push_back(page);
  return pages;
}

std::vector<uint64_t> RackMmu::PagesOn(ProcessId p, MeId me) const {
  std::vector<uint64_t> pages;
  for (const auto& [page, phys] : Process(p).v2p) {
    if (phys.me == me) pages.push_back(page);
  }
  return pages;
}

std::vector<Region> CoalescePages(const std::vector<uint64_t>& pages, int64_t page_size) {
  std::vector<Region> regions;
  for (uint64_t page : pages) {
    const VirtAddr base = page * static_cast<uint64_t>(page_size);
    if (!regions.empty() && regions.back().end() == base) {
      regions.back().length += page_size;
    } else {
      regions.push_back({base, page_size});
    }
  }
  return regions;
}

std::vector<Region> RackMmu::RegionsOf(ProcessId p) const {
  return CoalescePages(PagesOf(p), page_size_);
}

std::vector<ProcessId> RackMmu::ProcessesUsing(MeId me) const {
  std::vector<ProcessId> users;
  for (uint32_t i = 0; i < processes_.size(); ++i) {
    for (const auto& [page, phys] : processes_[i].v2p) {
      if (phys.me == me) {
        users.push_back(ProcessId{i});
        break;
      }
    }
  }
  return users;
}

absl::Status RackMmu::JoinGroup(ProcessId p, const std::string& group, const std::string& secret) {
  if (group.empty()) return absl::InvalidArgumentError("join trust group: empty group name");
  ProcessMap& map = Process(p);
  if (!map.group.empty() && map.group != group) {
    return absl::FailedPreconditionError(absl::StrCat("join trust group \"", group, "\": process ",
                                                      Index(p), " is already in \"", map.group,
                                                      "\""));
  }
  auto it = groups_.find(group);
  if (it != groups_.end() && it->second.secret != secret) {
    return absl::PermissionDeniedError(
        absl::StrCat("join trust group \"", group, "\": wrong group secret"));
  }
  Group& g = groups_[group];
  g.secret = secret;
  g.members.insert(p);
  map.group = group;
  return absl::OkStatus();
}

absl::Status RackMmu::AuthorizeSteal(ProcessId thief, ProcessId victim,
                                     const Capability& cap) const {
  const std::string& victim_group = Process(victim).group;
  if (victim_group.empty()) {
    return absl::PermissionDeniedError(
        absl::StrCat("steal: process ", Index(victim), " is in no trust group"));
  }
  if (cap.group != victim_group) {
    return absl::PermissionDeniedError(absl::StrCat("steal: capability names group \"", cap.group,
                                                    "\", the victim is in \"", victim_group, "\""));
  }
  const Group& group = groups_.at(victim_group);
  if (policy_ == config::MemoryConfig::TRUSTED_GROUP) {
    if (!group.members.contains(thief)) {
      return absl::PermissionDeniedError(absl::StrCat(
          "steal: process ", Index(thief), " is not a member of \"", victim_group, "\""));
    }
  } else if (cap.secret != group.secret) {
    return absl::PermissionDeniedError(
        absl::StrCat("steal: wrong secret for group \"", victim_group, "\""));
  }
  return absl::OkStatus();
}

absl::StatusOr<VirtAddr> RackMmu::LookupName(const std::string& name) const {
  auto it = names_.find(name);
  if (it == names_.end()) {
    return absl::NotFoundError(absl::StrCat("namespace: no entry named \"", name, "\""));
  }
  return it->second;
}

}  // namespace ddc::mem
