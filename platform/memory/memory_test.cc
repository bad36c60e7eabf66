// Disaggregated memory, basics: addresses and allocation, ownership and the error contract of
// Read/Write/Flush/Evict/Free/Checksums, the rack namespace, bin packing across MEs, and the
// cost model of cache misses and hits.
#include "platform/memory.h"

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "platform/memory/memory_test_util.h"

namespace ddc {
namespace {

using memtest::WorldOf;
using memtest::CeilDiv;
using memtest::ExpectStatus;
using memtest::MakeSim;
using memtest::NotRun;
using memtest::Snapshot;
using memtest::Spawn;

constexpr int64_t kPage = 4096;

// ---------------------------------------------------------------------------------------------
// Addresses.

TEST(AddressTest, AllocationsCarryTheAllocatorIdAndAreNeverReused) {
  auto sim = MakeSim(DefaultConfig());
  struct Seen {
    std::vector<absl::StatusOr<Region>> allocations;
    absl::Status freed = NotRun();
    absl::StatusOr<Region> after_free = NotRun();
    absl::StatusOr<std::string> fresh_bytes = NotRun();
    std::vector<Region> regions;
  };
  Seen seen[2];
  auto body = [&](int who) {
    return [&, who](Process& self) -> asio::awaitable<void> {
      Seen& s = seen[who];
      for (int64_t bytes : {int64_t{1}, kPage, 2 * kPage + 1}) {
        s.allocations.push_back(co_await self.memory().Allocate(bytes));
      }
      if (!s.allocations[1].ok()) co_return;
      s.freed = co_await self.memory().Free(*s.allocations[1]);
      s.after_free = co_await self.memory().Allocate(kPage);
      if (s.after_free.ok()) s.fresh_bytes = co_await self.memory().Read(s.after_free->base, kPage);
      s.regions = self.memory().Regions();
    };
  };
  const ProcessId p0 = Spawn(*sim, "p0", "r0/ce0", body(0));
  const ProcessId p1 = Spawn(*sim, "p1", "r0/ce1", body(1));
  sim->RunUntilIdle();

  const ProcessId ids[2] = {p0, p1};
  std::vector<Region> all;
  for (int who = 0; who < 2; ++who) {
    const Seen& s = seen[who];
    ASSERT_EQ(s.allocations.size(), 3u);
    const int64_t expected_pages[3] = {1, 1, 3};
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(s.allocations[i].ok()) << s.allocations[i].status();
      const Region& r = *s.allocations[i];
      EXPECT_EQ(r.length, expected_pages[i] * kPage);
      EXPECT_EQ(r.base % kPage, 0u);
      EXPECT_EQ(AllocatorOf(r.base), ids[who]);
      EXPECT_EQ(AllocatorOf(r.end() - 1), ids[who]);
      EXPECT_GE(r.base, HomeBase(ids[who]));
      all.push_back(r);
    }
    EXPECT_TRUE(s.freed.ok()) << s.freed;
    ASSERT_TRUE(s.after_free.ok()) << s.after_free.status();
    EXPECT_EQ(AllocatorOf(s.after_free->base), ids[who]);
    // The sender never reuses an address: the freed page's address is not handed out again.
    EXPECT_NE(s.after_free->base, s.allocations[1]->base);
    EXPECT_GE(s.after_free->base, s.allocations[2]->end());
    ASSERT_TRUE(s.fresh_bytes.ok()) << s.fresh_bytes.status();
    EXPECT_EQ(*s.fresh_bytes, std::string(kPage, '\0'));
    // Regions: the first allocation, the third, and the new one; the freed page is gone.
    const std::vector<Region> expected = {
        *s.allocations[0],
        {s.allocations[2]->base,
         static_cast<int64_t>(s.after_free->end() - s.allocations[2]->base)}};
    EXPECT_EQ(s.regions, expected);
    all.push_back(*s.after_free);
  }
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) {
      EXPECT_TRUE(all[i].end() <= all[j].base || all[j].end() <= all[i].base)
          << "allocations " << i << " and " << j << " overlap";
    }
  }
  // Free released the frames: 1 + 3 + 1 pages per process are in use.
  int64_t used = 0;
  for (uint32_t i = 0; i < sim->topology().mes().size(); ++i) used += WorldOf(*sim).me(MeId{i}).used_frames();
  EXPECT_EQ(used, 2 * 5);
}

TEST(AddressTest, AllocateRejectsBadSizesAndChangesNothing) {
  auto sim = MakeSim(DefaultConfig());
  absl::StatusOr<Region> zero = NotRun(), negative = NotRun(), huge = NotRun(), ok = NotRun();
  std::string before, after;
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    ok = co_await self.memory().Allocate(kPage);
    before = Snapshot(WorldOf(*sim));
    zero = co_await self.memory().Allocate(0);
    negative = co_await self.memory().Allocate(-kPage);
    // ceil(bytes / page) must not overflow into a negative page count.
    huge = co_await self.memory().Allocate(std::numeric_limits<int64_t>::max());
    after = Snapshot(WorldOf(*sim));
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(ok.ok()) << ok.status();
  ExpectStatus(zero.status(), absl::StatusCode::kInvalidArgument, "size must be > 0");
  ExpectStatus(negative.status(), absl::StatusCode::kInvalidArgument, "size must be > 0");
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kResourceExhausted) << huge.status();
  EXPECT_EQ(before, after);
}

// Each process allocates from its own 2^40-byte home range; allocating past its end would hand
// out addresses that carry another process's id.
TEST(AddressTest, HomeRangeExhaustionIsResourceExhausted) {
  const int64_t kHuge = 2097152;
  auto sim = MakeSim(memtest::ConfigFrom(R"pb(
    memory { page_size: 2097152 }
    racks {
      name: "r0"
      compute_elements { name: "ce0" cache_lines: 4 }
      memory_elements { name: "me0" capacity_bytes: 4398046511104 }
    }
  )pb"));
  const int64_t home = int64_t{1} << kAddressOwnerShift;
  absl::StatusOr<Region> first = NotRun(), straddling = NotRun(), last = NotRun(),
                         beyond = NotRun(), neighbour = NotRun();
  ProcessId p0 = kNoProcess;
  p0 = Spawn(*sim, "p0", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    first = co_await self.memory().Allocate(home - kHuge);
    straddling = co_await self.memory().Allocate(2 * kHuge);
    last = co_await self.memory().Allocate(kHuge);
    beyond = co_await self.memory().Allocate(1);
  });
  const ProcessId p1 = Spawn(*sim, "p1", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Seconds(1));
    neighbour = co_await self.memory().Allocate(kHuge);
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->base, HomeBase(p0));
  EXPECT_EQ(straddling.status().code(), absl::StatusCode::kResourceExhausted)
      << "an allocation running past the home range returned "
      << (straddling.ok() ? absl::StrCat("[0x", absl::Hex(straddling->base), ", 0x",
                                         absl::Hex(straddling->end()), ")")
                          : straddling.status().ToString());
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_EQ(last->end(), HomeBase(p0) + static_cast<VirtAddr>(home));
  EXPECT_EQ(AllocatorOf(last->end() - 1), p0);
  EXPECT_EQ(beyond.status().code(), absl::StatusCode::kResourceExhausted) << beyond.status();
  ASSERT_TRUE(neighbour.ok()) << neighbour.status();
  EXPECT_EQ(neighbour->base, HomeBase(p1));
  EXPECT_EQ(AllocatorOf(neighbour->base), p1);
  // Nobody maps one of the neighbour's pages but the neighbour.
  const mem::RackMmu& mmu = WorldOf(*sim).rack_mmu(RackId{0});
  const uint64_t page = neighbour->base / kHuge;
  EXPECT_EQ(mmu.Lookup(p0, page), nullptr);
  EXPECT_NE(mmu.Lookup(p1, page), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Ownership and the error contract.

TEST(OwnershipTest, AnotherProcesssPagesAreDeniedAndNothingChanges) {
  auto sim = MakeSim(DefaultConfig());
  Region owned;
  bool owner_ready = false;
  absl::StatusOr<std::string> owner_reads = NotRun();
  ProcessId owner = kNoProcess;
  owner = Spawn(*sim, "owner", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    absl::StatusOr<Region> r = co_await self.memory().Allocate(2 * kPage);
    if (!r.ok()) co_return;
    owned = *r;
    (void)co_await self.memory().Write(owned.base, "secret");
    (void)co_await self.memory().Flush(owned);
    (void)co_await self.memory().Write(owned.base + kPage, "dirty");  // stays in the cache
    owner_ready = true;
    co_await self.Sleep(Microseconds(500));
    owner_reads = co_await self.memory().Read(owned.base, 6);
  });
  struct Attempt {
    std::string name;
    absl::Status status;
    std::string before, after;
  };
  std::vector<Attempt> attempts;
  // One intruder on another CE, one on the owner's CE (whose cache holds the owner's pages).
  auto intruder = [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(100));
    if (!owner_ready) co_return;
    Memory& m = self.memory();
    auto record = [&](std::string name, absl::Status s, std::string before) {
      attempts.push_back(
          {self.name() + " " + name, std::move(s), std::move(before), Snapshot(WorldOf(*sim))});
    };
    std::string b = Snapshot(WorldOf(*sim));
    record("read", (co_await m.Read(owned.base, 6)).status(), b);
    b = Snapshot(WorldOf(*sim));
    record("read cached page", (co_await m.Read(owned.base + kPage, 5)).status(), b);
    b = Snapshot(WorldOf(*sim));
    record("write", co_await m.Write(owned.base + 3, "x"), b);
    b = Snapshot(WorldOf(*sim));
    record("write full page", co_await m.Write(owned.base, std::string(kPage, 'x')), b);
    b = Snapshot(WorldOf(*sim));
    record("flush", co_await m.Flush(owned), b);
    b = Snapshot(WorldOf(*sim));
    record("evict", co_await m.Evict(owned), b);
    b = Snapshot(WorldOf(*sim));
    record("free", co_await m.Free(owned), b);
    b = Snapshot(WorldOf(*sim));
    record("checksums", (co_await m.Checksums(owned)).status(), b);
    b = Snapshot(WorldOf(*sim));
    record("read value", (co_await m.ReadValue<uint64_t>(owned.base)).status(), b);
  };
  Spawn(*sim, "intruder", "r0/ce1", intruder);
  Spawn(*sim, "neighbour", "r0/ce0", intruder);
  sim->RunUntilIdle();

  ASSERT_TRUE(owner_ready);
  ASSERT_EQ(attempts.size(), 18u);
  for (const Attempt& a : attempts) {
    ExpectStatus(a.status, absl::StatusCode::kPermissionDenied,
                 absl::StrCat("owned by process ", Index(owner)), a.name);
    EXPECT_EQ(a.before, a.after) << a.name << " changed memory state";
  }
  ASSERT_TRUE(owner_reads.ok()) << owner_reads.status();
  EXPECT_EQ(*owner_reads, "secret");
  const mem::CachedLine* dirty = memtest::CachedLineOf(WorldOf(*sim), owner, owned.base + kPage);
  ASSERT_NE(dirty, nullptr);
  EXPECT_TRUE(dirty->dirty);
}

TEST(OwnershipTest, UnmappedIsNotFoundAndPastTheEndIsInvalidArgument) {
  auto sim = MakeSim(DefaultConfig());
  struct Attempt {
    std::string name;
    absl::Status status;
    absl::StatusCode code;
    std::string substring;
  };
  std::vector<Attempt> attempts;
  std::string before, after;
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    absl::StatusOr<Region> freed = co_await m.Allocate(kPage);
    absl::StatusOr<Region> r = co_await m.Allocate(2 * kPage);
    if (!r.ok() || !freed.ok()) co_return;
    (void)co_await m.Free(*freed);
    (void)co_await m.Write(r->base, "abc");
    const VirtAddr unmapped = r->end() + 10 * kPage;
    using C = absl::StatusCode;
    before = Snapshot(WorldOf(*sim));
    auto add = [&](std::string name, absl::Status s, C code, std::string sub) {
      attempts.push_back({std::move(name), std::move(s), code, std::move(sub)});
    };
    add("read unmapped", (co_await m.Read(unmapped, 8)).status(), C::kNotFound, "not mapped");
    add("write unmapped", co_await m.Write(unmapped, "x"), C::kNotFound, "not mapped");
    add("flush unmapped", co_await m.Flush({unmapped, kPage}), C::kNotFound, "not mapped");
    add("free unmapped", co_await m.Free({unmapped, kPage}), C::kNotFound, "not mapped");
    add("checksums unmapped", (co_await m.Checksums({unmapped, kPage})).status(), C::kNotFound,
        "not mapped");
    add("read freed", (co_await m.Read(freed->base, 8)).status(), C::kNotFound, "not mapped");
    add("read home base - 1", (co_await m.Read(HomeBase(self.id()) - 1, 1)).status(), C::kNotFound,
        "not mapped");
    add("read past end", (co_await m.Read(r->end() - 4, 8)).status(), C::kInvalidArgument,
        "past the end");
    add("write past end", co_await m.Write(r->end() - 1, "xy"), C::kInvalidArgument,
        "past the end");
    add("flush past end", co_await m.Flush({r->base, 3 * kPage}), C::kInvalidArgument,
        "past the end");
    add("evict past end", co_await m.Evict({r->base + kPage, 2 * kPage}), C::kInvalidArgument,
        "past the end");
    add("free past end", co_await m.Free({r->base, 3 * kPage}), C::kInvalidArgument,
        "past the end");
    add("checksums past end", (co_await m.Checksums({r->base, 3 * kPage})).status(),
        C::kInvalidArgument, "past the end");
    add("free unaligned", co_await m.Free({r->base + 1, kPage}), C::kInvalidArgument,
        "not aligned");
    add("free empty", co_await m.Free({r->base, 0}), C::kInvalidArgument, "empty region");
    add("read zero bytes", (co_await m.Read(r->base, 0)).status(), C::kInvalidArgument, "length");
    add("read negative", (co_await m.Read(r->base, -1)).status(), C::kInvalidArgument, "length");
    add("flush negative", co_await m.Flush({r->base, -kPage}), C::kInvalidArgument, "length");
    add("read wraps", (co_await m.Read(~VirtAddr{0} - 2, 8)).status(), C::kInvalidArgument,
        "wraps");
    after = Snapshot(WorldOf(*sim));
  });
  sim->RunUntilIdle();
  ASSERT_EQ(attempts.size(), 19u);
  for (const Attempt& a : attempts) ExpectStatus(a.status, a.code, a.substring, a.name);
  EXPECT_EQ(before, after);
}

// Data written through the cache reaches the ME only when flushed or evicted; reads see the
// process's own writes either way.
TEST(OwnershipTest, WritesAreReadBackAndReachTheMeOnlyWhenFlushed) {
  auto sim = MakeSim(DefaultConfig());
  Region r;
  std::string me_before_flush, me_after_flush;
  absl::StatusOr<std::string> read_dirty = NotRun(), read_after_evict = NotRun();
  bool evicted = false;
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    absl::StatusOr<Region> a = co_await self.memory().Allocate(2 * kPage);
    if (!a.ok()) co_return;
    r = *a;
    // A write straddling the page boundary.
    (void)co_await self.memory().Write(r.base + kPage - 3, "abcdef");
    read_dirty = co_await self.memory().Read(r.base + kPage - 3, 6);
    me_before_flush = memtest::FrameBytes(WorldOf(*sim), self.id(), r.base).substr(kPage - 3) +
                      memtest::FrameBytes(WorldOf(*sim), self.id(), r.base + kPage).substr(0, 3);
    (void)co_await self.memory().Flush(r);
    me_after_flush = memtest::FrameBytes(WorldOf(*sim), self.id(), r.base).substr(kPage - 3) +
                     memtest::FrameBytes(WorldOf(*sim), self.id(), r.base + kPage).substr(0, 3);
    (void)co_await self.memory().Evict(r);
    evicted = memtest::CachedLineOf(WorldOf(*sim), self.id(), r.base) == nullptr &&
              memtest::CachedLineOf(WorldOf(*sim), self.id(), r.base + kPage) == nullptr;
    read_after_evict = co_await self.memory().Read(r.base + kPage - 3, 6);
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(read_dirty.ok()) << read_dirty.status();
  EXPECT_EQ(*read_dirty, "abcdef");
  EXPECT_EQ(me_before_flush, std::string(6, '\0'));
  EXPECT_EQ(me_after_flush, "abcdef");
  ASSERT_TRUE(read_after_evict.ok()) << read_after_evict.status();
  EXPECT_EQ(*read_after_evict, "abcdef");
  EXPECT_TRUE(evicted) << "Evict left pages in the CE cache";
}

// ---------------------------------------------------------------------------------------------
// Namespace.

TEST(NamespaceTest, PublishAndLookupWithinTheRack) {
  auto sim = MakeSim(DefaultConfig());
  Region root;
  absl::Status published = NotRun(), republished = NotRun(), empty_name = NotRun();
  absl::StatusOr<VirtAddr> found = NotRun(), found_again = NotRun(), missing = NotRun(),
                           other_rack = NotRun();
  Spawn(*sim, "publisher", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    absl::StatusOr<Region> r = co_await self.memory().Allocate(2 * kPage);
    if (!r.ok()) co_return;
    root = *r;
    published = co_await self.memory().Publish("kv/root", root.base);
    empty_name = co_await self.memory().Publish("", root.base);
    co_await self.Sleep(Microseconds(50));
    republished = co_await self.memory().Publish("kv/root", root.base + kPage);
  });
  Spawn(*sim, "reader", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    found = co_await self.memory().Lookup("kv/root");
    missing = co_await self.memory().Lookup("kv/nothing-here");
    co_await self.Sleep(Microseconds(100));
    found_again = co_await self.memory().Lookup("kv/root");
  });
  Spawn(*sim, "far", "r1/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    other_rack = co_await self.memory().Lookup("kv/root");
  });
  sim->RunUntilIdle();
  EXPECT_TRUE(published.ok()) << published;
  EXPECT_TRUE(republished.ok()) << republished;
  ExpectStatus(empty_name, absl::StatusCode::kInvalidArgument, "empty name");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, root.base);
  ASSERT_TRUE(found_again.ok()) << found_again.status();
  EXPECT_EQ(*found_again, root.base + kPage);
  ExpectStatus(missing.status(), absl::StatusCode::kNotFound, "kv/nothing-here");
  ExpectStatus(other_rack.status(), absl::StatusCode::kNotFound, "kv/root");
}

// ---------------------------------------------------------------------------------------------
// Bin packing.

TEST(BinPackingTest, SpreadsAcrossMesAndReportsExhaustion) {
  auto sim = MakeSim(memtest::ConfigFrom(R"pb(
    racks {
      name: "r0"
      compute_elements { name: "ce0" cache_lines: 2 }
      memory_elements { name: "me0" capacity_bytes: 16384 }
      memory_elements { name: "me1" capacity_bytes: 16384 }
    }
  )pb"));
  absl::StatusOr<Region> small = NotRun(), spread = NotRun(), too_big = NotRun(), rest = NotRun(),
                         full = NotRun();
  std::string before_exhausted, after_exhausted;
  absl::StatusOr<std::string> readback = NotRun();
  std::string written;
  ProcessId p = kNoProcess;
  p = Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    small = co_await m.Allocate(kPage);       // best fit: me0 (tie broken by id)
    spread = co_await m.Allocate(5 * kPage);  // no ME holds 5: 4 on me1, 1 on me0
    before_exhausted = Snapshot(WorldOf(*sim));
    too_big = co_await m.Allocate(3 * kPage);  // 2 pages left
    after_exhausted = Snapshot(WorldOf(*sim));
    rest = co_await m.Allocate(2 * kPage);
    full = co_await m.Allocate(1);
    if (!spread.ok()) co_return;
    // The spread region holds data like any other (the cache holds only 2 pages).
    for (int i = 0; i < 5; ++i) written += std::string(kPage, static_cast<char>('A' + i));
    (void)co_await m.Write(spread->base, written);
    (void)co_await m.Evict(*spread);
    readback = co_await m.Read(spread->base, 5 * kPage);
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(small.ok()) << small.status();
  ASSERT_TRUE(spread.ok()) << spread.status();
  const mem::RackMmu& mmu = WorldOf(*sim).rack_mmu(RackId{0});
  const MeId me0 = memtest::MeNamed(*sim, "r0/me0");
  const MeId me1 = memtest::MeNamed(*sim, "r0/me1");
  const uint64_t first = spread->base / kPage;
  // me0 also holds `rest` (the 2 pages after the spread region).
  EXPECT_EQ(mmu.PagesOn(p, me0),
            (std::vector<uint64_t>{small->base / kPage, first + 4, first + 5, first + 6}));
  EXPECT_EQ(mmu.PagesOn(p, me1), (std::vector<uint64_t>{first, first + 1, first + 2, first + 3}));
  ExpectStatus(too_big.status(), absl::StatusCode::kResourceExhausted, "3 pages requested");
  EXPECT_EQ(before_exhausted, after_exhausted);
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->base, spread->end());  // the failed allocation consumed no addresses
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted) << full.status();
  EXPECT_EQ(WorldOf(*sim).me(me0).free_frames(), 0);
  EXPECT_EQ(WorldOf(*sim).me(me1).free_frames(), 0);
  ASSERT_TRUE(readback.ok()) << readback.status();
  EXPECT_TRUE(*readback == written) << "data of the spread region was not read back intact";
}

// ---------------------------------------------------------------------------------------------
// Costs.

struct CostParams {
  std::string name;
  int64_t memory_rtt_ns;  // even, so that one-way = rtt / 2 exactly
  int64_t memory_gbps;
  int64_t local_dram_ns;
  int64_t local_gbps;
  int64_t mmu_per_page_ns;
  int64_t page_size;
  int64_t intra_rack_rtt_ns;  // even
  int64_t nic_gbps;
  int64_t grant_pages;
};

void PrintTo(const CostParams& c, std::ostream* os) { *os << c.name; }

class CostTest : public ::testing::TestWithParam<CostParams> {};

TEST_P(CostTest, MissHitAndGrantCostExactly) {
  const CostParams& c = GetParam();
  PlatformConfig config = DefaultConfig();
  config::CostModel& cm = *config.mutable_cost_model();
  cm.set_memory_rtt_ns(c.memory_rtt_ns);
  cm.set_memory_bandwidth_gbps(static_cast<double>(c.memory_gbps));
  cm.set_local_dram_access_ns(c.local_dram_ns);
  cm.set_local_dram_bandwidth_gbps(static_cast<double>(c.local_gbps));
  cm.set_mmu_update_per_page_ns(c.mmu_per_page_ns);
  cm.set_intra_rack_rtt_ns(c.intra_rack_rtt_ns);
  cm.set_nic_bandwidth_gbps(static_cast<double>(c.nic_gbps));
  config.mutable_memory()->set_page_size(c.page_size);
  auto sim = MakeSim(config);

  const int64_t page = c.page_size;
  const int64_t kHitBytes = 100;
  Duration miss = -1, hit = -1, grant = -1;
  Time grant_done = -1, notice_at = -1;
  absl::Status grant_status = NotRun();
  absl::StatusOr<std::string> miss_bytes = NotRun();
  Region granted;
  int64_t notice_wire_bytes = -1;
  std::vector<Region> notice_regions;
  ProcessId dst = Spawn(*sim, "dst", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    Envelope e = co_await self.Receive();
    notice_at = self.Now();
    notice_wire_bytes = e.wire_bytes();
    if (e.Is<platform::GrantNotice>()) {
      notice_regions = memtest::RegionsOf(e.As<platform::GrantNotice>());
    }
  });
  ProcessId src = Spawn(*sim, "src", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    absl::StatusOr<Region> r = co_await m.Allocate(2 * page);
    if (!r.ok()) co_return;
    Time t = self.Now();
    miss_bytes = co_await m.Read(r->base, page);
    miss = self.Now() - t;
    t = self.Now();
    (void)co_await m.Read(r->base + 10, kHitBytes);
    hit = self.Now() - t;
    absl::StatusOr<Region> g = co_await m.Allocate(c.grant_pages * page);
    if (!g.ok()) co_return;
    granted = *g;
    (void)co_await m.Read(g->base, 1);  // one granted page is cached (clean)
    t = self.Now();
    grant_status = co_await m.Grant(*g, dst);
    grant_done = self.Now();
    grant = grant_done - t;
  });
  sim->RunUntilIdle();

  ASSERT_TRUE(miss_bytes.ok()) << miss_bytes.status();
  EXPECT_EQ(static_cast<int64_t>(miss_bytes->size()), page);
  // Allocate cached the V2P entries at the CE, so a miss pays no MMU round trip.
  EXPECT_EQ(miss, c.memory_rtt_ns + CeilDiv(page * 8, c.memory_gbps));
  EXPECT_EQ(hit, c.local_dram_ns + CeilDiv(kHitBytes * 8, c.local_gbps));
  ASSERT_TRUE(grant_status.ok()) << grant_status;
  EXPECT_EQ(grant, c.memory_rtt_ns + c.grant_pages * c.mmu_per_page_ns);

  platform::GrantNotice expected_notice;
  expected_notice.set_source(Index(src));
  platform::RegionMsg* rm = expected_notice.add_regions();
  rm->set_base(granted.base);
  rm->set_length(granted.length);
  const int64_t notice_bytes = static_cast<int64_t>(expected_notice.ByteSizeLong());
  EXPECT_EQ(notice_wire_bytes, notice_bytes);
  EXPECT_EQ(notice_regions, std::vector<Region>{granted});
  EXPECT_EQ(notice_at,
            grant_done + c.intra_rack_rtt_ns / 2 + CeilDiv(notice_bytes * 8, c.nic_gbps));
}

INSTANTIATE_TEST_SUITE_P(
    Params, CostTest,
    ::testing::Values(CostParams{"defaults", 2500, 100, 100, 800, 100, 4096, 2000, 100, 3},
                      CostParams{"rtt4000_mmu250_hugepages", 4000, 100, 100, 800, 250, 2097152,
                                 2000, 100, 2},
                      CostParams{"slow_links", 3000, 25, 50, 400, 1000, 4096, 5000, 10, 5},
                      CostParams{"fast_hugepages", 2000, 400, 70, 1600, 0, 2097152, 1000, 40, 1}),
    [](const ::testing::TestParamInfo<CostParams>& info) { return info.param.name; });

}  // namespace
}  // namespace ddc
