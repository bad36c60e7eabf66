// Arena: page-confined placement, persistence of its header in the region, and re-opening the
// arena in the process that receives the region.
#include "platform/arena.h"

#include "gtest/gtest.h"
#include "platform/memory/memory_test_util.h"

namespace ddc {
namespace {

using memtest::MakeSim;
using memtest::Spawn;

TEST(ArenaTest, PlacesObjectsWithinOnePageAndPersistsItsHeader) {
  auto sim = MakeSim(DefaultConfig());
  std::vector<VirtAddr> placed;
  absl::Status too_big = memtest::NotRun(), full = memtest::NotRun();
  VirtAddr reopened_next = 0, created_next = 0;
  Region region;
  Spawn(*sim, "builder", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& memory = self.memory();
    region = *co_await memory.Allocate(2 * memory.page_size());
    Arena arena = *co_await Arena::Create(memory, region);
    // 1000-byte objects: the fifth would straddle the first page boundary, so it moves.
    for (int i = 0; i < 6; ++i) placed.push_back(*co_await arena.Allocate(1000));
    too_big = (co_await arena.Allocate(memory.page_size() + 1)).status();
    for (;;) {
      absl::StatusOr<VirtAddr> next = co_await arena.Allocate(1000);
      if (!next.ok()) {
        full = next.status();
        break;
      }
    }
    created_next = arena.next();
    Arena again = *co_await Arena::Open(memory, region);
    reopened_next = again.next();
  });
  sim->RunUntilIdle();
  ASSERT_EQ(placed.size(), 6u);
  const uint64_t page = 4096;
  for (VirtAddr at : placed) EXPECT_EQ(at / page, (at + 999) / page) << std::hex << at;
  EXPECT_EQ(placed[0], region.base + 16);    // right after the 16-byte header
  EXPECT_EQ(placed[4], region.base + page);  // moved to the next page
  EXPECT_EQ(too_big.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(reopened_next, created_next);
}

TEST(ArenaTest, OpenRejectsARegionWithoutAnArena) {
  auto sim = MakeSim(DefaultConfig());
  absl::Status opened = memtest::NotRun(), misaligned = memtest::NotRun();
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Region region = *co_await self.memory().Allocate(4096);
    opened = (co_await Arena::Open(self.memory(), region)).status();
    misaligned = (co_await Arena::Create(self.memory(), region.Sub(8, 4088))).status();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(opened.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(misaligned.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ArenaTest, AReceiverReopensAGrantedArenaAtTheSameAddresses) {
  auto sim = MakeSim(DefaultConfig());
  ProcessId receiver = kNoProcess;
  VirtAddr node = 0;
  absl::StatusOr<uint64_t> value = memtest::NotRun();
  VirtAddr receiver_next = 0;
  receiver = Spawn(*sim, "receiver", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    Envelope in = co_await self.Receive();
    Region region = memtest::RegionsOf(in.As<platform::GrantNotice>())[0];
    Arena arena = *co_await Arena::Open(self.memory(), region);
    receiver_next = arena.next();
    value = co_await self.memory().ReadValue<uint64_t>(node);
  });
  Spawn(*sim, "sender", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Region region = *co_await self.memory().Allocate(4096);
    Arena arena = *co_await Arena::Create(self.memory(), region);
    node = *co_await arena.Allocate(sizeof(uint64_t));
    (void)co_await self.memory().WriteValue<uint64_t>(node, 42);
    // No explicit flush: Grant writes the dirty page back before moving it.
    (void)co_await self.memory().Grant(region, receiver);
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, 42u);
  EXPECT_EQ(receiver_next, node + sizeof(uint64_t));
}

}  // namespace
}  // namespace ddc
