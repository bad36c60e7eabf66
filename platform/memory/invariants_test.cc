// Simulation::CheckMemoryInvariants: empty after allocations, writes, a grant and a steal, and it
// names each kind of inconsistency once a table is corrupted behind the platform's back.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/memory.h"
#include "platform/memory/memory_test_util.h"
#include "platform/status_macros.h"

namespace ddc {
namespace {

using memtest::MakeSim;
using memtest::Spawn;
using memtest::WorldOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kPage = 4096;

// Builds a rack where "a" allocated 4 pages and granted 2 to "b", and "c" stole all of "b".
struct Rack {
  std::unique_ptr<Simulation> sim = MakeSim(DefaultConfig());
  ProcessId a, b, c;
  Region region;
  absl::Status status = absl::UnknownError("not run");

  Rack() {
    b = Spawn(*sim, "b", "r0/ce1", [](Process& self) -> asio::awaitable<absl::Status> {
      DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("g", "s"));
      co_await self.WaitForever();
      co_return absl::OkStatus();
    });
    a = Spawn(*sim, "a", "r0/ce0", [this](Process& self) -> asio::awaitable<absl::Status> {
      Memory& m = self.memory();
      DDC_CO_ASSIGN_OR_RETURN(region, co_await m.Allocate(4 * kPage));
      DDC_CO_RETURN_IF_ERROR(co_await m.Write(region.base, std::string(2 * kPage, 'x')));
      DDC_CO_RETURN_IF_ERROR(co_await m.Grant(region.Sub(0, 2 * kPage), b));
      co_return absl::OkStatus();
    });
    c = Spawn(*sim, "c", "r0/ce2", [this](Process& self) -> asio::awaitable<absl::Status> {
      Memory& m = self.memory();
      DDC_CO_RETURN_IF_ERROR(co_await m.JoinTrustGroup("g", "s"));
      co_await self.Sleep(Milliseconds(1));
      Capability capability("g", "s");
      absl::StatusOr<std::vector<Region>> stolen = co_await m.Steal(b, capability, std::nullopt);
      status = stolen.status();
      if (!stolen.ok()) co_return absl::OkStatus();
      absl::StatusOr<std::string> read = co_await m.Read(stolen->front().base, 8);
      DDC_CO_RETURN_IF_ERROR(read.status());
      co_return absl::OkStatus();
    });
    sim->RunUntil(Milliseconds(2));
  }
};

TEST(MemoryInvariants, HoldAfterAllocateGrantAndSteal) {
  Rack rack;
  ASSERT_TRUE(rack.status.ok()) << rack.status;
  EXPECT_TRUE(rack.sim->ProcessFailures().empty());
  EXPECT_THAT(rack.sim->CheckMemoryInvariants(), ElementsAre());
}

TEST(MemoryInvariants, NameAnMePageTableThatDisagreesWithTheV2PMap) {
  Rack rack;
  sim::World& world = WorldOf(*rack.sim);
  const uint64_t page = rack.region.base / kPage + 3;  // still a's
  const mem::PhysicalPage* physical = world.rack_mmu(RackId{0}).Lookup(rack.a, page);
  ASSERT_NE(physical, nullptr);
  const mem::PageTableEntry forged{rack.c, page, mem::kReadWrite, 0};
  world.me(physical->me).SetEntry(physical->frame, forged);
  const std::vector<std::string> problems = rack.sim->CheckMemoryInvariants();
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("the V2P map and r0/me"));
  EXPECT_THAT(problems[0], HasSubstr("page table disagree"));
}

TEST(MemoryInvariants, NameAStaleCachedV2PEntryAndALeakedFrame) {
  Rack rack;
  sim::World& world = WorldOf(*rack.sim);
  const uint64_t page = rack.region.base / kPage;  // stolen by c from b
  const mem::PhysicalPage* physical = world.rack_mmu(RackId{0}).Lookup(rack.c, page);
  ASSERT_NE(physical, nullptr);
  world.cache(memtest::CeNamed(*rack.sim, "r0/ce1")).CacheMapping(rack.b, page, *physical);
  const mem::PageTableEntry orphan{rack.a, 1, mem::kReadWrite, 0};
  ASSERT_TRUE(world.me(physical->me).AllocateFrame(orphan).ok());
  const std::vector<std::string> problems = rack.sim->CheckMemoryInvariants();
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr("used frames"));
  EXPECT_THAT(problems[1], HasSubstr("r0/ce1 caches a V2P entry of process"));
}

}  // namespace
}  // namespace ddc
