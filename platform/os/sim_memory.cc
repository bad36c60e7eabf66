#include "platform/os/sim_memory.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "platform/cost_model.h"
#include "platform/notices.pb.h"
#include "platform/os/sim_process.h"
#include "platform/sim/world.h"
#include "platform/status_macros.h"

namespace ddc::os {
namespace {

using mem::CachedLine;
using mem::PhysicalPage;

std::string Describe(const Region& r) { return absl::StrFormat("[0x%x, 0x%x)", r.base, r.end()); }

}  // namespace

SimMemory::SimMemory(SimProcess& process, sim::World& world)
    : process_(process),
      world_(world),
      mmu_(world.mmu(process.ce())),
      cache_(world.cache(process.ce())),
      page_size_(world.config().memory().page_size()),
      line_size_(world.config().memory().cache_line_bytes()),
      lines_per_page_(static_cast<uint64_t>(page_size_ / line_size_)) {}

void SimMemory::OnLaunch() { epoch_ = mmu_.epoch(process_.id()); }

asio::awaitable<void> SimMemory::Charge(absl::string_view op, Time until, std::string args) {
  const Time start = process_.Now();
  world_.tracer().Complete(process_.track(), op, start, std::max<Time>(until - start, 0),
                           std::move(args));
  return process_.SuspendUntil(until);
}

absl::StatusOr<SimMemory::Range> SimMemory::PagesOf(VirtAddr address, int64_t length) const {
  if (length <= 0) {
    return absl::InvalidArgumentError(absl::StrCat("access length must be > 0, got ", length));
  }
  if (length > (int64_t{1} << kAddressOwnerShift)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "access length ", length, " exceeds a process's address range of 2^", kAddressOwnerShift));
  }
  const VirtAddr end = address + static_cast<VirtAddr>(length);
  if (end < address) {
    return absl::InvalidArgumentError("access range wraps around the address space");
  }
  const uint64_t p = static_cast<uint64_t>(page_size_);
  return Range{address / p, (end - 1) / p - address / p + 1};
}

absl::StatusOr<SimMemory::Range> SimMemory::AlignedPages(const Region& region,
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
  return Range{region.base / p, static_cast<uint64_t>(region.length) / p};
}

SimMemory::Range SimMemory::LinesOf(VirtAddr address, int64_t length) const {
  const uint64_t l = static_cast<uint64_t>(line_size_);
  const VirtAddr end = address + static_cast<VirtAddr>(length);
  return Range{address / l, (end - 1) / l - address / l + 1};
}

SimMemory::Range SimMemory::LinesOfPages(Range pages) const {
  return Range{pages.first * lines_per_page_, pages.count * lines_per_page_};
}

bool SimMemory::fenced() const { return epoch_ != mmu_.epoch(process_.id()); }

absl::Status SimMemory::TakeLostWrite(Range lines) {
  std::optional<std::pair<uint64_t, absl::Status>> lost =
      cache_.TakeLostWrite(process_.id(), lines.first, lines.count);
  if (!lost) return absl::OkStatus();
  return absl::Status(
      lost->second.code(),
      absl::StrFormat("a dirty line at 0x%x was evicted but its write-back failed: %s",
                      lost->first * static_cast<uint64_t>(line_size_), lost->second.message()));
}

bool SimMemory::NeedsMe(uint64_t page, VirtAddr address, int64_t length, bool write) const {
  const Range access = LinesOf(address, length);
  const bool over_capacity = access.count > static_cast<uint64_t>(cache_.capacity());
  const uint64_t l = static_cast<uint64_t>(line_size_);
  const VirtAddr end = address + static_cast<VirtAddr>(length);
  const uint64_t first = std::max(access.first, page * lines_per_page_);
  const uint64_t last = std::min(access.end(), (page + 1) * lines_per_page_);
  for (uint64_t line = first; line < last; ++line) {
    const bool wholly_overwritten = write && address <= line * l && end >= (line + 1) * l;
    if (wholly_overwritten) continue;
    if (over_capacity || cache_.Peek(process_.id(), line) == nullptr) return true;
  }
  return false;
}

absl::Status SimMemory::CheckNotFenced(absl::string_view op) const {
  const uint32_t current = mmu_.epoch(process_.id());
  if (epoch_ == current) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrFormat(
      "%s: process %d was fenced by a steal (its owner epoch %d is stale, current %d)", op,
      Index(process_.id()), epoch_, current));
}

absl::Status SimMemory::ModeAllowsPrimitives(absl::string_view op) const {
  if (world_.mode() == Mode::kTransparent) {
    return absl::FailedPreconditionError(
        absl::StrCat(op, " is not available in transparent mode: the OS hides the rack"));
  }
  return absl::OkStatus();
}

absl::StatusOr<SimMemory::Resolved> SimMemory::Resolve(Range pages) const {
  Resolved resolved;
  resolved.physical.reserve(pages.count);
  for (uint64_t page = pages.first; page < pages.end(); ++page) {
    if (const PhysicalPage* cached = cache_.FindMapping(process_.id(), page)) {
      resolved.physical.push_back(*cached);
      continue;
    }
    resolved.needed_mmu = true;
    const PhysicalPage* phys = mmu_.Lookup(process_.id(), page);
    if (phys == nullptr) {
      DDC_RETURN_IF_ERROR(mmu_.CheckOwned(process_.id(), pages.first, pages.count));
      return absl::InternalError("V2P lookup failed but ownership check passed");
    }
    resolved.physical.push_back(*phys);
  }
  return resolved;
}

void SimMemory::CacheMappings(Range pages, const Resolved& resolved) {
  if (!resolved.needed_mmu) return;
  for (uint64_t i = 0; i < pages.count; ++i) {
    cache_.CacheMapping(process_.id(), pages.first + i, resolved.physical[i]);
  }
}

absl::Status SimMemory::CheckAtMe(uint64_t page, const PhysicalPage& phys,
                                  mem::Permission permission) const {
  return world_.me(phys.me).Check(phys.frame, process_.id(), page, epoch_, permission);
}

absl::StatusOr<SimMemory::Prepared> SimMemory::Prepare(
    VirtAddr address, int64_t length, mem::Permission permission,
    absl::FunctionRef<bool(uint64_t page)> needs_me, Time& refused_at) {
  const Time now = process_.Now();
  refused_at = now;
  DDC_ASSIGN_OR_RETURN(Range pages, PagesOf(address, length));
  absl::StatusOr<Resolved> resolved = Resolve(pages);
  if (!resolved.ok()) {
    refused_at = world_.fabric().Control(now);
    // A process a steal has fenced (a zombie) learns that first, then why the page is refused.
    if (absl::Status fenced = CheckNotFenced("access"); !fenced.ok()) {
      return absl::PermissionDeniedError(
          absl::StrCat(fenced.message(), "; ", resolved.status().message()));
    }
    return resolved.status();
  }
  const Time start = resolved->needed_mmu ? world_.fabric().Control(now) : now;
  if (resolved->needed_mmu) {
    // The rack MMU knows the owner epoch: a fenced process learns it at its first lookup.
    if (absl::Status fenced = CheckNotFenced("access"); !fenced.ok()) {
      refused_at = start;
      return fenced;
    }
  }
  for (uint64_t i = 0; i < pages.count; ++i) {
    if (!needs_me(pages.first + i)) continue;
    absl::Status status = CheckAtMe(pages.first + i, resolved->physical[i], permission);
    if (!status.ok()) {
      if (absl::IsUnavailable(status)) ReportUnavailable(resolved->physical[i]);
      refused_at = start + world_.fabric().rtt();
      return status;
    }
  }
  return Prepared{pages, LinesOf(address, length), *std::move(resolved), start};
}

void SimMemory::ReportUnavailable(const PhysicalPage& phys) {
  world_.ReportMemoryFailure(process_.id(), phys.me);
}

Time SimMemory::LocalCopy(int64_t bytes, Time start) const {
  const config::CostModel& c = world_.config().cost_model();
  return start + c.local_dram_access_ns() + TransmissionNs(bytes, c.local_dram_bandwidth_gbps());
}

void SimMemory::StoreLine(const CachedLine& line, Transfers& transfers) {
  world_.me(line.physical.me).WriteFrame(line.physical.frame, OffsetInPage(line.line), line.bytes);
  transfers.store_bytes[Index(line.physical.me)] += line_size_;
  world_.metrics().writebacks++;
}

void SimMemory::Insert(CachedLine line, Transfers& transfers) {
  std::optional<CachedLine> evicted = cache_.Insert(std::move(line));
  if (!evicted || !evicted->dirty) return;
  // Write-back of a dirty victim: it reaches the ME only if the ME still accepts it.
  absl::Status accepted = world_.me(evicted->physical.me)
                              .Check(evicted->physical.frame, evicted->process,
                                     PageOfLine(evicted->line), evicted->epoch, mem::kWrite);
  if (!accepted.ok()) {
    // The line may belong to another process of this CE: its next flush learns of the loss.
    world_.metrics().writebacks++;
    world_.metrics().writeback_failures++;
    if (absl::IsUnavailable(accepted)) {
      world_.ReportMemoryFailure(evicted->process, evicted->physical.me);
    }
    cache_.RecordLostWrite(evicted->process, evicted->line, std::move(accepted));
    return;
  }
  StoreLine(*evicted, transfers);
}

Time SimMemory::MmuUpdate(int64_t entries) {
  world_.metrics().mmu_pages_updated += static_cast<uint64_t>(entries);
  return world_.fabric().Control(process_.Now()) +
         SaturatingMul(entries, world_.config().cost_model().mmu_update_per_page_ns());
}

void SimMemory::Admit(const Prepared& access) {
  CacheMappings(access.pages, access.resolved);
  Touch(access.lines);
}

void SimMemory::Touch(Range lines) {
  if (lines.count > static_cast<uint64_t>(cache_.capacity())) return;
  for (uint64_t line = lines.first; line < lines.end(); ++line) cache_.Find(process_.id(), line);
}

void SimMemory::Fill(uint64_t line, const PhysicalPage& phys, bool overwrite,
                     Transfers& transfers) {
  if (cache_.Find(process_.id(), line) != nullptr) {
    world_.metrics().cache_hits++;
    return;
  }
  CachedLine fresh{process_.id(), line, phys, epoch_, std::string(line_size_, '\0'), false};
  if (!overwrite) {
    world_.metrics().cache_misses++;
    world_.me(phys.me).ReadFrame(phys.frame, OffsetInPage(line), line_size_, fresh.bytes.data());
    transfers.fetch_bytes[Index(phys.me)] += line_size_;
  }
  Insert(std::move(fresh), transfers);
}

Time SimMemory::Issue(const Transfers& transfers, Time start) {
  Time done = start;
  for (const auto& [me, bytes] : transfers.fetch_bytes) {
    done = std::max(done, world_.fabric().Fetch(process_.ce(), MeId{me}, bytes, start));
  }
  for (const auto& [me, bytes] : transfers.store_bytes) {
    done = std::max(done, world_.fabric().Store(process_.ce(), MeId{me}, bytes, start));
  }
  return done;
}

absl::Status SimMemory::CheckWriteBack(Range lines) {
  for (uint64_t line = lines.first; line < lines.end(); ++line) {
    const CachedLine* cached = cache_.Peek(process_.id(), line);
    if (cached == nullptr || !cached->dirty) continue;
    absl::Status status = CheckAtMe(PageOfLine(line), cached->physical, mem::kWrite);
    if (!status.ok()) {
      if (absl::IsUnavailable(status)) ReportUnavailable(cached->physical);
      return status;
    }
  }
  return absl::OkStatus();
}

Time SimMemory::WriteBackChecked(Range lines, Time start, bool drop) {
  std::vector<uint64_t> dirty;
  for (uint64_t line = lines.first; line < lines.end(); ++line) {
    const CachedLine* cached = cache_.Peek(process_.id(), line);
    if (cached != nullptr && cached->dirty) dirty.push_back(line);
  }
  Transfers transfers;
  for (uint64_t line : dirty) {
    CachedLine* cached = cache_.Find(process_.id(), line);
    StoreLine(*cached, transfers);
    cached->dirty = false;
  }
  if (drop) {
    for (uint64_t line = lines.first; line < lines.end(); ++line) {
      cache_.Remove(process_.id(), line);
    }
  }
  return Issue(transfers, start);
}

void SimMemory::DropPages(mem::CeCache& cache, ProcessId owner, Range pages, bool write_back_dirty,
                          Transfers& transfers) {
  for (uint64_t page = pages.first; page < pages.end(); ++page) {
    const Range lines = LinesOfPages({page, 1});
    for (uint64_t line = lines.first; line < lines.end(); ++line) {
      std::optional<CachedLine> cached = cache.Remove(owner, line);
      if (write_back_dirty && cached && cached->dirty &&
          CheckAtMe(page, cached->physical, mem::kWrite).ok()) {
        StoreLine(*cached, transfers);
      }
    }
    cache.InvalidateMapping(owner, page);
  }
}

asio::awaitable<absl::StatusOr<Region>> SimMemory::Allocate(int64_t bytes) {
  DDC_CO_RETURN_IF_ERROR(CheckNotFenced("allocate"));
  absl::StatusOr<Region> region = mmu_.Allocate(process_.id(), bytes);
  if (!region.ok()) co_return region.status();
  const Range pages{region->base / static_cast<uint64_t>(page_size_),
                    static_cast<uint64_t>(region->length / page_size_)};
  for (uint64_t page = pages.first; page < pages.end(); ++page) {
    cache_.CacheMapping(process_.id(), page, *mmu_.Lookup(process_.id(), page));
  }
  co_await Charge("allocate", MmuUpdate(static_cast<int64_t>(pages.count)),
                  absl::StrCat("\"pages\":", pages.count));
  co_return region;
}

asio::awaitable<absl::Status> SimMemory::Free(Region region) {
  DDC_CO_ASSIGN_OR_RETURN(Range pages, AlignedPages(region, "free"));
  DDC_CO_RETURN_IF_ERROR(mmu_.CheckOwned(process_.id(), pages.first, pages.count));
  DDC_CO_RETURN_IF_ERROR(CheckNotFenced("free"));
  Transfers none;
  DropPages(cache_, process_.id(), pages, /*write_back_dirty=*/false, none);
  mmu_.Unmap(process_.id(), pages.first, pages.count);
  co_await Charge("free", MmuUpdate(static_cast<int64_t>(pages.count)),
                  absl::StrCat("\"pages\":", pages.count));
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::string>> SimMemory::Read(VirtAddr address, int64_t length) {
  Time refused_at;
  absl::StatusOr<Prepared> access = Prepare(
      address, length, mem::kRead,
      [&](uint64_t page) { return NeedsMe(page, address, length, /*write=*/false); }, refused_at);
  if (!access.ok()) {
    co_await process_.SuspendUntil(refused_at);
    co_return access.status();
  }
  Admit(*access);
  std::string out(static_cast<size_t>(length), '\0');
  Transfers transfers;
  const uint64_t l = static_cast<uint64_t>(line_size_);
  // Line by line, so a read larger than the cache still returns every byte; the misses are then
  // fetched as one batch per ME.
  for (uint64_t line = access->lines.first; line < access->lines.end(); ++line) {
    Fill(line, access->PhysicalOf(PageOfLine(line)), /*overwrite=*/false, transfers);
    const CachedLine* cached = cache_.Peek(process_.id(), line);
    const VirtAddr line_base = line * l;
    const VirtAddr from = std::max<VirtAddr>(address, line_base);
    const VirtAddr to = std::min<VirtAddr>(address + static_cast<VirtAddr>(length), line_base + l);
    std::memcpy(out.data() + (from - address), cached->bytes.data() + (from - line_base),
                static_cast<size_t>(to - from));
  }
  co_await Charge("read",
                  std::max(Issue(transfers, access->start), LocalCopy(length, access->start)),
                  absl::StrCat("\"bytes\":", length));
  co_return out;
}

asio::awaitable<absl::Status> SimMemory::Write(VirtAddr address, absl::string_view bytes) {
  const int64_t length = static_cast<int64_t>(bytes.size());
  const uint64_t l = static_cast<uint64_t>(line_size_);
  const VirtAddr end = address + static_cast<VirtAddr>(length);
  auto wholly_covered = [&](uint64_t line) { return address <= line * l && end >= (line + 1) * l; };
  Time refused_at;
  absl::StatusOr<Prepared> access = Prepare(
      address, length, mem::kReadWrite,
      [&](uint64_t page) { return NeedsMe(page, address, length, /*write=*/true); }, refused_at);
  if (!access.ok()) {
    co_await process_.SuspendUntil(refused_at);
    co_return access.status();
  }
  Admit(*access);
  Transfers transfers;
  // Partially written lines that are not cached are fetched first.
  for (uint64_t line = access->lines.first; line < access->lines.end(); ++line) {
    Fill(line, access->PhysicalOf(PageOfLine(line)), /*overwrite=*/wholly_covered(line), transfers);
    CachedLine* cached = cache_.Find(process_.id(), line);
    const VirtAddr line_base = line * l;
    const VirtAddr from = std::max<VirtAddr>(address, line_base);
    const VirtAddr to = std::min<VirtAddr>(end, line_base + l);
    std::memcpy(cached->bytes.data() + (from - line_base), bytes.data() + (from - address),
                static_cast<size_t>(to - from));
    cached->dirty = true;
    cached->epoch = epoch_;
  }
  co_await Charge("write",
                  std::max(Issue(transfers, access->start), LocalCopy(length, access->start)),
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
  DDC_CO_ASSIGN_OR_RETURN(Range pages, PagesOf(region.base, region.length));
  const Range lines = LinesOf(region.base, region.length);
  DDC_CO_RETURN_IF_ERROR(TakeLostWrite(lines));
  absl::StatusOr<Resolved> resolved = Resolve(pages);
  if (!resolved.ok()) {
    co_await process_.SuspendUntil(world_.fabric().Control(process_.Now()));
    co_return resolved.status();
  }
  // Ownership the CE could not confirm from its V2P cache costs an MMU round trip first.
  const Time start =
      resolved->needed_mmu ? world_.fabric().Control(process_.Now()) : process_.Now();
  absl::Status checked =
      resolved->needed_mmu ? CheckNotFenced(drop ? "evict" : "flush") : absl::OkStatus();
  if (checked.ok()) checked = CheckWriteBack(lines);
  if (!checked.ok()) {
    co_await process_.SuspendUntil(start + world_.fabric().rtt());
    co_return checked;
  }
  co_await Charge(drop ? "evict" : "flush", WriteBackChecked(lines, start, drop));
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> SimMemory::Grant(std::vector<Region> regions, ProcessId destination) {
  DDC_CO_RETURN_IF_ERROR(ModeAllowsPrimitives("grant"));
  if (regions.empty()) co_return absl::InvalidArgumentError("grant: no regions given");
  std::vector<Range> ranges;
  for (const Region& region : regions) {
    DDC_CO_ASSIGN_OR_RETURN(Range range, AlignedPages(region, "grant"));
    ranges.push_back(range);
  }
  std::vector<size_t> order(ranges.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return ranges[a].first < ranges[b].first; });
  for (size_t k = 1; k < order.size(); ++k) {
    if (ranges[order[k - 1]].end() > ranges[order[k]].first) {
      co_return absl::InvalidArgumentError(absl::StrCat("grant: regions ",
                                                        Describe(regions[order[k - 1]]), " and ",
                                                        Describe(regions[order[k]]), " overlap"));
    }
  }
  auto check_destination = [&]() -> absl::Status {
    DDC_ASSIGN_OR_RETURN(sim::ProcessControl * dst,
                         world_.RackPeer(process_.id(), destination, "grant"));
    if (!dst->alive()) {
      return absl::FailedPreconditionError(
          absl::StrCat("grant: destination \"", dst->name(), "\" is not running"));
    }
    if (dst->fenced()) {
      return absl::FailedPreconditionError(
          absl::StrCat("grant: destination \"", dst->name(), "\" was fenced by a steal"));
    }
    return absl::OkStatus();
  };
  auto check_owned = [&]() -> absl::Status {
    // Fenced first: a fenced caller keeps the pages a steal left on a failed ME, and its grant of
    // those must be refused because it was fenced, not reported UNAVAILABLE.
    DDC_RETURN_IF_ERROR(CheckNotFenced("grant"));
    for (const Range& range : ranges) {
      DDC_RETURN_IF_ERROR(mmu_.CheckOwned(process_.id(), range.first, range.count));
      DDC_RETURN_IF_ERROR(mmu_.CheckAlive(process_.id(), range.first, range.count));
    }
    return absl::OkStatus();
  };
  DDC_CO_RETURN_IF_ERROR(check_destination());
  DDC_CO_RETURN_IF_ERROR(check_owned());

  // 1. The caller's dirty cached lines go back to their MEs. Every range is checked before any is
  // written back, so an error changes nothing.
  for (const Range& range : ranges) DDC_CO_RETURN_IF_ERROR(CheckWriteBack(LinesOfPages(range)));
  Time flushed = process_.Now();
  for (const Range& range : ranges) {
    // Cached copies stay until the reassignment (step 2), so a refusal below changes nothing but
    // cleanliness.
    flushed =
        std::max(flushed, WriteBackChecked(LinesOfPages(range), process_.Now(), /*drop=*/false));
  }
  if (flushed > process_.Now()) co_await Charge("grant write-back", flushed);
  // The world may have moved while the write-back was in flight.
  DDC_CO_RETURN_IF_ERROR(check_destination());
  DDC_CO_RETURN_IF_ERROR(check_owned());

  // 2. The Rack MMU moves the V2P entries, revokes the caller and admits the destination. Lines
  // another thread of the caller cached (or dirtied) while the write-back was in flight must not
  // outlive the grant: dirty ones go to their MEs with the MMU update, and all are dropped, so
  // that no stale copy is found if the pages ever come back to the caller.
  std::vector<uint64_t> pages;
  Transfers late;
  for (const Range& range : ranges) {
    DropPages(cache_, process_.id(), range, /*write_back_dirty=*/true, late);
    for (uint64_t page = range.first; page < range.end(); ++page) pages.push_back(page);
  }
  mmu_.Reassign(process_.id(), destination, pages);
  world_.metrics().grants++;
  world_.metrics().pages_granted += pages.size();
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
  // The OS sends the notice in the process's own name (not an identity it assumed), and the
  // grant has taken effect whatever becomes of the notice: a refused send (the caller was fenced
  // or its assumed identity's redirect lifted during the MMU round trip) is like a dropped one.
  (void)world_.Send(process_,
                    {.as = process_.id(),
                     .to = destination,
                     .message = std::make_shared<const platform::GrantNotice>(std::move(notice))});
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::vector<Region>>> SimMemory::Steal(
    ProcessId victim, Capability capability, std::optional<Region> region) {
  DDC_CO_RETURN_IF_ERROR(ModeAllowsPrimitives("steal"));
  DDC_CO_ASSIGN_OR_RETURN(sim::ProcessControl * target,
                          world_.RackPeer(process_.id(), victim, "steal"));
  DDC_CO_RETURN_IF_ERROR(CheckNotFenced("steal"));
  DDC_CO_RETURN_IF_ERROR(mmu_.AuthorizeSteal(process_.id(), victim, capability));
  std::vector<uint64_t> pages;
  if (region) {
    DDC_CO_ASSIGN_OR_RETURN(Range range, AlignedPages(*region, "steal"));
    absl::Status owned = mmu_.CheckOwned(victim, range.first, range.count);
    if (owned.ok()) owned = mmu_.CheckAlive(victim, range.first, range.count);
    if (!owned.ok()) co_return absl::Status(owned.code(), absl::StrCat("steal: ", owned.message()));
    for (uint64_t page = range.first; page < range.end(); ++page) pages.push_back(page);
  } else {
    // Pages on failed MEs hold nothing any more: they stay with the victim.
    for (uint64_t page : mmu_.PagesOf(victim)) {
      if (world_.me(mmu_.Lookup(victim, page)->me).alive()) pages.push_back(page);
    }
  }

  // The victim's CE (if it still runs) loses its cached copies of the stolen pages, every clean
  // line and every V2P entry, so its next access, even a write of whole cached lines, goes to the
  // rack MMU and meets the bumped owner epoch. Dirty lines of pages it keeps stay: its next flush
  // of them fails loudly instead of the data vanishing without a word. Then the victim's epoch is
  // bumped and the ToR redirects and fences.
  mem::CeCache& victim_cache = world_.cache(target->ce());
  Transfers none;
  for (uint64_t page : pages) {
    DropPages(victim_cache, victim, {page, 1}, /*write_back_dirty=*/false, none);
  }
  victim_cache.RemoveClean(victim);
  victim_cache.InvalidateMappings(victim);
  // Under the address-space extension a whole-space steal rewrites one entry per ME that holds
  // the victim's pages (moved, or kept on a failed ME and re-epoched), not one per page.
  std::set<uint32_t> mes;
  const bool whole_space = !region && world_.config().memory().steal_granularity() ==
                                          config::MemoryConfig::ADDRESS_SPACE;
  if (whole_space) {
    for (uint64_t page : mmu_.PagesOf(victim)) mes.insert(Index(mmu_.Lookup(victim, page)->me));
  }
  mmu_.Reassign(victim, process_.id(), pages);
  const int64_t rewritten = mmu_.BumpEpoch(victim);
  world_.InstallStealRules(victim, process_.id());
  world_.metrics().steals++;
  world_.metrics().pages_stolen += pages.size();
  const int64_t entries = whole_space ? static_cast<int64_t>(mes.size())
                                      : static_cast<int64_t>(pages.size()) + rewritten;
  co_await Charge("steal", MmuUpdate(entries),
                  absl::StrCat("\"pages\":", pages.size(), ",\"victim\":", Index(victim)));
  co_return mem::CoalescePages(pages, page_size_);
}

asio::awaitable<absl::Status> SimMemory::JoinTrustGroup(std::string group, std::string secret) {
  DDC_CO_RETURN_IF_ERROR(ModeAllowsPrimitives("join trust group"));
  absl::Status status = mmu_.JoinGroup(process_.id(), group, secret);
  co_await process_.SuspendUntil(world_.fabric().Control(process_.Now()));
  co_return status;
}

asio::awaitable<absl::Status> SimMemory::Publish(std::string name, VirtAddr root) {
  if (name.empty()) co_return absl::InvalidArgumentError("publish: empty name");
  DDC_CO_RETURN_IF_ERROR(CheckNotFenced("publish"));
  mmu_.Publish(name, root);
  co_await process_.SuspendUntil(world_.fabric().Control(process_.Now()));
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<VirtAddr>> SimMemory::Lookup(std::string name) {
  absl::StatusOr<VirtAddr> root = mmu_.LookupName(name);
  co_await process_.SuspendUntil(world_.fabric().Control(process_.Now()));
  co_return root;
}

asio::awaitable<absl::StatusOr<std::vector<uint32_t>>> SimMemory::Checksums(Region region) {
  Time refused_at;
  absl::StatusOr<Prepared> access = Prepare(
      region.base, region.length, mem::kRead, [](uint64_t) { return true; }, refused_at);
  if (!access.ok()) {
    co_await process_.SuspendUntil(refused_at);
    co_return access.status();
  }
  std::map<uint32_t, int64_t> pages_by_me;
  for (const PhysicalPage& phys : access->resolved.physical) pages_by_me[Index(phys.me)]++;
  CacheMappings(access->pages, access->resolved);
  std::vector<uint32_t> sums;
  for (const PhysicalPage& phys : access->resolved.physical) {
    sums.push_back(world_.me(phys.me).Checksum(phys.frame));
  }
  const double rate = world_.config().cost_model().checksum_bandwidth_gbps();
  Time done = access->start;
  for (const auto& [me, pages] : pages_by_me) {
    const Duration work = TransmissionNs(pages * page_size_, rate);
    done =
        std::max(done, world_.fabric().MeCompute(process_.ce(), MeId{me}, work,
                                                 pages * int64_t{sizeof(uint32_t)}, access->start));
  }
  co_await Charge("checksums", done, absl::StrCat("\"pages\":", access->pages.count));
  co_return sums;
}

std::vector<Region> SimMemory::Regions() const { return mmu_.RegionsOf(process_.id()); }

}  // namespace ddc::os
