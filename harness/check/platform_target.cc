#include "harness/check/platform_target.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "asio/awaitable.hpp"
#include "harness/check/swarm.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/process.h"
#include "platform/random.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace ddc::check {
namespace {

// Invariant names, as in platform_target.h and docs/checking.md.
constexpr char kTablesAgree[] = "tables agree";
constexpr char kStolenPagesVerify[] = "stolen pages verify";
constexpr char kReadsReturnWrites[] = "reads return writes";
constexpr char kZombiesFenced[] = "zombies are fenced";
constexpr char kBadInputRefused[] = "bad input refused";
constexpr char kPrimitivesRefused[] = "primitives refused";
constexpr char kAddressesFresh[] = "addresses fresh";
constexpr char kNoUnexpectedError[] = "no unexpected error";
constexpr char kNoProcessFails[] = "no process fails";
constexpr char kProgressResumes[] = "progress resumes";

// At most this many violations are kept per run: the first ones say what broke.
constexpr size_t kMaxViolations = 20;
// A worker keeps at most this many pages, so that runs stay small.
constexpr int64_t kMaxPagesPerWorker = 16;

// PageRecord is the ledger's knowledge of one virtual page.
struct PageRecord {
  ProcessId owner;
  uint32_t durable = 0;           // acknowledged at the ME: a flush or a grant returned
  std::vector<uint32_t> unacked;  // written since, not acknowledged: may be at the ME, or part
  uint32_t latest = 0;            // the last bytes the owner wrote: what its reads return
};

// Ledger is the checker's model of the memory, shared by every process of one run. The
// simulation is single-threaded, so the processes update it without locks, in event order.
struct Ledger {
  int64_t page_size = 0;
  Time safety_end = 0;
  uint32_t zero_checksum = 0;
  std::map<uint64_t, PageRecord> pages;  // by page address
  std::map<uint32_t, Time> fenced_at;    // process index -> when a steal from it returned
  std::vector<Violation> violations;
  int64_t safety_operations = 0;
  int64_t liveness_operations = 0;
  int64_t probe_rounds = 0;
  std::map<std::string, int64_t> observations;
  std::map<std::string, int64_t> buggified;  // BUGGIFY faults that fired, by kind

  // BUGGIFY (FoundationDB's name): at a random primitive call the caller's own CE crashes or
  // pauses, during the operation (scheduled at the call's instant, so it strikes at the
  // operation's first suspension, after its instantaneous state changes) or just after it. The
  // draws come from the run's own stream, in event order, so a run stays a function of the seed.
  Simulation* sim = nullptr;
  std::optional<Rng> buggify_rng;
  double buggify_probability = 0;
  int buggify_left = 0;  // at most this many more fire in this run
  Time buggify_end = 0;  // none after the safety phase
  bool probe_has_no_memory = false;

  void Violate(absl::string_view invariant, std::string detail) {
    if (violations.size() < kMaxViolations) {
      violations.push_back({std::string(invariant), std::move(detail)});
    }
  }
  void CountOperation(Time now) {
    if (now < safety_end) {
      ++safety_operations;
    } else {
      ++liveness_operations;
    }
  }
  // Fenced reports whether `p` was fenced by a steal that returned at or before `t`.
  bool FencedBy(ProcessId p, Time t) const {
    auto it = fenced_at.find(Index(p));
    return it != fenced_at.end() && it->second <= t;
  }
};

// WorkerPlan is what a worker drew at Draw time (the same in both modes).
struct WorkerPlan {
  std::string group;   // its rack's trust group
  std::string secret;  // the group's secret
  Time end = 0;        // it stops starting operations here
  // Operation weights, in the order of Op.
  std::vector<int64_t> weights;
  double whole_steal_probability = 0.5;
  double wrong_capability_probability = 0.1;
  // The workers of its rack (filled once every worker is spawned, before the run starts).
  std::shared_ptr<std::vector<ProcessId>> rack_workers;
};

enum class Op { kAllocate, kWrite, kFlush, kRead, kFree, kGrant, kSteal, kBadInput, kCount };

// BuggifyPoint is where a BUGGIFY fault strikes relative to the operation.
enum class BuggifyPoint { kNone, kDuring, kAfter };

// MaybeBuggify decides whether a BUGGIFY fault strikes the primitive call about to start on
// `ce`, and where; when it strikes during the call, the fault is scheduled now.
BuggifyPoint MaybeBuggify(Ledger& ledger, CeId ce, Time now);
void Buggify(Ledger& ledger, CeId ce, Time now);

bool IsFencedError(const absl::Status& status) {
  return absl::IsPermissionDenied(status) && absl::StrContains(status.message(), "fenced");
}

std::string Hex(uint64_t address) { return absl::StrFormat("0x%x", address); }

// Worker is one process's loop of random operations. It lives in a shared_ptr its main captures.
class Worker {
 public:
  Worker(Process& self, std::shared_ptr<Ledger> ledger, WorkerPlan plan)
      : self_(self),
        memory_(self.memory()),
        ledger_(std::move(ledger)),
        plan_(std::move(plan)),
        page_size_(ledger_->page_size) {}

  asio::awaitable<absl::Status> Run() {
    const bool exposed = self_.mode() == Mode::kExposed;
    absl::Status joined = co_await memory_.JoinTrustGroup(plan_.group, plan_.secret);
    if (!exposed) {
      RefusedInTransparentMode("join trust group", joined);
    } else if (!joined.ok()) {
      ledger_->Violate(kNoUnexpectedError,
                       absl::StrCat(self_.name(), ": join: ", joined.ToString()));
    }
    if (exposed) {
      absl::Status handler = self_.failures().SetMemoryFailureHandler(
          [ledger = ledger_](const MemoryFailure& failure) {
            // The pages are gone: nobody may expect their bytes back.
            for (const Region& region : failure.regions) {
              for (VirtAddr page = region.base; page < region.end(); page += ledger->page_size) {
                ledger->pages.erase(page);
              }
            }
          });
      if (!handler.ok()) {
        ledger_->Violate(
            kNoUnexpectedError,
            absl::StrCat(self_.name(), ": memory failure handler: ", handler.ToString()));
      }
    }
    while (self_.Now() < plan_.end && !zombie_) {
      const Time start = self_.Now();
      absl::StatusOr<bool> done = co_await Step(start);
      if (!done.ok()) co_return done.status();
      co_await self_.Sleep(DrawBetween(self_.rng(), Microseconds(2), Microseconds(40)));
    }
    co_return absl::OkStatus();
  }

 private:
  // Step runs one random operation started at `start`; it returns whether one completed.
  asio::awaitable<absl::StatusOr<bool>> Step(Time start) {
    int64_t total = 0;
    for (int64_t w : plan_.weights) total += w;
    int64_t pick = DrawBetween(self_.rng(), 0, total - 1);
    int op = 0;
    while (pick >= plan_.weights[op]) pick -= plan_.weights[op++];
    absl::Status status;
    // Allocate, flush, grant and steal are the primitive calls BUGGIFY strikes.
    const bool primitive = op == static_cast<int>(Op::kAllocate) ||
                           op == static_cast<int>(Op::kFlush) ||
                           op == static_cast<int>(Op::kGrant) || op == static_cast<int>(Op::kSteal);
    const BuggifyPoint buggify =
        primitive ? MaybeBuggify(*ledger_, self_.ce(), start) : BuggifyPoint::kNone;
    performed_ = false;
    switch (static_cast<Op>(op)) {
      case Op::kAllocate:
        status = co_await Allocate();
        break;
      case Op::kWrite:
        status = co_await WritePage();
        break;
      case Op::kFlush:
        status = co_await FlushRegion();
        break;
      case Op::kRead:
        status = co_await ReadPage();
        break;
      case Op::kFree:
        status = co_await FreePage();
        break;
      case Op::kGrant:
        status = co_await GrantRegion();
        break;
      case Op::kSteal:
        status = co_await StealFromPeer();
        break;
      case Op::kBadInput:
        status = co_await BadInput();
        break;
      case Op::kCount:
        break;
    }
    if (buggify == BuggifyPoint::kAfter) Buggify(*ledger_, self_.ce(), self_.Now());
    if (status.ok()) {
      if (!performed_) co_return false;  // nothing to do, or a refusal the op expected
      if (ledger_->FencedBy(self_.id(), start)) {
        ledger_->Violate(kZombiesFenced,
                         absl::StrCat(self_.name(), ": operation ", op, " started at ", start,
                                      " ns succeeded after a steal fenced it at ",
                                      ledger_->fenced_at.at(Index(self_.id())), " ns"));
      }
      ledger_->CountOperation(self_.Now());
      co_return true;
    }
    if (IsFencedError(status)) {
      ++ledger_->observations["zombie operations refused"];
      zombie_ = true;  // stolen from: every later operation would be refused too
      co_return false;
    }
    if (!Expected(status)) {
      ledger_->Violate(kNoUnexpectedError,
                       absl::StrCat(self_.name(), ": operation ", op, ": ", status.ToString()));
    }
    co_return false;
  }

  // Expected lists what a well-formed operation may meet under faults: pages granted or stolen
  // away (PERMISSION_DENIED, NOT_FOUND), a failed ME (UNAVAILABLE), a full rack, a dead or fenced
  // peer (FAILED_PRECONDITION).
  static bool Expected(const absl::Status& status) {
    return absl::IsPermissionDenied(status) || absl::IsNotFound(status) ||
           absl::IsUnavailable(status) || absl::IsResourceExhausted(status) ||
           absl::IsFailedPrecondition(status);
  }

  void RefusedInTransparentMode(absl::string_view what, const absl::Status& status) {
    if (!absl::IsFailedPrecondition(status)) {
      ledger_->Violate(
          kPrimitivesRefused,
          absl::StrCat(self_.name(), ": ", what, " in transparent mode: ", status.ToString()));
    }
  }

  // MyPages lists the pages the ledger says this process owns, in address order.
  std::vector<uint64_t> MyPages() const {
    std::vector<uint64_t> mine;
    for (const auto& [page, record] : ledger_->pages) {
      if (record.owner == self_.id()) mine.push_back(page);
    }
    return mine;
  }
  std::optional<uint64_t> PickPage(const std::vector<uint64_t>& pages) {
    if (pages.empty()) return std::nullopt;
    return pages[DrawBetween(self_.rng(), 0, static_cast<int64_t>(pages.size()) - 1)];
  }
  std::optional<ProcessId> PickPeer() {
    std::vector<ProcessId> peers;
    for (ProcessId p : *plan_.rack_workers) {
      if (p != self_.id()) peers.push_back(p);
    }
    if (peers.empty()) return std::nullopt;
    return peers[DrawBetween(self_.rng(), 0, static_cast<int64_t>(peers.size()) - 1)];
  }
  std::string RandomPage() {
    std::string bytes(static_cast<size_t>(page_size_), '\0');
    for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
      const uint64_t word = self_.rng().Next64();
      std::memcpy(bytes.data() + i, &word, 8);
    }
    return bytes;
  }

  asio::awaitable<absl::Status> Allocate() {
    if (static_cast<int64_t>(MyPages().size()) >= kMaxPagesPerWorker) co_return absl::OkStatus();
    const int64_t pages = DrawBetween(self_.rng(), 1, 4);
    absl::StatusOr<Region> region = co_await memory_.Allocate(pages * page_size_);
    if (!region.ok()) co_return region.status();
    performed_ = true;
    for (VirtAddr page = region->base; page < region->end(); page += page_size_) {
      auto [it, fresh] = ledger_->pages.emplace(page, PageRecord{});
      if (!fresh) {
        ledger_->Violate(kAddressesFresh,
                         absl::StrCat(self_.name(), ": allocate returned page ", Hex(page),
                                      ", which process ", Index(it->second.owner), " had"));
      }
      it->second = PageRecord{self_.id(), ledger_->zero_checksum, {}, ledger_->zero_checksum};
    }
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> WritePage() {
    std::optional<uint64_t> page = PickPage(MyPages());
    if (!page) co_return absl::OkStatus();
    const std::string bytes = RandomPage();
    const uint32_t checksum = PageChecksum(bytes);
    DDC_CO_RETURN_IF_ERROR(co_await memory_.Write(*page, bytes));
    performed_ = true;
    auto it = ledger_->pages.find(*page);
    if (it != ledger_->pages.end() && it->second.owner == self_.id()) {
      it->second.unacked.push_back(checksum);
      it->second.latest = checksum;
    }
    co_return absl::OkStatus();
  }

  // Acknowledge marks what `pages` held when the call began as durable.
  void Acknowledge(const std::map<uint64_t, uint32_t>& latest) {
    for (const auto& [page, checksum] : latest) {
      auto it = ledger_->pages.find(page);
      // A page stolen meanwhile belongs to its thief's verification now.
      if (it == ledger_->pages.end() || it->second.owner != self_.id()) continue;
      it->second.durable = checksum;
      it->second.unacked.clear();
    }
  }
  std::map<uint64_t, uint32_t> Snapshot(VirtAddr first, int64_t count) const {
    std::map<uint64_t, uint32_t> latest;
    for (int64_t i = 0; i < count; ++i) {
      auto it = ledger_->pages.find(first + static_cast<uint64_t>(i * page_size_));
      if (it != ledger_->pages.end() && it->second.owner == self_.id()) {
        latest[it->first] = it->second.latest;
      }
    }
    return latest;
  }
  // PickRun picks one of my pages and extends it over up to 3 following pages I own.
  std::optional<Region> PickRun() {
    const std::vector<uint64_t> mine = MyPages();
    std::optional<uint64_t> first = PickPage(mine);
    if (!first) return std::nullopt;
    Region region{*first, page_size_};
    const int64_t extra = DrawBetween(self_.rng(), 0, 3);
    for (int64_t i = 0; i < extra; ++i) {
      if (!std::binary_search(mine.begin(), mine.end(), region.end())) break;
      region.length += page_size_;
    }
    return region;
  }

  asio::awaitable<absl::Status> FlushRegion() {
    std::optional<Region> region = PickRun();
    if (!region) co_return absl::OkStatus();
    const std::map<uint64_t, uint32_t> latest = Snapshot(region->base, region->length / page_size_);
    DDC_CO_RETURN_IF_ERROR(co_await memory_.Flush(*region));
    performed_ = true;
    Acknowledge(latest);
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> ReadPage() {
    std::optional<uint64_t> page = PickPage(MyPages());
    if (!page) co_return absl::OkStatus();
    DDC_CO_ASSIGN_OR_RETURN(std::string bytes, co_await memory_.Read(*page, page_size_));
    performed_ = true;
    auto it = ledger_->pages.find(*page);
    if (it != ledger_->pages.end() && it->second.owner == self_.id() &&
        PageChecksum(bytes) != it->second.latest) {
      ledger_->Violate(
          kReadsReturnWrites,
          absl::StrFormat("%s: page %s read checksum %08x, last written %08x", self_.name(),
                          Hex(*page), PageChecksum(bytes), it->second.latest));
    }
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> FreePage() {
    std::optional<uint64_t> page = PickPage(MyPages());
    if (!page) co_return absl::OkStatus();
    const Region region{*page, page_size_};
    DDC_CO_RETURN_IF_ERROR(co_await memory_.Free(region));
    performed_ = true;
    ledger_->pages.erase(*page);
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> GrantRegion() {
    std::optional<Region> region = PickRun();
    std::optional<ProcessId> peer = PickPeer();
    if (!region || !peer) co_return absl::OkStatus();
    const std::map<uint64_t, uint32_t> latest = Snapshot(region->base, region->length / page_size_);
    absl::Status status = co_await memory_.Grant(*region, *peer);
    if (self_.mode() == Mode::kTransparent) {
      RefusedInTransparentMode("grant", status);
      co_return absl::OkStatus();
    }
    DDC_CO_RETURN_IF_ERROR(status);
    performed_ = true;
    // Grant writes dirty pages back before the MMU moves them: what the grantor wrote is durable.
    Acknowledge(latest);
    for (const auto& [page, checksum] : latest) {
      auto it = ledger_->pages.find(page);
      if (it != ledger_->pages.end() && it->second.owner == self_.id()) it->second.owner = *peer;
    }
    co_return absl::OkStatus();
  }

  asio::awaitable<absl::Status> StealFromPeer() {
    std::optional<ProcessId> victim = PickPeer();
    if (!victim) co_return absl::OkStatus();
    std::optional<Region> region;
    if (!DrawCoin(self_.rng(), plan_.whole_steal_probability)) {
      std::vector<uint64_t> theirs;
      for (const auto& [page, record] : ledger_->pages) {
        if (record.owner == *victim) theirs.push_back(page);
      }
      std::optional<uint64_t> page = PickPage(theirs);
      if (!page) co_return absl::OkStatus();
      region = Region{*page, page_size_};
    }
    const bool wrong = DrawCoin(self_.rng(), plan_.wrong_capability_probability);
    Capability capability(wrong ? plan_.group + "-forged" : plan_.group, plan_.secret);
    absl::StatusOr<std::vector<Region>> stolen =
        co_await memory_.Steal(*victim, capability, region);
    if (self_.mode() == Mode::kTransparent) {
      RefusedInTransparentMode("steal", stolen.status());
      co_return absl::OkStatus();
    }
    if (wrong) {
      if (stolen.ok() || (!absl::IsPermissionDenied(stolen.status()) &&
                          !absl::IsFailedPrecondition(stolen.status()))) {
        ledger_->Violate(kBadInputRefused,
                         absl::StrCat(self_.name(), ": steal with a forged group: ",
                                      stolen.ok() ? "OK" : stolen.status().ToString()));
      }
      co_return absl::OkStatus();
    }
    if (!stolen.ok()) co_return stolen.status();
    performed_ = true;
    ledger_->fenced_at.emplace(Index(*victim), self_.Now());
    for (const Region& r : *stolen) {
      for (VirtAddr page = r.base; page < r.end(); page += page_size_) {
        // A page the ledger forgot (an earlier thief could not verify it) stays forgotten.
        if (auto it = ledger_->pages.find(page); it != ledger_->pages.end()) {
          it->second.owner = self_.id();
        }
      }
    }
    co_return co_await VerifyStolen(*stolen);
  }

  // VerifyStolen compares every stolen page at its ME with what the ledger knows. A page matching
  // nothing known is torn if the victim had unacknowledged writes (the thief reports it and
  // rewrites it before any use), and a violation otherwise.
  asio::awaitable<absl::Status> VerifyStolen(const std::vector<Region>& stolen) {
    for (size_t r = 0; r < stolen.size(); ++r) {
      const Region& region = stolen[r];
      absl::StatusOr<std::vector<uint32_t>> checksums = co_await memory_.Checksums(region);
      if (!checksums.ok()) {
        // Pages it cannot verify (their ME failed meanwhile) the thief never uses: it forgets them.
        for (size_t rest = r; rest < stolen.size(); ++rest) {
          for (VirtAddr page = stolen[rest].base; page < stolen[rest].end(); page += page_size_) {
            ledger_->pages.erase(page);
          }
        }
        co_return checksums.status();
      }
      for (size_t i = 0; i < checksums->size(); ++i) {
        const uint64_t page = region.base + i * static_cast<uint64_t>(page_size_);
        auto known_page = ledger_->pages.find(page);
        if (known_page == ledger_->pages.end()) continue;
        PageRecord& record = known_page->second;
        const uint32_t found = (*checksums)[i];
        const bool known =
            found == record.durable ||
            std::find(record.unacked.begin(), record.unacked.end(), found) != record.unacked.end();
        const bool torn = !known && !record.unacked.empty();
        if (!known && !torn) {
          ledger_->Violate(kStolenPagesVerify,
                           absl::StrFormat("%s: stolen page %s holds checksum %08x, but %08x was "
                                           "acknowledged durable and nothing written since",
                                           self_.name(), Hex(page), found, record.durable));
        }
        record.durable = found;
        record.latest = found;
        record.unacked.clear();
        if (torn) {
          ++ledger_->observations["torn pages reported"];
          // Never used as it is: the thief rewrites the page and makes it durable first. (The
          // ledger is looked up again after each suspension: a memory failure may erase it.)
          const std::string bytes = RandomPage();
          const uint32_t rewritten = PageChecksum(bytes);
          const Region one{page, page_size_};
          DDC_CO_RETURN_IF_ERROR(co_await memory_.Write(page, bytes));
          if (auto it = ledger_->pages.find(page); it != ledger_->pages.end()) {
            it->second.latest = rewritten;
            it->second.unacked = {rewritten};
          }
          DDC_CO_RETURN_IF_ERROR(co_await memory_.Flush(one));
          if (auto it = ledger_->pages.find(page); it != ledger_->pages.end()) {
            it->second.durable = rewritten;
            it->second.unacked.clear();
          }
        } else {
          ++ledger_->observations["stolen pages verified"];
        }
      }
    }
    co_return absl::OkStatus();
  }

  // BadInput makes one malformed call, which must fail.
  asio::awaitable<absl::Status> BadInput() {
    const int which = static_cast<int>(DrawBetween(self_.rng(), 0, 3));
    absl::Status status;
    std::string what;
    if (which == 0) {
      what = "allocate 0 bytes";
      status = (co_await memory_.Allocate(0)).status();
    } else if (which == 1) {
      what = "free an unaligned region";
      const Region region{HomeBase(self_.id()) + 1, page_size_};
      status = co_await memory_.Free(region);
    } else if (which == 2) {
      what = "read an address never allocated";
      status = (co_await memory_.Read(HomeBase(self_.id()) + (uint64_t{1} << 39), 8)).status();
    } else {
      what = "steal from oneself";
      Capability capability(plan_.group, plan_.secret);
      status = (co_await memory_.Steal(self_.id(), capability, std::nullopt)).status();
    }
    if (status.ok()) {
      ledger_->Violate(kBadInputRefused, absl::StrCat(self_.name(), ": ", what, " succeeded"));
    }
    co_return absl::OkStatus();
  }

  Process& self_;
  Memory& memory_;
  const std::shared_ptr<Ledger> ledger_;
  const WorkerPlan plan_;
  const int64_t page_size_;
  bool zombie_ = false;
  // performed_: the current operation made a memory call that succeeded (so a zombie must not
  // have been able to make it).
  bool performed_ = false;
};

BuggifyPoint MaybeBuggify(Ledger& ledger, CeId ce, Time now) {
  if (ledger.buggify_left <= 0 || now >= ledger.buggify_end || !ledger.buggify_rng ||
      !DrawCoin(*ledger.buggify_rng, ledger.buggify_probability)) {
    return BuggifyPoint::kNone;
  }
  if (DrawCoin(*ledger.buggify_rng, 0.5)) return BuggifyPoint::kAfter;
  Buggify(ledger, ce, now);
  return BuggifyPoint::kDuring;
}

void Buggify(Ledger& ledger, CeId ce, Time now) {
  --ledger.buggify_left;
  // One fault in four is a crash (which ends the worker for good); the others pause the CE.
  if (DrawCoin(*ledger.buggify_rng, 0.25)) {
    if (ledger.sim->CrashCe(ce, now).ok()) ++ledger.buggified["buggify_crash"];
    return;
  }
  const Duration pause = DrawBetween(*ledger.buggify_rng, Microseconds(1), Milliseconds(1));
  if (ledger.sim->PauseCe(ce, pause, now).ok()) ++ledger.buggified["buggify_pause"];
}

// Probe is the liveness phase's client: rounds of allocate, write, flush, read back.
asio::awaitable<absl::Status> Probe(Process& self, std::shared_ptr<Ledger> ledger, Time end) {
  Memory& memory = self.memory();
  const int64_t page_size = ledger->page_size;
  while (self.Now() < end) {
    absl::StatusOr<Region> region = co_await memory.Allocate(page_size);
    if (absl::IsUnavailable(region.status()) || absl::IsResourceExhausted(region.status())) {
      ledger->probe_has_no_memory = true;
      co_return absl::OkStatus();
    }
    if (!region.ok()) co_return region.status();
    const std::string bytes(static_cast<size_t>(page_size),
                            static_cast<char>(ledger->probe_rounds));
    DDC_CO_RETURN_IF_ERROR(co_await memory.Write(region->base, bytes));
    DDC_CO_RETURN_IF_ERROR(co_await memory.Flush(*region));
    DDC_CO_ASSIGN_OR_RETURN(std::string back, co_await memory.Read(region->base, page_size));
    if (back != bytes) {
      ledger->Violate(kReadsReturnWrites, absl::StrCat("probe: page ", Hex(region->base),
                                                       " did not read back what was flushed"));
    }
    DDC_CO_RETURN_IF_ERROR(co_await memory.Free(*region));
    ++ledger->probe_rounds;
    ledger->CountOperation(self.Now());
  }
  co_return absl::OkStatus();
}

// Knobs drawn per seed, beyond the platform (see Draw).
struct Knobs {
  std::vector<int64_t> weights;
  double whole_steal_probability = 0.5;
  double wrong_capability_probability = 0.1;
  double buggify_probability = 0;
};

Knobs KnobsOf(const Scenario& scenario) {
  Knobs knobs;
  for (const auto& [name, value] : scenario.options) {
    if (absl::StartsWith(name, "weight_")) knobs.weights.push_back(std::stoll(value));
    if (name == "whole_steal_probability") knobs.whole_steal_probability = std::stod(value);
    if (name == "wrong_capability_probability")
      knobs.wrong_capability_probability = std::stod(value);
    if (name == "buggify_probability") knobs.buggify_probability = std::stod(value);
  }
  return knobs;
}

constexpr const char* kOpNames[] = {"allocate", "write", "flush", "read",
                                    "free",     "grant", "steal", "bad_input"};

class PlatformTarget : public CheckTarget {
 public:
  absl::string_view name() const override { return "platform"; }

  std::vector<std::string> invariants() const override {
    return {kTablesAgree,     kStolenPagesVerify, kReadsReturnWrites, kZombiesFenced,
            kBadInputRefused, kPrimitivesRefused, kAddressesFresh,    kNoUnexpectedError,
            kNoProcessFails,  kProgressResumes};
  }

  absl::StatusOr<Scenario> Draw(uint64_t seed) const override {
    Scenario scenario;
    scenario.target = "platform";
    scenario.seed = seed;
    Rng rng = Rng::ForStream(seed, "check", "platform", "scenario");
    scenario.config = DrawPlatform(
        rng,
        {.min_racks = 1, .max_racks = 2, .min_ces = 2, .max_ces = 4, .min_mes = 1, .max_mes = 3});
    config::MemoryConfig& memory = *scenario.config.mutable_memory();
    memory.set_cache_line_bytes(DrawCoin(rng, 0.5) ? 512 : 4096);
    // Small caches evict, so unflushed writes reach the MEs at random instants.
    const bool small_cache = DrawCoin(rng, 0.5);
    for (config::Rack& rack : *scenario.config.mutable_racks()) {
      for (config::ComputeElement& ce : *rack.mutable_compute_elements()) {
        if (small_cache) ce.set_cache_lines(DrawBetween(rng, 4, 64));
      }
    }
    scenario.config.mutable_trace()->set_enabled(false);
    scenario.safety_end = Milliseconds(DrawBetween(rng, 4, 12));
    scenario.liveness_end = scenario.safety_end + Milliseconds(3);

    // Swarm over the operation mix too: each kind is left out with probability 1/4.
    for (int op = 0; op < static_cast<int>(Op::kCount); ++op) {
      const int64_t weight = DrawCoin(rng, 0.25) ? 0 : DrawBetween(rng, 1, 10);
      scenario.options.push_back({absl::StrCat("weight_", kOpNames[op]), absl::StrCat(weight)});
    }
    // Writes keep the mix from being all no-ops.
    if (scenario.options[static_cast<int>(Op::kWrite)].second == "0") {
      scenario.options[static_cast<int>(Op::kWrite)].second = "1";
    }
    scenario.options.push_back({"whole_steal_probability", DrawCoin(rng, 0.5) ? "0.5" : "0.1"});
    scenario.options.push_back({"wrong_capability_probability", DrawCoin(rng, 0.5) ? "0.1" : "0"});
    // BUGGIFY in half of the seeds, at one primitive call in 20 or in 200.
    scenario.options.push_back(
        {"buggify_probability",
         DrawCoin(rng, 0.5) ? "0" : (DrawCoin(rng, 0.5) ? "0.05" : "0.005")});
    scenario.options.push_back({"cache_line_bytes", absl::StrCat(memory.cache_line_bytes())});
    scenario.options.push_back({"small_cache", small_cache ? "yes" : "no"});

    FaultPlan plan;
    for (const config::Rack& rack : scenario.config.racks()) {
      plan.endpoints.push_back(rack.name());
      for (const config::ComputeElement& ce : rack.compute_elements()) {
        plan.ces.push_back(absl::StrCat(rack.name(), "/", ce.name()));
        plan.endpoints.push_back(plan.ces.back());
      }
      for (const config::MemoryElement& me : rack.memory_elements()) {
        plan.mes.push_back(absl::StrCat(rack.name(), "/", me.name()));
      }
    }
    plan.start = Microseconds(200);
    plan.end = scenario.safety_end;
    plan.max_ce_crashes = 2;
    plan.max_ce_pauses = 3;
    plan.max_pause = Milliseconds(2);
    plan.max_me_failures = 1;
    *scenario.config.mutable_faults() = DrawFaultSchedule(rng, plan);
    return scenario;
  }

  absl::StatusOr<RunReport> Run(const Scenario& scenario, Mode mode) const override {
    PlatformConfig run_config = scenario.config;
    run_config.set_mode(mode == Mode::kExposed ? config::PlatformConfig::EXPOSED
                                               : config::PlatformConfig::TRANSPARENT);
    absl::StatusOr<std::unique_ptr<Simulation>> created =
        Simulation::Create(run_config, scenario.seed);
    if (!created.ok()) return created.status();
    Simulation& sim = **created;
    sim.SetLog({});

    auto ledger = std::make_shared<Ledger>();
    ledger->page_size = sim.config().memory().page_size();
    ledger->safety_end = scenario.safety_end;
    ledger->zero_checksum = PageChecksum(std::string(static_cast<size_t>(ledger->page_size), '\0'));
    const Knobs knobs = KnobsOf(scenario);
    ledger->sim = &sim;
    ledger->buggify_rng = Rng::ForStream(scenario.seed, "check", "platform", "buggify");
    ledger->buggify_probability = knobs.buggify_probability;
    ledger->buggify_left = 3;
    ledger->buggify_end = scenario.safety_end;
    if (knobs.weights.size() != static_cast<size_t>(Op::kCount)) {
      return absl::InvalidArgumentError("platform scenario: operation weights missing");
    }

    const Topology& topology = sim.topology();
    for (size_t r = 0; r < topology.racks().size(); ++r) {
      const RackInfo& rack = topology.racks()[r];
      auto rack_workers = std::make_shared<std::vector<ProcessId>>();
      for (CeId ce : rack.ces) {
        WorkerPlan plan;
        plan.group = absl::StrCat("group-", rack.name);
        plan.secret = absl::StrCat("secret-", rack.name);
        plan.end = scenario.liveness_end;
        plan.weights = knobs.weights;
        plan.whole_steal_probability = knobs.whole_steal_probability;
        plan.wrong_capability_probability = knobs.wrong_capability_probability;
        plan.rack_workers = rack_workers;
        absl::StatusOr<ProcessId> id =
            sim.Spawn({.name = absl::StrCat("worker-", topology.ce(ce).name),
                       .ce = ce,
                       .main = [ledger, plan](Process& self) -> asio::awaitable<absl::Status> {
                         auto worker = std::make_shared<Worker>(self, ledger, plan);
                         co_return co_await worker->Run();
                       }});
        if (!id.ok()) return id.status();
        rack_workers->push_back(*id);
      }
    }

    // Run in steps of random length, checking the platform's tables after each.
    Rng instants = Rng::ForStream(scenario.seed, "check", "platform", "instants");
    auto check_tables = [&] {
      for (const std::string& problem : sim.CheckMemoryInvariants()) {
        ledger->Violate(kTablesAgree, absl::StrCat("at ", sim.Now(), " ns: ", problem));
      }
    };
    bool probe_started = false;
    while (sim.Now() < scenario.liveness_end) {
      Time next = std::min(scenario.liveness_end,
                           sim.Now() + DrawBetween(instants, Microseconds(100), Milliseconds(2)));
      if (!probe_started && next >= scenario.safety_end) next = scenario.safety_end;
      sim.RunUntil(next);
      check_tables();
      if (!probe_started && sim.Now() >= scenario.safety_end) {
        probe_started = true;
        absl::Status spawned = SpawnProbe(sim, ledger, scenario.liveness_end);
        if (!spawned.ok()) return spawned;
      }
    }

    for (const ProcessFailure& failure : sim.ProcessFailures()) {
      ledger->Violate(kNoProcessFails,
                      absl::StrCat(failure.process, " (incarnation ", failure.incarnation, ") at ",
                                   failure.at, " ns: ", failure.error));
    }
    if (ledger->probe_rounds == 0 && !ledger->probe_has_no_memory && AnyCeAlive(sim)) {
      ledger->Violate(kProgressResumes, "the probe completed no round in the liveness phase");
    }

    RunReport report;
    report.violations = std::move(ledger->violations);
    report.safety_operations = ledger->safety_operations;
    report.liveness_operations = ledger->liveness_operations;
    report.faults_injected = CountFaults(run_config.faults());
    for (const auto& [kind, count] : ledger->buggified) report.faults_injected[kind] += count;
    report.observations = std::move(ledger->observations);
    return report;
  }

 private:
  static bool AnyCeAlive(const Simulation& sim) {
    for (size_t c = 0; c < sim.topology().ces().size(); ++c) {
      if (sim.CeAlive(CeId{static_cast<uint32_t>(c)})) return true;
    }
    return false;
  }

  // SpawnProbe starts the probe on the first live CE (in topology order), if any.
  static absl::Status SpawnProbe(Simulation& sim, std::shared_ptr<Ledger> ledger, Time end) {
    for (size_t c = 0; c < sim.topology().ces().size(); ++c) {
      const CeId ce{static_cast<uint32_t>(c)};
      if (!sim.CeAlive(ce)) continue;
      absl::StatusOr<ProcessId> id =
          sim.Spawn({.name = "probe", .ce = ce, .main = [ledger, end](Process& self) {
                       return Probe(self, ledger, end);
                     }});
      return id.status();
    }
    return absl::OkStatus();
  }
};

}  // namespace

std::unique_ptr<CheckTarget> NewPlatformTarget() { return std::make_unique<PlatformTarget>(); }

}  // namespace ddc::check
