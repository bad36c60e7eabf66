// SimMemory is the memory service of one simulated process's OS: it implements the Memory
// interface (platform/memory.h) on the rack's hardware models. Ownership and permissions are
// checked per page, at the CE (its V2P cache) or the Rack MMU, and at the ME (its page table and
// owner epochs); data moves per cache line between the CE cache and the MEs over the memory
// fabric; grant and steal go through the Rack MMU.
//
// Internal to platform/.
//
// Every operation validates all of its input and plans all ME accesses before it changes any
// state, so an error leaves maps, page tables and caches as they were. State changes happen at
// one virtual instant; the caller then waits until the modeled completion time.
#ifndef DDC_PLATFORM_OS_SIM_MEMORY_H_
#define DDC_PLATFORM_OS_SIM_MEMORY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "platform/memory.h"
#include "platform/memory/ce_cache.h"
#include "platform/memory/rack_mmu.h"

namespace ddc::sim {
class World;
}

namespace ddc::os {

class SimProcess;

class SimMemory final : public Memory {
 public:
  SimMemory(SimProcess& process, sim::World& world);

  // fenced reports whether a steal has bumped this process's owner epoch since it launched.
  bool fenced() const;
  // OnLaunch refreshes the owner epoch the CE uses for this process (a new incarnation learns
  // the current epoch from the Rack MMU).
  void OnLaunch();

  int64_t page_size() const override { return page_size_; }
  asio::awaitable<absl::StatusOr<Region>> Allocate(int64_t bytes) override;
  asio::awaitable<absl::Status> Free(Region region) override;
  asio::awaitable<absl::StatusOr<std::string>> Read(VirtAddr address, int64_t length) override;
  asio::awaitable<absl::Status> Write(VirtAddr address, absl::string_view bytes) override;
  asio::awaitable<absl::Status> Flush(Region region) override;
  asio::awaitable<absl::Status> Evict(Region region) override;
  using Memory::Grant;
  asio::awaitable<absl::Status> Grant(std::vector<Region> regions, ProcessId destination) override;
  asio::awaitable<absl::StatusOr<std::vector<Region>>> Steal(ProcessId victim,
                                                             Capability capability,
                                                             std::optional<Region> region) override;
  asio::awaitable<absl::Status> JoinTrustGroup(std::string group, std::string secret) override;
  asio::awaitable<absl::Status> Publish(std::string name, VirtAddr root) override;
  asio::awaitable<absl::StatusOr<VirtAddr>> Lookup(std::string name) override;
  asio::awaitable<absl::StatusOr<std::vector<uint32_t>>> Checksums(Region region) override;
  std::vector<Region> Regions() const override;

 private:
  // A run of consecutive pages, or of consecutive cache lines.
  struct Range {
    uint64_t first;
    uint64_t count;
    uint64_t end() const { return first + count; }
  };
  // Resolution of a page range against the CE's V2P cache and the Rack MMU.
  struct Resolved {
    std::vector<mem::PhysicalPage> physical;  // one per page
    bool needed_mmu = false;                  // some mapping was not cached at the CE
  };
  // Prepared is an access that passed every check: its pages and lines, their physical
  // locations, and when its data transfers can start (after a Rack MMU lookup, if the CE had to
  // make one).
  struct Prepared {
    Range pages;
    Range lines;
    Resolved resolved;
    Time start;
    const mem::PhysicalPage& PhysicalOf(uint64_t page) const {
      return resolved.physical[page - pages.first];
    }
  };
  // Transfers collects the line data one call moves, so that it goes out as one batch per ME.
  struct Transfers {
    std::map<uint32_t, int64_t> fetch_bytes;  // by ME
    std::map<uint32_t, int64_t> store_bytes;  // by ME
  };

  // Charge records `op` on the process's trace track and suspends the caller until `until`.
  asio::awaitable<void> Charge(absl::string_view op, Time until, std::string args = {});
  // Prepare checks an access of [address, address + length): ownership (CE V2P cache, else the
  // Rack MMU), then the ME's permission for every page `needs_me` selects. It changes nothing;
  // on error, `refused_at` is when the caller learns of it.
  absl::StatusOr<Prepared> Prepare(VirtAddr address, int64_t length, mem::Permission permission,
                                   absl::FunctionRef<bool(uint64_t page)> needs_me,
                                   Time& refused_at);
  // NeedsMe is the predicate Prepare uses for reads and writes: a page must be checked at its ME
  // when one of the lines the access touches in it is not cached and will be fetched (for a
  // write, lines it wholly overwrites are not fetched), or when the access cannot fit the cache,
  // since its own fills may then evict lines it found cached.
  bool NeedsMe(uint64_t page, VirtAddr address, int64_t length, bool write) const;
  // MmuUpdate is the cost of one Rack MMU call writing `entries` page-table entries (counted in
  // the metrics): it returns when that call, started now, completes.
  Time MmuUpdate(int64_t entries);
  // Admit records a prepared access's mappings at the CE and pins its cached lines (Touch).
  void Admit(const Prepared& access);
  absl::StatusOr<Range> PagesOf(VirtAddr address, int64_t length) const;
  absl::StatusOr<Range> AlignedPages(const Region& region, absl::string_view op) const;
  Range LinesOf(VirtAddr address, int64_t length) const;
  Range LinesOfPages(Range pages) const;
  uint64_t PageOfLine(uint64_t line) const { return line / lines_per_page_; }
  int64_t OffsetInPage(uint64_t line) const {
    return static_cast<int64_t>(line % lines_per_page_) * line_size_;
  }
  absl::Status ModeAllowsPrimitives(absl::string_view op) const;
  // Resolve checks ownership of every page (CE V2P cache first, then the MMU) without changing
  // anything; CacheMappings then records the MMU's answers at the CE.
  absl::StatusOr<Resolved> Resolve(Range pages) const;
  void CacheMappings(Range pages, const Resolved& resolved);
  // CheckAtMe asks the ME whether this process may access the page now.
  absl::Status CheckAtMe(uint64_t page, const mem::PhysicalPage& phys,
                         mem::Permission permission) const;
  // Touch marks the range's cached lines most recently used, so that the call's own fills cannot
  // evict them (when the range fits the cache at all).
  void Touch(Range lines);
  // Fill makes `line` cached (fetching it unless `overwrite`), recording the fetch and any
  // write-back of an evicted dirty line in `transfers`.
  void Fill(uint64_t line, const mem::PhysicalPage& phys, bool overwrite, Transfers& transfers);
  void Insert(mem::CachedLine line, Transfers& transfers);
  // StoreLine writes a cached line to its ME frame and counts the write-back.
  void StoreLine(const mem::CachedLine& line, Transfers& transfers);
  // Issue charges the batched transfers on the fabric and returns when all complete.
  Time Issue(const Transfers& transfers, Time start);
  // WriteBackRegion is Flush (drop = false) and Evict (drop = true).
  asio::awaitable<absl::Status> WriteBackRegion(Region region, bool drop);
  // CheckWriteBack checks every dirty line of the range at its ME, so that on error nothing was
  // written or dropped; WriteBackChecked then stores the dirty lines, batched per ME.
  absl::Status CheckWriteBack(Range lines);
  Time WriteBackChecked(Range lines, Time start, bool drop);
  // DropPages removes every cached line and V2P entry `owner` has for `pages` from `cache`,
  // writing dirty lines back first when `write_back_dirty` (and the ME accepts them).
  void DropPages(mem::CeCache& cache, ProcessId owner, Range pages, bool write_back_dirty,
                 Transfers& transfers);
  // CheckNotFenced refuses requests of a process whose owner epoch a steal has bumped (a
  // straggler still running after its memory was stolen): the Rack MMU rejects its stale epoch.
  absl::Status CheckNotFenced(absl::string_view op) const;
  Time LocalCopy(int64_t bytes, Time start) const;
  // ReportUnavailable reports an access that found its ME dead to the failure-notification path.
  void ReportUnavailable(const mem::PhysicalPage& phys);
  // TakeLostWrite returns (and forgets) the first lost write-back in `lines`, or OK.
  absl::Status TakeLostWrite(Range lines);

  SimProcess& process_;
  sim::World& world_;
  mem::RackMmu& mmu_;
  mem::CeCache& cache_;
  const int64_t page_size_;
  const int64_t line_size_;
  const uint64_t lines_per_page_;
  uint32_t epoch_ = 0;
};

}  // namespace ddc::os

#endif  // DDC_PLATFORM_OS_SIM_MEMORY_H_
