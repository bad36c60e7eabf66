// Helpers shared by the disaggregated-memory tests (platform/memory/*_test.cc): building a
// simulation from a config, spawning coroutine processes, checking statuses, and a textual
// snapshot of every piece of memory state (V2P maps, owner epochs, ME page tables and frame
// contents, CE caches and cached V2P entries, reassignment counters) so that a test can assert
// that a refused call changed nothing.
//
// Process bodies are coroutine lambdas that capture test-scope state by reference; the simulation
// runs inside the test, so the captures outlive every coroutine. Bodies record what they observe
// into test-scope variables and the test asserts after the run.
#ifndef DDC_PLATFORM_MEMORY_MEMORY_TEST_UTIL_H_
#define DDC_PLATFORM_MEMORY_MEMORY_TEST_UTIL_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/config.h"
#include "platform/memory.h"
#include "platform/memory/ce_cache.h"
#include "platform/memory/memory_element.h"
#include "platform/memory/rack_mmu.h"
#include "platform/notices.pb.h"
#include "platform/process.h"
#include "platform/sim/world.h"
#include "platform/simulation.h"
#include "platform/testing/simulation_testing.h"
#include "platform/testing/world_peer.h"

namespace ddc::memtest {

// ConfigFrom parses config text (resolved and validated), recording a failure on error.
inline PlatformConfig ConfigFrom(absl::string_view text) {
  absl::StatusOr<PlatformConfig> config = ParseConfig(text);
  if (!config.ok()) {
    ADD_FAILURE() << "ParseConfig: " << config.status();
    return DefaultConfig();
  }
  return *std::move(config);
}

inline std::unique_ptr<Simulation> MakeSim(const PlatformConfig& config, uint64_t seed = 1) {
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(config, seed);
  if (!sim.ok()) {
    ADD_FAILURE() << "Simulation::Create: " << sim.status();
    return Simulation::Create(DefaultConfig(), seed).value();
  }
  return *std::move(sim);
}

using ::ddc::testing_util::CeNamed;
using ::ddc::testing_util::MeNamed;

inline ProcessId Spawn(Simulation& sim, std::string name, absl::string_view ce, ProcessMain main) {
  return ::ddc::testing_util::MustSpawn(sim, std::move(name), ce, std::move(main));
}

// NotRun is the initial value of a recorded status: a test that finds it knows the coroutine
// never got that far.
inline absl::Status NotRun() { return absl::UnknownError("not run"); }

// ExpectStatus checks a status's code and that its message names `substring`.
inline void ExpectStatus(const absl::Status& status, absl::StatusCode code,
                         absl::string_view substring, absl::string_view what = "") {
  EXPECT_EQ(status.code(), code) << what << ": " << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr(std::string(substring)))
      << what << ": " << status;
}

inline std::vector<Region> RegionsOf(const platform::GrantNotice& notice) {
  std::vector<Region> out;
  for (const platform::RegionMsg& r : notice.regions()) out.push_back({r.base(), r.length()});
  return out;
}

inline std::vector<Region> RegionsOf(const platform::MemoryFailureNotice& notice) {
  std::vector<Region> out;
  for (const platform::RegionMsg& r : notice.regions()) out.push_back({r.base(), r.length()});
  return out;
}

using ::ddc::testing_util::WorldOf;

// Snapshot renders every piece of memory state of the world as text (deterministic order), so
// that EXPECT_EQ(before, after) shows what changed.
inline std::string Snapshot(sim::World& w) {
  const int64_t page_size = w.config().memory().page_size();
  const int64_t line_size = w.config().memory().cache_line_bytes();
  const uint64_t lines_per_page = static_cast<uint64_t>(page_size / line_size);
  const int n = w.num_processes();
  std::string out;
  std::set<uint64_t> pages;
  for (uint32_t r = 0; r < w.topology().racks().size(); ++r) {
    mem::RackMmu& mmu = w.rack_mmu(RackId{r});
    for (int i = 0; i < n; ++i) {
      const ProcessId p{static_cast<uint32_t>(i)};
      const uint32_t epoch = mmu.epoch(p);
      const std::vector<uint64_t> owned = mmu.PagesOf(p);
      if (owned.empty() && epoch == 0) continue;
      absl::StrAppend(&out, "rack", r, " process ", i, " epoch ", epoch, "\n");
      for (uint64_t page : owned) {
        pages.insert(page);
        const mem::PhysicalPage* phys = mmu.Lookup(p, page);
        if (phys == nullptr) {
          absl::StrAppend(&out, "  page ", page, " listed but not mapped\n");
          continue;
        }
        const mem::MemoryElement& me = w.me(phys->me);
        const absl::Status check = me.Check(phys->frame, p, page, epoch, mem::kReadWrite);
        absl::StrAppend(&out, "  va 0x", absl::Hex(page * static_cast<uint64_t>(page_size)), " -> ",
                        me.name(), " frame ", phys->frame, " check ",
                        absl::StatusCodeToString(check.code()), " crc ", me.Checksum(phys->frame),
                        "\n");
      }
    }
  }
  for (uint32_t c = 0; c < w.topology().ces().size(); ++c) {
    const mem::CeCache& cache = w.cache(CeId{c});
    absl::StrAppend(&out, "ce ", c, " cached lines ", cache.size(), "\n");
    for (int i = 0; i < n; ++i) {
      const ProcessId p{static_cast<uint32_t>(i)};
      if (Index(w.process(p)->ce()) != c) continue;
      for (uint64_t page : pages) {
        for (uint64_t line = page * lines_per_page; line < (page + 1) * lines_per_page; ++line) {
          if (const mem::CachedLine* cl = cache.Peek(p, line)) {
            absl::StrAppend(&out, "  process ", i, " line ", line,
                            " cached dirty=", cl->dirty ? 1 : 0, " epoch ", cl->epoch, " crc ",
                            PageChecksum(cl->bytes), "\n");
          }
        }
        if (const mem::PhysicalPage* m = cache.FindMapping(p, page)) {
          absl::StrAppend(&out, "  process ", i, " page ", page, " v2p cached -> me ", Index(m->me),
                          " frame ", m->frame, "\n");
        }
      }
    }
  }
  for (uint32_t i = 0; i < w.topology().mes().size(); ++i) {
    const mem::MemoryElement& me = w.me(MeId{i});
    absl::StrAppend(&out, me.name(), " alive ", me.alive() ? 1 : 0, " used ", me.used_frames(),
                    "\n");
  }
  const Metrics& m = w.metrics();
  absl::StrAppend(&out, "grants ", m.grants, " pages_granted ", m.pages_granted, " steals ",
                  m.steals, " pages_stolen ", m.pages_stolen, " mmu_pages_updated ",
                  m.mmu_pages_updated, " writebacks ", m.writebacks, " writeback_failures ",
                  m.writeback_failures, "\n");
  return out;
}

// CachedLineOf returns process p's cached copy of the line holding `address`, or null.
inline const mem::CachedLine* CachedLineOf(sim::World& w, ProcessId p, VirtAddr address) {
  const uint64_t line = address / static_cast<uint64_t>(w.config().memory().cache_line_bytes());
  return w.cache(w.process(p)->ce()).Peek(p, line);
}

// FrameBytes returns the bytes the ME stores for p's page holding `address` ("" if unmapped).
inline std::string FrameBytes(sim::World& w, ProcessId p, VirtAddr address) {
  const int64_t page_size = w.config().memory().page_size();
  const uint64_t page = address / static_cast<uint64_t>(page_size);
  const mem::RackMmu& mmu = w.mmu(w.process(p)->ce());
  const mem::PhysicalPage* phys = mmu.Lookup(p, page);
  if (phys == nullptr) return "";
  std::string bytes(static_cast<size_t>(page_size), '\0');
  w.me(phys->me).ReadFrame(phys->frame, 0, page_size, bytes.data());
  return bytes;
}

inline int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace ddc::memtest

#endif  // DDC_PLATFORM_MEMORY_MEMORY_TEST_UTIL_H_
