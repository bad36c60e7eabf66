// The memory API: a random program of allocate, write, read, flush, free, grant and steal calls
// by three processes of one rack, interleaved with CE pauses, CE crashes and ME failures, run on
// a small simulated rack and checked after every step against a model of page ownership.
//
// The model knows, for every page ever allocated, its owner and two copies of its bytes: what
// the owner last wrote (`current`) and what reached the ME (`durable`: flushed, written back by a
// grant). It predicts who may do what:
//   - read, write, flush, free and grant need a live caller that owns the page and has not been
//     fenced by a steal; grant also needs a live, unfenced destination other than the caller;
//   - steal needs exposed mode, an unfenced thief other than the victim, and a capability the
//     policy accepts: under TRUSTED_GROUP the thief must be a member of the victim's group
//     (processes 0 and 1 are in "g", process 2 in "h"), under GROUP_SECRET the capability must
//     carry the group's secret; a steal moves the pages, fences the victim, and the thief sees
//     only what was durable;
//   - in transparent mode grant and steal are refused with FAILED_PRECONDITION.
// Checked after every call: an allowed call succeeds (or fails UNAVAILABLE after an ME failure,
// or RESOURCE_EXHAUSTED when the rack is full); a forbidden one fails with the expected code and
// changes nothing; every read returns the model's bytes; every live, unfenced process's
// Regions() equals its pages in the model.
//
// Not modelled: transparent mode with ME failures (the OS kills the processes using the ME, a
// separate story tested in platform/memory/failures_test.cc).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "asio/awaitable.hpp"
#include "fuzz/fuzz_input.h"
#include "fuzz/targets.h"
#include "platform/config.h"
#include "platform/memory.h"
#include "platform/process.h"
#include "platform/simulation.h"

namespace ddc::fuzz {
namespace {

constexpr int kActors = 3;
constexpr int64_t kPage = 4096;
constexpr int kMeFrames = 12;  // per ME, so that allocation can run out
constexpr int kMaxSteps = 96;

struct PageModel {
  int owner = -1;  // actor index; -1: freed
  std::string current = std::string(kPage, '\0');
  std::string durable = std::string(kPage, '\0');
};

struct ActorModel {
  ProcessId id{0};
  std::string ce;
  std::string group;
  bool alive = true;
  bool fenced = false;
  Memory* memory = nullptr;
};

// Call is one memory call an actor runs; the driver waits for its result.
struct Call {
  enum Kind { kAllocate, kWrite, kRead, kFlush, kFree, kGrant, kSteal } kind;
  VirtAddr page = 0;  // write, read, flush, free, grant, partial steal
  int64_t offset = 0;
  std::string bytes;   // write
  int64_t length = 0;  // read; allocate: pages
  int peer = 0;        // grant destination, steal victim
  bool whole = true;   // steal
  Capability capability;
  // Results.
  bool done = false;
  absl::Status status;
  std::string read;
  Region allocated;
  std::vector<Region> stolen;
};

std::string Describe(const Call& c) {
  static const char* kNames[] = {"allocate", "write", "read", "flush", "free", "grant", "steal"};
  return absl::StrCat(kNames[c.kind], " page 0x", absl::Hex(c.page), " peer ", c.peer);
}

class MemoryModelRun {
 public:
  absl::Status Run(FuzzInput& in) {
    const bool transparent = in.Below(4) == 0;
    const bool secret_policy = in.Bool();
    const std::string text = absl::StrCat(
        "mode: ", transparent ? "TRANSPARENT" : "EXPOSED",
        " memory { steal_policy: ", secret_policy ? "GROUP_SECRET" : "TRUSTED_GROUP", " }",
        " racks { name: \"r0\"", " compute_elements { name: \"ce0\" cache_lines: ", 1 + in.Below(4),
        " }", " compute_elements { name: \"ce1\" } compute_elements { name: \"ce2\" }",
        " memory_elements { name: \"me0\" capacity_bytes: ", kMeFrames * kPage, " }",
        " memory_elements { name: \"me1\" capacity_bytes: ", kMeFrames * kPage, " } }");
    absl::StatusOr<PlatformConfig> config = ParseConfig(text);
    if (!config.ok()) return config.status();
    absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(*config, 1);
    if (!sim.ok()) return sim.status();
    sim_ = std::move(*sim);
    sim_->SetLog(nullptr);
    transparent_ = transparent;
    secret_policy_ = secret_policy;
    for (int a = 0; a < kActors; ++a) {
      actors_[a].ce = absl::StrCat("r0/ce", a);
      actors_[a].group = a < 2 ? "g" : "h";
      absl::StatusOr<ProcessId> id = Spawn(a);
      if (!id.ok()) return id.status();
      actors_[a].id = *id;
    }
    // Let every actor join its group (exposed mode) and park.
    if (!sim_->RunUntil([&] { return ready_ == kActors; }, sim_->Now() + Microseconds(1000))) {
      return absl::InternalError("the actors did not start");
    }
    for (int step = 0; step < kMaxSteps && !in.empty(); ++step) {
      if (absl::Status s = Step(in); !s.ok()) return s;
      if (absl::Status s = CheckRegions(); !s.ok()) {
        return absl::InternalError(absl::StrCat("after step ", step, ": ", s.message()));
      }
    }
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<ProcessId> Spawn(int a) {
    ProcessSpec spec;
    spec.name = absl::StrCat("actor", a);
    std::optional<CeId> ce = sim_->topology().FindCe(actors_[a].ce);
    if (!ce) return absl::InternalError("no CE " + actors_[a].ce);
    spec.ce = *ce;
    spec.main = [this, a](Process& self) -> asio::awaitable<absl::Status> {
      Memory& m = self.memory();
      actors_[a].memory = &m;
      if (!transparent_) {
        absl::Status joined = co_await m.JoinTrustGroup(actors_[a].group, actors_[a].group + "-s");
        if (!joined.ok()) co_return joined;
      }
      ++ready_;
      for (;;) {
        while (pending_[a] == nullptr) co_await self.Sleep(Microseconds(1));
        Call& c = *pending_[a];
        co_await Execute(m, c);
        c.done = true;
        pending_[a] = nullptr;
      }
    };
    return sim_->Spawn(std::move(spec));
  }

  asio::awaitable<void> Execute(Memory& m, Call& c) {
    switch (c.kind) {
      case Call::kAllocate: {
        absl::StatusOr<Region> r = co_await m.Allocate(c.length * kPage);
        c.status = r.status();
        if (r.ok()) c.allocated = *r;
        break;
      }
      case Call::kWrite:
        c.status = co_await m.Write(c.page + c.offset, c.bytes);
        break;
      case Call::kRead: {
        absl::StatusOr<std::string> r = co_await m.Read(c.page + c.offset, c.length);
        c.status = r.status();
        if (r.ok()) c.read = *r;
        break;
      }
      case Call::kFlush:
        c.status = co_await m.Flush({c.page, kPage});
        break;
      case Call::kFree:
        c.status = co_await m.Free({c.page, kPage});
        break;
      case Call::kGrant:
        c.status = co_await m.Grant(Region{c.page, kPage}, actors_[c.peer].id);
        break;
      case Call::kSteal: {
        std::optional<Region> region;
        if (!c.whole) region = Region{c.page, kPage};
        absl::StatusOr<std::vector<Region>> r =
            co_await m.Steal(actors_[c.peer].id, c.capability, region);
        c.status = r.status();
        if (r.ok()) c.stolen = *r;
        break;
      }
    }
  }

  // RunCall hands `c` to actor `a` and runs the simulation until the call returns.
  absl::Status RunCall(int a, Call& c) {
    pending_[a] = &c;
    if (!sim_->RunUntil([&] { return c.done; }, sim_->Now() + Microseconds(100000))) {
      return absl::InternalError(absl::StrCat(Describe(c), " by actor ", a, " never returned"));
    }
    return absl::OkStatus();
  }

  // PickPage returns a page the model knows (any owner, freed ones too), or an address nobody
  // ever allocated.
  VirtAddr PickPage(FuzzInput& in) {
    if (pages_.empty() || in.Below(8) == 0)
      return HomeBase(actors_[in.Below(kActors)].id) + (1 << 30);
    auto it = pages_.begin();
    std::advance(it, static_cast<long>(in.Below(pages_.size())));
    return it->first;
  }

  bool MayTouch(int a, VirtAddr page) const {
    auto it = pages_.find(page);
    return actors_[a].alive && !actors_[a].fenced && it != pages_.end() && it->second.owner == a;
  }

  // Refused checks a forbidden call's status: an error, of the expected code when one is named.
  absl::Status ExpectRefused(const Call& c, int a, std::set<absl::StatusCode> codes) {
    if (c.status.ok()) {
      return absl::InternalError(
          absl::StrCat(Describe(c), " by actor ", a, " should have been refused but succeeded"));
    }
    if (!codes.empty() && !codes.contains(c.status.code())) {
      return absl::InternalError(
          absl::StrCat(Describe(c), " by actor ", a, " refused with ", c.status.ToString()));
    }
    return absl::OkStatus();
  }

  // Allowed checks an allowed call's status; false when it failed in a way the model accepts
  // (UNAVAILABLE after an ME failure), so the caller changes nothing.
  // RunOnPage runs a call on c.page that only the page's owner may make: a call by anyone else
  // must be refused (PERMISSION_DENIED or NOT_FOUND). It returns whether the call took effect, so
  // that the model must follow it.
  absl::StatusOr<bool> RunOnPage(int a, Call& c) {
    const bool may = MayTouch(a, c.page);
    if (absl::Status run = RunCall(a, c); !run.ok()) return run;
    if (!may) {
      absl::Status refused =
          ExpectRefused(c, a, {absl::StatusCode::kPermissionDenied, absl::StatusCode::kNotFound});
      if (!refused.ok()) return refused;
      return false;
    }
    return Allowed(c, a);
  }

  absl::StatusOr<bool> Allowed(const Call& c, int a) {
    if (c.status.ok()) return true;
    if (c.status.code() == absl::StatusCode::kUnavailable && me_failed_) return false;
    return absl::InternalError(
        absl::StrCat(Describe(c), " by actor ", a, " was allowed but got ", c.status.ToString()));
  }

  absl::Status Step(FuzzInput& in) {
    const int a = static_cast<int>(in.Below(kActors));
    const int kind = static_cast<int>(in.Below(12));
    if (kind >= 7) return Fault(kind, a, in);
    if (!actors_[a].alive) return absl::OkStatus();
    Call c{.kind = static_cast<Call::Kind>(kind)};
    switch (c.kind) {
      case Call::kAllocate: {
        c.length = 1 + static_cast<int64_t>(in.Below(3));
        if (absl::Status run = RunCall(a, c); !run.ok()) return run;
        if (actors_[a].fenced) return ExpectRefused(c, a, {absl::StatusCode::kPermissionDenied});
        if (c.status.code() == absl::StatusCode::kResourceExhausted &&
            (me_failed_ || Owned() + c.length > 2 * kMeFrames)) {
          return absl::OkStatus();
        }
        if (!c.status.ok()) {
          return absl::InternalError(
              absl::StrCat("allocate by actor ", a, ": ", c.status.ToString()));
        }
        if (c.allocated.length != c.length * kPage)
          return absl::InternalError("allocate: wrong size");
        for (int64_t p = 0; p < c.length; ++p) {
          const VirtAddr page = c.allocated.base + static_cast<VirtAddr>(p * kPage);
          if (pages_.contains(page)) return absl::InternalError("allocate: an address was reused");
          pages_[page].owner = a;
        }
        return absl::OkStatus();
      }
      case Call::kWrite:
      case Call::kRead: {
        c.page = PickPage(in);
        c.offset = static_cast<int64_t>(in.Below(kPage));
        const int64_t room = kPage - c.offset;
        if (c.kind == Call::kWrite) {
          c.bytes = in.Bytes(static_cast<size_t>(room));
          if (c.bytes.empty()) c.bytes = "x";
        } else {
          c.length = 1 + static_cast<int64_t>(in.Below(static_cast<uint64_t>(room)));
        }
        absl::StatusOr<bool> apply = RunOnPage(a, c);
        if (!apply.ok() || !*apply) return apply.status();
        PageModel& p = pages_[c.page];
        if (c.kind == Call::kWrite) {
          p.current.replace(static_cast<size_t>(c.offset), c.bytes.size(), c.bytes);
        } else if (c.read !=
                   p.current.substr(static_cast<size_t>(c.offset), static_cast<size_t>(c.length))) {
          return absl::InternalError(absl::StrCat("read by actor ", a, " of page 0x",
                                                  absl::Hex(c.page), " returned other bytes"));
        }
        return absl::OkStatus();
      }
      case Call::kFlush:
      case Call::kFree: {
        c.page = PickPage(in);
        absl::StatusOr<bool> apply = RunOnPage(a, c);
        if (!apply.ok() || !*apply) return apply.status();
        PageModel& p = pages_[c.page];
        if (c.kind == Call::kFlush) {
          p.durable = p.current;
        } else {
          p.owner = -1;
        }
        return absl::OkStatus();
      }
      case Call::kGrant: {
        c.page = PickPage(in);
        c.peer = static_cast<int>(in.Below(kActors));
        if (absl::Status run = RunCall(a, c); !run.ok()) return run;
        if (transparent_) return ExpectRefused(c, a, {absl::StatusCode::kFailedPrecondition});
        if (c.peer == a) return ExpectRefused(c, a, {absl::StatusCode::kInvalidArgument});
        if (!actors_[c.peer].alive || actors_[c.peer].fenced) {
          return ExpectRefused(c, a,
                               {absl::StatusCode::kFailedPrecondition,
                                absl::StatusCode::kPermissionDenied, absl::StatusCode::kNotFound});
        }
        if (!MayTouch(a, c.page)) {
          return ExpectRefused(c, a,
                               {absl::StatusCode::kPermissionDenied, absl::StatusCode::kNotFound});
        }
        absl::StatusOr<bool> ok = Allowed(c, a);
        if (!ok.ok() || !*ok) return ok.status();
        PageModel& p = pages_[c.page];
        p.owner = c.peer;
        p.durable = p.current;
        return absl::OkStatus();
      }
      case Call::kSteal: {
        c.peer = static_cast<int>(in.Below(kActors));
        c.whole = in.Bool();
        c.page = PickPage(in);
        const std::string& group = actors_[c.peer].group;
        switch (in.Below(4)) {
          case 0:
            c.capability = Capability(group, group + "-s");
            break;
          case 1:
            c.capability = Capability(group, "guess");
            break;
          case 2:
            c.capability = Capability(group == "g" ? "h" : "g", "g-s");
            break;
          default:
            c.capability = Capability(group);
            break;
        }
        if (absl::Status run = RunCall(a, c); !run.ok()) return run;
        if (transparent_) return ExpectRefused(c, a, {absl::StatusCode::kFailedPrecondition});
        if (c.peer == a) return ExpectRefused(c, a, {absl::StatusCode::kInvalidArgument});
        if (actors_[a].fenced) return ExpectRefused(c, a, {absl::StatusCode::kPermissionDenied});
        const bool authorized =
            c.capability.group == group &&
            (secret_policy_ ? c.capability.secret == group + "-s" : actors_[a].group == group);
        if (!authorized) return ExpectRefused(c, a, {absl::StatusCode::kPermissionDenied});
        if (!c.whole) {
          auto it = pages_.find(c.page);
          if (it == pages_.end() || it->second.owner != c.peer) {
            return ExpectRefused(
                c, a, {absl::StatusCode::kPermissionDenied, absl::StatusCode::kNotFound});
          }
        }
        absl::StatusOr<bool> ok = Allowed(c, a);
        if (!ok.ok() || !*ok) return ok.status();
        // The thief gets the pages the call reports: the victim's pages (or the one asked for),
        // but those on a failed ME, which stay with the victim. Those are nobody's any more.
        std::set<VirtAddr> stolen;
        for (const Region& r : c.stolen) {
          for (VirtAddr page = r.base; page < r.end(); page += kPage) stolen.insert(page);
        }
        for (auto& [page, p] : pages_) {
          const bool asked = p.owner == c.peer && (c.whole || page == c.page);
          if (stolen.contains(page) != asked && !(asked && me_failed_)) {
            return absl::InternalError(absl::StrCat("steal by actor ", a, " from actor ", c.peer,
                                                    (asked ? " did not take" : " took"), " page 0x",
                                                    absl::Hex(page)));
          }
          if (!asked) continue;
          if (stolen.contains(page)) {
            p.owner = a;
            p.current = p.durable;
          } else {
            p.owner = -2;
          }
        }
        for (VirtAddr page : stolen) {
          if (!pages_.contains(page)) return absl::InternalError("steal took an unknown page");
        }
        actors_[c.peer].fenced = true;
        return absl::OkStatus();
      }
    }
    return absl::OkStatus();
  }

  absl::Status Fault(int kind, int a, FuzzInput& in) {
    std::optional<CeId> ce = sim_->topology().FindCe(actors_[a].ce);
    if (!ce) return absl::InternalError("no CE");
    switch (kind) {
      case 7:
      case 8:
      case 9: {
        absl::Status s =
            sim_->PauseCe(*ce, Microseconds(1 + static_cast<int64_t>(in.Below(50))), sim_->Now());
        if (!s.ok()) return s;
        sim_->RunFor(Microseconds(1));
        return absl::OkStatus();
      }
      case 10: {
        if (!actors_[a].alive || in.Below(4) != 0) return absl::OkStatus();
        if (absl::Status s = sim_->CrashCe(*ce, sim_->Now()); !s.ok()) return s;
        sim_->RunFor(Microseconds(1));
        actors_[a].alive = false;
        // Only what reached the MEs survives the crash.
        for (auto& [page, p] : pages_) {
          if (p.owner == a) p.current = p.durable;
        }
        return absl::OkStatus();
      }
      default: {
        if (transparent_ || me_failed_ || in.Below(4) != 0) return absl::OkStatus();
        config::FaultSchedule faults;
        config::MeFault* f = faults.add_me_faults();
        f->set_me(absl::StrCat("r0/me", in.Below(2)));
        f->set_at_ns(sim_->Now());
        if (absl::Status s = sim_->InjectFaults(faults); !s.ok()) return s;
        sim_->RunFor(Microseconds(1));
        me_failed_ = true;
        return absl::OkStatus();
      }
    }
  }

  int64_t Owned() const {
    int64_t n = 0;
    for (const auto& [page, p] : pages_) n += p.owner != -1 ? 1 : 0;
    return n;
  }

  // CheckRegions compares every live, unfenced actor's mapped pages with the model.
  absl::Status CheckRegions() const {
    for (int a = 0; a < kActors; ++a) {
      if (!actors_[a].alive || actors_[a].fenced || actors_[a].memory == nullptr) continue;
      std::set<VirtAddr> mapped;
      for (const Region& r : actors_[a].memory->Regions()) {
        for (VirtAddr page = r.base; page < r.end(); page += kPage) mapped.insert(page);
      }
      std::set<VirtAddr> expected;
      for (const auto& [page, p] : pages_) {
        if (p.owner == a) expected.insert(page);
      }
      if (mapped != expected) {
        return absl::InternalError(absl::StrCat("actor ", a, " maps ", mapped.size(),
                                                " pages, the model says ", expected.size()));
      }
    }
    return absl::OkStatus();
  }

  std::unique_ptr<Simulation> sim_;
  bool transparent_ = false;
  bool secret_policy_ = false;
  bool me_failed_ = false;
  int ready_ = 0;
  ActorModel actors_[kActors];
  Call* pending_[kActors] = {};
  std::map<VirtAddr, PageModel> pages_;
};

}  // namespace

absl::Status FuzzMemoryApi(absl::string_view input) {
  FuzzInput in(input);
  MemoryModelRun run;
  return run.Run(in);
}

}  // namespace ddc::fuzz
