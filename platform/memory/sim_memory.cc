#include "platform/memory/sim_memory.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "platform/cost_model.h"
#include "platform/notices.pb.h"
#include "platform/sim/sim_process.h"
#include "platform/sim/world.h"
#include "platform/status_macros.h"

namespace ddc::mem {
namespace {

std::string Describe(const Region& r) { return absl::StrFormat("[0x%x, 0x%x)", r.base, r.end()); }

}  // namespace

SimMemory::SimMemory(sim::SimProcess& process)
    : process_(process),
      world_(process.world()),
      mmu_(world_.mmu(process.ce())),
      cache_(world_.caches[Index(process.ce())]),
      page_size_(world_.config.memory().page_size()) {}

void SimMemory::OnLaunch() { epoch_ = mmu_.epoch(process_.id()); }

asio::awaitable<void> SimMemory::Charge(absl::string_view op, Time until, std::string args) {
  const Time start = process_.Now();
  world_.tracer.Complete(process_.track(), op, start, std::max<Time>(until - start, 0),
                         std::move(args));
  return process_.SuspendUntil(until);
}

absl::StatusOr<SimMemory::PageRange> SimMemory::PagesOf(VirtAddr address, int64_t length) const {
  if (length <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("access length must be > 0, got ", length));
  }
  if (length > (int64_t{1} << kAddressOwnerShift)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "access length ", length, " exceeds a process's address range of 2^", kAddressOwnerShift));
  }
  const VirtAddr end = address + static_cast<VirtAddr>(length);
  if (end < address)
    return absl::InvalidArgumentError("access range wraps around the address space");
  const uint64_t p = static_cast<uint64_t>(page_size_);
  return PageRange{address / p, (end - 1) / p - address / p + 1};
}

absl::StatusOr<SimMemory::PageRange> SimMemory::AlignedPages(const Region& region,
                                                             absl::string_view op) const {
  if (region.length <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": empty region ", Describe(region)));
  }
  if (region.length > (int64_t{1} << kAddressOwnerShift)) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": region ", Describe(region), " exceeds a process's address range"));
  }
  const uint64_t p = static_cast<uint64_t>(page_size_);
  if (region.base % p != 0 || static_cast<uint64_t>(region.length) % p != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(op, ": region ", Describe(region), " is not aligned to the page size ", p));
  }
  return PageRange{region.base / p, static_cast<uint64_t>(region.length) / p};
}

bool SimMemory::fenced() const { return epoch_ != mmu_.epoch(process_.id()); }

void SimMemory::RecordLostWrite(uint64_t page, absl::Status status) {
  lost_writes_.emplace(page, std::move(status));
}

absl::Status SimMemory::TakeLostWrite(PageRange range) {
  auto it = lost_writes_.lower_bound(range.first);
  if (it == lost_writes_.end() || it->first >= range.first + range.count) return absl::OkStatus();
  absl::Status status(
      it->second.code(),
      absl::StrFormat("a dirty page 0x%x was evicted but its write-back failed: %s",
                      it->first * static_cast<uint64_t>(page_size_), it->second.message()));
  lost_writes_.erase(it);
  return status;
}

bool SimMemory::MustConsultMe(PageRange range, uint64_t page, bool wholly_overwritten) const {
  if (range.count > static_cast<uint64_t>(cache_.capacity())) return !wholly_overwritten;
  return !wholly_overwritten && cache_.Peek(process_.id(), page) == nullptr;
}

absl::Status SimMemory::CheckNotFenced(absl::string_view op) const {
  const uint32_t current = mmu_.epoch(process_.id());
  if (epoch_ == current) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "%s: process %d was fenced by a steal (its owner epoch %d is stale, current %d)", op,
      Index(process_.id()), epoch_, current));
}

absl::Status SimMemory::ModeAllowsPrimitives(absl::string_view op) const {
  if (world_.mode == Mode::kTransparent) {
    return absl::FailedPreconditionError(
        absl::StrCat(op, " is not available in transparent mode: the OS hides the rack"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SimMemory::Resolved> SimMemory::Resolve(PageRange range) const {
  Resolved resolved;
  resolved.physical.reserve(range.count);
  for (uint64_t page = range.first; page < range.first + range.count; ++page) {
    if (const PhysicalPage* cached = cache_.FindMapping(process_.id(), page)) {
      resolved.physical.push_back(*cached);
      continue;
    }
    resolved.needed_mmu = true;
    const PhysicalPage* phys = mmu_.Lookup(process_.id(), page);
    if (phys == nullptr) {
      DDC_RETURN_IF_ERROR(mmu_.CheckOwned(process_.id(), range.first, range.count));
      return absl::InternalError("V2P lookup failed but ownership check passed");
    }
    resolved.physical.push_back(*phys);
  }
  return resolved;
}

void SimMemory::CacheMappings(PageRange range, const Resolved& resolved) {
  if (!resolved.needed_mmu) return;
  for (uint64_t i = 0; i < range.count; ++i) {
    cache_.CacheMapping(process_.id(), range.first + i, resolved.physical[i]);
  }
}

absl::Status SimMemory::CheckAtMe(uint64_t page, const PhysicalPage& phys,
                                  Permission permission) const {
  return world_.mes[Index(phys.me)]->Check(phys.frame, process_.id(), page, epoch_, permission);
}

absl::StatusOr<SimMemory::Prepared> SimMemory::Prepare(
    VirtAddr address, int64_t length, Permission permission,
    absl::FunctionRef<bool(PageRange, uint64_t)> needs_me, Time& refused_at) {
  const Time now = process_.Now();
  refused_at = now;
  DDC_ASSIGN_OR_RETURN(PageRange range, PagesOf(address, length));
  absl::StatusOr<Resolved> resolved = Resolve(range);
  if (!resolved.ok()) {
    refused_at = world_.fabric.Control(now);
    return resolved.status();
  }
  const Time start = resolved->needed_mmu ? world_.fabric.Control(now) : now;
  for (uint64_t i = 0; i < range.count; ++i) {
    if (!needs_me(range, range.first + i)) continue;
    absl::Status status = CheckAtMe(range.first + i, resolved->physical[i], permission);
    if (!status.ok()) {
      if (absl::IsUnavailable(status)) ReportUnavailable(resolved->physical[i]);
      refused_at = start + world_.fabric.rtt();
      return status;
    }
  }
  return Prepared{range, *std::move(resolved), start};
}

void SimMemory::ReportUnavailable(const PhysicalPage& phys) {
  world_.ReportMemoryFailure(process_, phys.me);
}

Time SimMemory::LocalCopy(int64_t bytes, Time start) const {
  const config::CostModel& c = world_.config.cost_model();
  return start + c.local_dram_access_ns() + TransmissionNs(bytes, c.local_dram_bandwidth_gbps());
}

void SimMemory::Insert(CachedPage page, Transfers& transfers) {
  std::optional<CachedPage> evicted = cache_.Insert(std::move(page));
  if (!evicted || !evicted->dirty) return;
  // Write-back of a dirty victim: it reaches the ME only if the ME still accepts it.
  MemoryElement& me = *world_.mes[Index(evicted->physical.me)];
  world_.metrics.writebacks++;
  absl::Status accepted =
      me.Check(evicted->physical.frame, evicted->process, evicted->page, evicted->epoch, kWrite);
  if (!accepted.ok()) {
    // The page may belong to another process of this CE: its next flush learns of the loss.
    world_.metrics.writeback_failures++;
    sim::SimProcess* owner = world_.process(evicted->process);
    if (absl::IsUnavailable(accepted)) world_.ReportMemoryFailure(*owner, evicted->physical.me);
    static_cast<SimMemory&>(owner->memory()).RecordLostWrite(evicted->page, accepted);
    return;
  }
  me.WriteFrame(evicted->physical.frame, evicted->bytes);
  transfers.store_bytes[Index(evicted->physical.me)] += page_size_;
}

Time SimMemory::MmuUpdate(int64_t entries) {
  world_.metrics.mmu_pages_updated += static_cast<uint64_t>(entries);
  return world_.fabric.Control(process_.Now()) +
         entries * world_.config.cost_model().mmu_update_per_page_ns();
}

void SimMemory::Admit(const Prepared& access) {
  CacheMappings(access.range, access.resolved);
  Touch(access.range);
}

void SimMemory::Touch(PageRange range) {
  if (range.count > static_cast<uint64_t>(cache_.capacity())) return;
  for (uint64_t page = range.first; page < range.first + range.count; ++page) {
    cache_.Find(process_.id(), page);
  }
}

void SimMemory::Fill(uint64_t page, const PhysicalPage& phys, bool overwrite,
                     Transfers& transfers) {
  if (cache_.Find(process_.id(), page) != nullptr) {
    world_.metrics.cache_hits++;
    return;
  }
  CachedPage fresh{process_.id(), page, phys, epoch_, std::string(page_size_, '\0'), false};
  if (!overwrite) {
    world_.metrics.cache_misses++;
    world_.mes[Index(phys.me)]->ReadFrame(phys.frame, fresh.bytes.data());
    transfers.fetch_bytes[Index(phys.me)] += page_size_;
  }
  Insert(std::move(fresh), transfers);
}

Time SimMemory::Issue(const Transfers& transfers, Time start) {
  Time done = start;
  for (const auto& [me, bytes] : transfers.fetch_bytes) {
    done = std::max(done, world_.fabric.Fetch(process_.ce(), MeId{me}, bytes, start));
  }
  for (const auto& [me, bytes] : transfers.store_bytes) {
    done = std::max(done, world_.fabric.Store(process_.ce(), MeId{me}, bytes, start));
  }
  return done;
}

absl::Status SimMemory::CheckWriteBack(PageRange range) {
  for (uint64_t page = range.first; page < range.first + range.count; ++page) {
    const CachedPage* cached = cache_.Peek(process_.id(), page);
    if (cached == nullptr || !cached->dirty) continue;
    absl::Status status = CheckAtMe(page, cached->physical, kWrite);
    if (!status.ok()) {
      if (absl::IsUnavailable(status)) ReportUnavailable(cached->physical);
      return status;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Time> SimMemory::WriteBack(PageRange range, Time start, bool drop) {
  DDC_RETURN_IF_ERROR(CheckWriteBack(range));
  return WriteBackChecked(range, start, drop);
}

Time SimMemory::WriteBackChecked(PageRange range, Time start, bool drop) {
  std::vector<uint64_t> dirty;
  for (uint64_t page = range.first; page < range.first + range.count; ++page) {
    const CachedPage* cached = cache_.Peek(process_.id(), page);
    if (cached != nullptr && cached->dirty) dirty.push_back(page);
  }
  Transfers transfers;
  for (uint64_t page : dirty) {
    CachedPage* cached = cache_.Find(process_.id(), page);
    world_.mes[Index(cached->physical.me)]->WriteFrame(cached->physical.frame, cached->bytes);
    cached->dirty = false;
    transfers.store_bytes[Index(cached->physical.me)] += page_size_;
    world_.metrics.writebacks++;
  }
  if (drop) {
    for (uint64_t page = range.first; page < range.first + range.count; ++page) {
      cache_.Remove(process_.id(), page);
    }
  }
  return Issue(transfers, start);
}

asio::awaitable<absl::StatusOr<Region>> SimMemory::Allocate(int64_t bytes) {
  absl::StatusOr<Region> region = mmu_.Allocate(process_.id(), bytes);
  if (!region.ok()) co_return region.status();
  const PageRange range{region->base / static_cast<uint64_t>(page_size_),
                        static_cast<uint64_t>(region->length / page_size_)};
  for (uint64_t page = range.first; page < range.first + range.count; ++page) {
    cache_.CacheMapping(process_.id(), page, *mmu_.Lookup(process_.id(), page));
  }
  co_await Charge("allocate", MmuUpdate(static_cast<int64_t>(range.count)),
                  absl::StrCat("\"pages\":", range.count));
  co_return region;
}

asio::awaitable<absl::Status> SimMemory::Free(Region region) {
  DDC_CO_ASSIGN_OR_RETURN(PageRange range, AlignedPages(region, "free"));
  DDC_CO_RETURN_IF_ERROR(mmu_.CheckOwned(process_.id(), range.first, range.count));
  DDC_CO_RETURN_IF_ERROR(CheckNotFenced("free"));
  for (uint64_t page = range.first; page < range.first + range.count; ++page) {
    cache_.Remove(process_.id(), page);
    cache_.InvalidateMapping(process_.id(), page);
  }
  mmu_.Unmap(process_.id(), range.first, range.count);
  co_await Charge("free", MmuUpdate(static_cast<int64_t>(range.count)),
                  absl::StrCat("\"pages\":", range.count));
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::string>> SimMemory::Read(VirtAddr address, int64_t length) {
  Time refused_at;
  absl::StatusOr<Prepared> access = Prepare(
      address, length, kRead,
      [&](PageRange range, uint64_t page) {
        return MustConsultMe(range, page, /*wholly_overwritten=*/false);
      },
      refused_at);
  if (!access.ok()) {
    co_await process_.SuspendUntil(refused_at);
    co_return access.status();
  }
  const auto& [range, resolved, start] = *access;
  Admit(*access);
  std::string out(static_cast<size_t>(length), '\0');
  Transfers transfers;
  const uint64_t p = static_cast<uint64_t>(page_size_);
  // Page by page, so a read larger than the cache still returns every byte; the misses are then
  // fetched as one batch per ME.
  for (uint64_t i = 0; i < range.count; ++i) {
    const uint64_t page = range.first + i;
    Fill(page, resolved.physical[i], /*overwrite=*/false, transfers);
    const CachedPage* cached = cache_.Peek(process_.id(), page);
    const VirtAddr page_base = page * p;
    const VirtAddr from = std::max<VirtAddr>(address, page_base);
    const VirtAddr to = std::min<VirtAddr>(address + static_cast<VirtAddr>(length), page_base + p);
    std::memcpy(out.data() + (from - address), cached->bytes.data() + (from - page_base),
                static_cast<size_t>(to - from));
  }
  co_await Charge("read", std::max(Issue(transfers, start), LocalCopy(length, start)),
                  absl::StrCat("\"bytes\":", length));
  co_return out;
}

asio::awaitable<absl::Status> SimMemory::Write(VirtAddr address, absl::string_view bytes) {
  const int64_t length = static_cast<int64_t>(bytes.size());
  const uint64_t p = static_cast<uint64_t>(page_size_);
  const VirtAddr end = address + static_cast<VirtAddr>(length);
  auto fully_covered = [&](uint64_t page) { return address <= page * p && end >= (page + 1) * p; };
  // Partially written pages that are not cached must be fetched first.
  Time refused_at;
  absl::StatusOr<Prepared> access = Prepare(
      address, length, kReadWrite,
      [&](PageRange range, uint64_t page) {
        return MustConsultMe(range, page, fully_covered(page));
      },
      refused_at);
  if (!access.ok()) {
    co_await process_.SuspendUntil(refused_at);
    co_return access.status();
  }
  const auto& [range, resolved, start] = *access;
  Admit(*access);
  Transfers transfers;
  for (uint64_t i = 0; i < range.count; ++i) {
    const uint64_t page = range.first + i;
    Fill(page, resolved.physical[i], /*overwrite=*/fully_covered(page), transfers);
    CachedPage* cached = cache_.Find(process_.id(), page);
    const VirtAddr page_base = page * p;
    const VirtAddr from = std::max<VirtAddr>(address, page_base);
    const VirtAddr to = std::min<VirtAddr>(end, page_base + p);
    std::memcpy(cached->bytes.data() + (from - page_base), bytes.data() + (from - address),
                static_cast<size_t>(to - from));
    cached->dirty = true;
    cached->epoch = epoch_;
  }
  co_await Charge("write", std::max(Issue(transfers, start), LocalCopy(length, start)),
                  absl::StrCat("\"bytes\":", length));
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> SimMemory::Flush(Region region) {
  return WriteBackRegion(region, /*drop=*/false);
}

asio::awaitable<absl::Status> SimMemory::Evict(Region region) {
  return WriteBackRegion(region, /*drop=*/true);
}

asio::awaitable<absl::Status> SimMemory::WriteBackRegion(Region region, bool drop) {
  DDC_CO_ASSIGN_OR_RETURN(PageRange range, PagesOf(region.base, region.length));
  DDC_CO_RETURN_IF_ERROR(TakeLostWrite(range));
  absl::StatusOr<Resolved> resolved = Resolve(range);
  if (!resolved.ok()) {
    co_await process_.SuspendUntil(world_.fabric.Control(process_.Now()));
    co_return resolved.status();
  }
  // Ownership the CE could not confirm from its V2P cache costs an MMU round trip first.
  const Time start = resolved->needed_mmu ? world_.fabric.Control(process_.Now()) : process_.Now();
  absl::StatusOr<Time> done = WriteBack(range, start, drop);
  if (!done.ok()) {
    co_await process_.SuspendUntil(start + world_.fabric.rtt());
    co_return done.status();
  }
  co_await Charge(drop ? "evict" : "flush", *done);
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> SimMemory::Grant(std::vector<Region> regions, ProcessId destination) {
  DDC_CO_RETURN_IF_ERROR(ModeAllowsPrimitives("grant"));
  if (regions.empty()) co_return absl::InvalidArgumentError("grant: no regions given");
  std::vector<PageRange> ranges;
  for (const Region& region : regions) {
    DDC_CO_ASSIGN_OR_RETURN(PageRange range, AlignedPages(region, "grant"));
    ranges.push_back(range);
  }
  std::vector<size_t> order(ranges.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return ranges[a].first < ranges[b].first; });
  for (size_t k = 1; k < order.size(); ++k) {
    const PageRange& prev = ranges[order[k - 1]];
    if (prev.first + prev.count > ranges[order[k]].first) {
      co_return absl::InvalidArgumentError(absl::StrCat("grant: regions ",
                                                        Describe(regions[order[k - 1]]), " and ",
                                                        Describe(regions[order[k]]), " overlap"));
    }
  }
  auto check_destination = [&]() -> absl::Status {
    DDC_ASSIGN_OR_RETURN(sim::SimProcess * dst, world_.RackPeer(process_, destination, "grant"));
    if (!dst->alive()) {
      return absl::FailedPreconditionError(
          absl::StrCat("grant: destination \"", dst->name(), "\" is not running"));
    }
    if (static_cast<const SimMemory&>(dst->memory()).fenced()) {
      return absl::FailedPreconditionError(
          absl::StrCat("grant: destination \"", dst->name(), "\" was fenced by a steal"));
    }
    return absl::OkStatus();
  };
  auto check_owned = [&]() -> absl::Status {
    for (const PageRange& range : ranges) {
      DDC_RETURN_IF_ERROR(mmu_.CheckOwned(process_.id(), range.first, range.count));
      DDC_RETURN_IF_ERROR(mmu_.CheckAlive(process_.id(), range.first, range.count));
    }
    return CheckNotFenced("grant");
  };
  DDC_CO_RETURN_IF_ERROR(check_destination());
  DDC_CO_RETURN_IF_ERROR(check_owned());

  // 1. The caller's dirty cached pages go back to their MEs, and its cached copies are dropped.
  // Every range is checked before any is written back, so an error changes nothing.
  for (const PageRange& range : ranges) DDC_CO_RETURN_IF_ERROR(CheckWriteBack(range));
  Time flushed = process_.Now();
  for (const PageRange& range : ranges) {
    // Cached copies stay until the reassignment (step 2), so a refusal below changes nothing but
    // cleanliness.
    flushed = std::max(flushed, WriteBackChecked(range, process_.Now(), /*drop=*/false));
  }
  if (flushed > process_.Now()) co_await Charge("grant write-back", flushed);
  // The world may have moved while the write-back was in flight.
  DDC_CO_RETURN_IF_ERROR(check_destination());
  DDC_CO_RETURN_IF_ERROR(check_owned());

  // 2. The Rack MMU moves the V2P entries, revokes the caller and admits the destination. Pages
  // another thread of the caller cached (or dirtied) while the write-back was in flight must not
  // outlive the grant: dirty ones go to their MEs with the MMU update, and all are dropped, so
  // that no stale copy is found if the pages ever come back to the caller.
  std::vector<uint64_t> pages;
  Transfers late;
  for (const PageRange& range : ranges) {
    for (uint64_t page = range.first; page < range.first + range.count; ++page) {
      pages.push_back(page);
      std::optional<CachedPage> cached = cache_.Remove(process_.id(), page);
      if (cached && cached->dirty && CheckAtMe(page, cached->physical, kWrite).ok()) {
        world_.mes[Index(cached->physical.me)]->WriteFrame(cached->physical.frame, cached->bytes);
        late.store_bytes[Index(cached->physical.me)] += page_size_;
        world_.metrics.writebacks++;
      }
      cache_.InvalidateMapping(process_.id(), page);
    }
  }
  mmu_.Reassign(process_.id(), destination, pages);
  world_.metrics.grants++;
  world_.metrics.pages_granted += pages.size();
  co_await Charge(
      "grant", std::max(Issue(late, process_.Now()), MmuUpdate(static_cast<int64_t>(pages.size()))),
      absl::StrCat("\"pages\":", pages.size(), ",\"to\":", Index(destination)));

  // 3. Completed: the caller's OS tells the destination's OS, which tells the destination.
  platform::GrantNotice notice;
  notice.set_source(Index(process_.id()));
  for (const Region& region : regions) {
    platform::RegionMsg* r = notice.add_regions();
    r->set_base(region.base);
    r->set_length(region.length);
  }
  co_return process_.Send(destination, std::move(notice));
}

asio::awaitable<absl::StatusOr<std::vector<Region>>> SimMemory::Steal(
    ProcessId victim, Capability capability, std::optional<Region> region) {
  DDC_CO_RETURN_IF_ERROR(ModeAllowsPrimitives("steal"));
  DDC_CO_ASSIGN_OR_RETURN(sim::SimProcess * target, world_.RackPeer(process_, victim, "steal"));
  DDC_CO_RETURN_IF_ERROR(CheckNotFenced("steal"));
  DDC_CO_RETURN_IF_ERROR(mmu_.AuthorizeSteal(process_.id(), victim, capability));
  std::vector<uint64_t> pages;
  if (region) {
    DDC_CO_ASSIGN_OR_RETURN(PageRange range, AlignedPages(*region, "steal"));
    absl::Status owned = mmu_.CheckOwned(victim, range.first, range.count);
    if (owned.ok()) owned = mmu_.CheckAlive(victim, range.first, range.count);
    if (!owned.ok()) co_return absl::Status(owned.code(), absl::StrCat("steal: ", owned.message()));
    for (uint64_t page = range.first; page < range.first + range.count; ++page) {
      pages.push_back(page);
    }
  } else {
    // Pages on failed MEs hold nothing any more: they stay with the victim.
    for (uint64_t page : mmu_.PagesOf(victim)) {
      if (world_.mes[Index(mmu_.Lookup(victim, page)->me)]->alive()) pages.push_back(page);
    }
  }

  // The victim's CE (if it still runs) loses its cached copies and mappings; its owner epoch is
  // bumped so that anything it still sends to an ME is rejected; the ToR redirects and fences.
  // The victim's CE loses the stolen pages and every clean copy, so its next access goes to the
  // MEs and meets the bumped epoch. Dirty copies of pages it keeps stay: its next flush of them
  // fails loudly instead of the data vanishing without a word.
  mem::PageCache& victim_cache = world_.caches[Index(target->ce())];
  for (uint64_t page : pages) {
    victim_cache.Remove(victim, page);
    victim_cache.InvalidateMapping(victim, page);
  }
  victim_cache.RemoveClean(victim);
  mmu_.Reassign(victim, process_.id(), pages);
  const int64_t rewritten = mmu_.BumpEpoch(victim);
  world_.InstallStealRules(victim, process_.id());
  world_.metrics.steals++;
  world_.metrics.pages_stolen += pages.size();
  co_await Charge("steal", MmuUpdate(static_cast<int64_t>(pages.size()) + rewritten),
                  absl::StrCat("\"pages\":", pages.size(), ",\"victim\":", Index(victim)));
  co_return CoalescePages(pages, page_size_);
}

asio::awaitable<absl::Status> SimMemory::JoinTrustGroup(std::string group, std::string secret) {
  DDC_CO_RETURN_IF_ERROR(ModeAllowsPrimitives("join trust group"));
  absl::Status status = mmu_.JoinGroup(process_.id(), group, secret);
  co_await process_.SuspendUntil(world_.fabric.Control(process_.Now()));
  co_return status;
}

asio::awaitable<absl::Status> SimMemory::Publish(std::string name, VirtAddr root) {
  if (name.empty()) co_return absl::InvalidArgumentError("publish: empty name");
  mmu_.Publish(name, root);
  co_await process_.SuspendUntil(world_.fabric.Control(process_.Now()));
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<VirtAddr>> SimMemory::Lookup(std::string name) {
  absl::StatusOr<VirtAddr> root = mmu_.LookupName(name);
  co_await process_.SuspendUntil(world_.fabric.Control(process_.Now()));
  co_return root;
}

asio::awaitable<absl::StatusOr<std::vector<uint32_t>>> SimMemory::Checksums(Region region) {
  Time refused_at;
  absl::StatusOr<Prepared> access = Prepare(
      region.base, region.length, kRead, [](PageRange, uint64_t) { return true; }, refused_at);
  if (!access.ok()) {
    co_await process_.SuspendUntil(refused_at);
    co_return access.status();
  }
  const auto& [range, resolved, start] = *access;
  std::map<uint32_t, int64_t> pages_by_me;
  for (const PhysicalPage& phys : resolved.physical) pages_by_me[Index(phys.me)]++;
  CacheMappings(range, resolved);
  std::vector<uint32_t> sums;
  for (const PhysicalPage& phys : resolved.physical) {
    sums.push_back(world_.mes[Index(phys.me)]->Checksum(phys.frame));
  }
  const double rate = world_.config.cost_model().checksum_bandwidth_gbps();
  Time done = start;
  for (const auto& [me, pages] : pages_by_me) {
    const Duration work = TransmissionNs(pages * page_size_, rate);
    done = std::max(done, world_.fabric.MeCompute(process_.ce(), MeId{me}, work,
                                                  pages * int64_t{sizeof(uint32_t)}, start));
  }
  co_await Charge("checksums", done, absl::StrCat("\"pages\":", range.count));
  co_return sums;
}

std::vector<Region> SimMemory::Regions() const { return mmu_.RegionsOf(process_.id()); }

}  // namespace ddc::mem
