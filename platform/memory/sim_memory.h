// SimMemory implements the Memory interface for one simulated process: it checks ownership at
// the CE (its V2P cache) or the Rack MMU, moves page data between the CE page cache and the MEs
// over the memory fabric, and carries out grant and steal through the Rack MMU.
//
// Internal to platform/.
//
// Every operation validates all of its input and plans all ME accesses before it changes any
// state, so an error leaves maps, page tables and caches as they were. State changes happen at
// one virtual instant; the caller then waits until the modeled completion time.
#ifndef DDC_PLATFORM_MEMORY_SIM_MEMORY_H_
#define DDC_PLATFORM_MEMORY_SIM_MEMORY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "platform/memory.h"
#include "platform/memory/page_cache.h"
#include "platform/memory/rack_mmu.h"

namespace ddc::sim {
class SimProcess;
class World;
}  // namespace ddc::sim

namespace ddc::mem {

class SimMemory final : public Memory {
 public:
  explicit SimMemory(sim::SimProcess& process);

  // fenced reports whether a steal has bumped this process's owner epoch since it launched.
  bool fenced() const;
  // RecordLostWrite remembers that a dirty page of this process was evicted from its CE cache but
  // its ME refused it; the next Flush or Evict covering the page returns `status`.
  void RecordLostWrite(uint64_t page, absl::Status status);

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
  struct PageRange {
    uint64_t first;
    uint64_t count;
  };
  // Resolution of a page range against the CE's V2P cache and the Rack MMU.
  struct Resolved {
    std::vector<PhysicalPage> physical;  // one per page
    bool needed_mmu = false;             // some mapping was not cached at the CE
  };

  // Charge records `op` on the process's trace track and suspends the caller until `until`.
  asio::awaitable<void> Charge(absl::string_view op, Time until, std::string args = {});
  // Prepared is an access that passed every check: its pages, their physical locations, and when
  // its data transfers can start (after a Rack MMU lookup, if the CE had to make one).
  struct Prepared {
    PageRange range;
    Resolved resolved;
    Time start;
  };
  // Prepare checks an access of [address, address + length): ownership (CE V2P cache, else the
  // Rack MMU), then the ME's permission for every page `needs_me` selects. It changes nothing;
  // on error, `refused_at` is when the caller learns of it.
  absl::StatusOr<Prepared> Prepare(VirtAddr address, int64_t length, Permission permission,
                                   absl::FunctionRef<bool(PageRange, uint64_t)> needs_me,
                                   Time& refused_at);
  // MmuUpdate is the cost of one Rack MMU call writing `entries` page-table entries (counted in
  // the metrics): it returns when that call, started now, completes.
  Time MmuUpdate(int64_t entries);
  // Admit records a prepared access's mappings at the CE and pins its cached pages (Touch).
  void Admit(const Prepared& access);
  absl::StatusOr<PageRange> PagesOf(VirtAddr address, int64_t length) const;
  absl::StatusOr<PageRange> AlignedPages(const Region& region, absl::string_view op) const;
  absl::Status ModeAllowsPrimitives(absl::string_view op) const;
  // Resolve checks ownership of every page (CE V2P cache first, then the MMU) without changing
  // anything; CacheMappings then records the MMU's answers at the CE.
  absl::StatusOr<Resolved> Resolve(PageRange range) const;
  void CacheMappings(PageRange range, const Resolved& resolved);
  // CheckAtMe asks the ME whether this process may access the page now.
  absl::Status CheckAtMe(uint64_t page, const PhysicalPage& phys, Permission permission) const;
  // Transfers collects the page data one call moves, so that it goes out as one batch per ME.
  struct Transfers {
    std::map<uint32_t, int64_t> fetch_bytes;  // by ME
    std::map<uint32_t, int64_t> store_bytes;  // by ME
  };
  // Fill makes `page` cached (fetching it unless `overwrite`), recording the fetch and any
  // write-back of an evicted dirty page in `transfers`.
  // Touch marks the range's cached pages most recently used, so that the call's own fills cannot
  // evict them (when the range fits the cache at all).
  void Touch(PageRange range);
  void Fill(uint64_t page, const PhysicalPage& phys, bool overwrite, Transfers& transfers);
  void Insert(CachedPage page, Transfers& transfers);
  // Issue charges the batched transfers on the fabric and returns when all complete.
  Time Issue(const Transfers& transfers, Time start);
  // WriteBackRegion is Flush (drop = false) and Evict (drop = true).
  asio::awaitable<absl::Status> WriteBackRegion(Region region, bool drop);
  // WriteBack stores dirty cached pages of the range to their MEs, batched per ME. It first
  // checks every dirty page at its ME (CheckWriteBack), so on error nothing was written or dropped.
  absl::StatusOr<Time> WriteBack(PageRange range, Time start, bool drop);
  absl::Status CheckWriteBack(PageRange range);
  Time WriteBackChecked(PageRange range, Time start, bool drop);
  // CheckNotFenced refuses requests of a process whose owner epoch a steal has bumped (a
  // straggler still running after its memory was stolen): the Rack MMU rejects its stale epoch.
  absl::Status CheckNotFenced(absl::string_view op) const;
  Time LocalCopy(int64_t bytes, Time start) const;
  // Fail reports an access that found its ME dead to the failure-notification path.
  void ReportUnavailable(const PhysicalPage& phys);

  // TakeLostWrite returns (and forgets) the first lost write in `range`, or OK.
  absl::Status TakeLostWrite(PageRange range);
  // MustConsultMe is the predicate Prepare uses for reads and writes: pages not in the cache (for
  // writes, only those not wholly overwritten), or every page when the access cannot fit the
  // cache, since its own fills may then evict pages it found cached.
  bool MustConsultMe(PageRange range, uint64_t page, bool wholly_overwritten) const;

  sim::SimProcess& process_;
  sim::World& world_;
  RackMmu& mmu_;
  PageCache& cache_;
  const int64_t page_size_;
  uint32_t epoch_ = 0;
  std::map<uint64_t, absl::Status> lost_writes_;  // by virtual page
};

}  // namespace ddc::mem

#endif  // DDC_PLATFORM_MEMORY_SIM_MEMORY_H_
