// Grant: the receiver sees the same bytes at the same virtual addresses (pointers stay valid),
// gets a GrantNotice, and the source loses access; dirty cached writes are written back first.
// Bad grants are refused with a precise status and leave every piece of memory state unchanged.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "platform/memory.h"
#include "platform/memory/memory_test_util.h"

namespace ddc {
namespace {

using memtest::WorldOf;
using memtest::ExpectStatus;
using memtest::MakeSim;
using memtest::NotRun;
using memtest::Snapshot;
using memtest::Spawn;

constexpr int64_t kPage = 4096;

TEST(GrantTest, ReceiverSeesTheSameBytesAtTheSameAddresses) {
  auto sim = MakeSim(DefaultConfig());
  const std::string kPayload = "a linked structure survives the grant";
  Region region;
  absl::Status granted = NotRun();
  absl::StatusOr<std::string> source_after = NotRun();
  absl::Status source_write_after = NotRun();
  // Receiver observations.
  bool got_notice = false;
  uint32_t notice_source = 0;
  std::vector<Region> notice_regions;
  absl::StatusOr<VirtAddr> pointer = NotRun();
  absl::StatusOr<uint64_t> length = NotRun();
  absl::StatusOr<std::string> payload = NotRun();
  std::vector<Region> receiver_regions;
  absl::Status granted_back = NotRun();
  absl::StatusOr<std::string> source_reads_back = NotRun();
  std::string me_bytes_at_grant;

  ProcessId src = kNoProcess;
  const ProcessId dst = Spawn(*sim, "dst", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    Envelope e = co_await self.Receive();
    if (!e.Is<platform::GrantNotice>()) co_return;
    got_notice = true;
    notice_source = e.As<platform::GrantNotice>().source();
    notice_regions = memtest::RegionsOf(e.As<platform::GrantNotice>());
    if (notice_regions.empty()) co_return;
    const VirtAddr base = notice_regions[0].base;
    pointer = co_await self.memory().ReadValue<VirtAddr>(base + 8);
    length = co_await self.memory().ReadValue<uint64_t>(base + 16);
    if (pointer.ok() && length.ok()) {
      payload = co_await self.memory().Read(*pointer, static_cast<int64_t>(*length));
    }
    receiver_regions = self.memory().Regions();
    // Hand the data page back, modified (dirty): the source must see the new bytes, not its own
    // earlier cached copy.
    if (!pointer.ok()) co_return;
    (void)co_await self.memory().Write(*pointer, "BACK");
    granted_back = co_await self.memory().Grant(Region{base + kPage, kPage}, src);
  });
  src = Spawn(*sim, "src", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    absl::StatusOr<Region> r = co_await m.Allocate(2 * kPage);
    if (!r.ok()) co_return;
    region = *r;
    // Page 0 holds a pointer to the payload on page 1; nothing is flushed.
    const VirtAddr data = region.base + kPage + 100;
    (void)co_await m.Write(data, kPayload);
    (void)co_await m.WriteValue<VirtAddr>(region.base + 8, data);
    (void)co_await m.WriteValue<uint64_t>(region.base + 16, kPayload.size());
    granted = co_await m.Grant(region, dst);
    me_bytes_at_grant = memtest::FrameBytes(WorldOf(*sim), dst, data).substr(100, kPayload.size());
    source_after = co_await m.Read(region.base, 8);
    source_write_after = co_await m.Write(region.base, "zombie");
    Envelope back = co_await self.Receive();
    if (!back.Is<platform::GrantNotice>()) co_return;
    source_reads_back = co_await m.Read(data, 4);
  });
  sim->RunUntilIdle();

  ASSERT_TRUE(granted.ok()) << granted;
  EXPECT_EQ(AllocatorOf(region.base), src);
  // The dirty cached writes reached the ME before the pages changed hands.
  EXPECT_EQ(me_bytes_at_grant, kPayload);
  ASSERT_TRUE(got_notice);
  EXPECT_EQ(notice_source, Index(src));
  EXPECT_EQ(notice_regions, std::vector<Region>{region});
  ASSERT_TRUE(pointer.ok()) << pointer.status();
  EXPECT_EQ(*pointer, region.base + kPage + 100);
  ASSERT_TRUE(length.ok()) << length.status();
  ASSERT_TRUE(payload.ok()) << payload.status();
  EXPECT_EQ(*payload, kPayload);
  EXPECT_EQ(receiver_regions, std::vector<Region>{region});
  ExpectStatus(source_after.status(), absl::StatusCode::kPermissionDenied,
               absl::StrCat("owned by process ", Index(dst)));
  ExpectStatus(source_write_after, absl::StatusCode::kPermissionDenied,
               absl::StrCat("owned by process ", Index(dst)));
  EXPECT_TRUE(granted_back.ok()) << granted_back;
  ASSERT_TRUE(source_reads_back.ok()) << source_reads_back.status();
  EXPECT_EQ(*source_reads_back, "BACK");
  EXPECT_EQ(sim->metrics().grants, 2u);
  EXPECT_EQ(sim->metrics().pages_granted, 3u);
  const mem::RackMmu& mmu = WorldOf(*sim).rack_mmu(RackId{0});
  EXPECT_EQ(mmu.RegionsOf(src), (std::vector<Region>{{region.base + kPage, kPage}}));
  EXPECT_EQ(mmu.RegionsOf(dst), (std::vector<Region>{{region.base, kPage}}));
}

TEST(GrantTest, SeveralRegionsAndTheMePageTableFollowTheGrant) {
  auto sim = MakeSim(DefaultConfig());
  Region r;
  absl::Status granted = NotRun();
  std::vector<Region> notice_regions;
  const ProcessId dst = Spawn(*sim, "dst", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    Envelope e = co_await self.Receive();
    if (e.Is<platform::GrantNotice>()) {
      notice_regions = memtest::RegionsOf(e.As<platform::GrantNotice>());
    }
  });
  ProcessId src = kNoProcess;
  src = Spawn(*sim, "src", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    absl::StatusOr<Region> a = co_await self.memory().Allocate(5 * kPage);
    if (!a.ok()) co_return;
    r = *a;
    // Pages 3 and 0 (in that order), leaving 1, 2 and 4.
    // (A named vector: GCC 12 rejects an initializer list inside a co_await expression.)
    std::vector<Region> regions = {r.Sub(3 * kPage, kPage), r.Sub(0, kPage)};
    granted = co_await self.memory().Grant(std::move(regions), dst);
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(granted.ok()) << granted;
  EXPECT_EQ(notice_regions, (std::vector<Region>{r.Sub(3 * kPage, kPage), r.Sub(0, kPage)}));
  sim::World& w = WorldOf(*sim);
  const mem::RackMmu& mmu = w.rack_mmu(RackId{0});
  EXPECT_EQ(mmu.RegionsOf(dst), (std::vector<Region>{r.Sub(0, kPage), r.Sub(3 * kPage, kPage)}));
  EXPECT_EQ(mmu.RegionsOf(src),
            (std::vector<Region>{r.Sub(kPage, 2 * kPage), r.Sub(4 * kPage, kPage)}));
  // The ME page table admits the destination and rejects the source for the granted pages.
  for (int64_t i : {0, 3}) {
    const uint64_t page = (r.base / kPage) + static_cast<uint64_t>(i);
    const mem::PhysicalPage* phys = mmu.Lookup(dst, page);
    ASSERT_NE(phys, nullptr);
    const mem::MemoryElement& me = w.me(phys->me);
    EXPECT_TRUE(me.Check(phys->frame, dst, page, mmu.epoch(dst), mem::kReadWrite).ok());
    EXPECT_EQ(me.Check(phys->frame, src, page, mmu.epoch(src), mem::kRead).code(),
              absl::StatusCode::kPermissionDenied);
  }
}

// Every bad grant is refused before anything changes; the source has a dirty page and a clean
// cached page, which must stay exactly as they are (no write-back, no drop).
TEST(GrantTest, BadGrantsAreRefusedAndChangeNothing) {
  auto sim = MakeSim(DefaultConfig());
  Region others;
  bool others_ready = false;
  const ProcessId dst = Spawn(*sim, "dst", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    for (;;) (void)co_await self.Receive();
  });
  const ProcessId other =
      Spawn(*sim, "other", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
        absl::StatusOr<Region> r = co_await self.memory().Allocate(kPage);
        if (!r.ok()) co_return;
        others = *r;
        (void)co_await self.memory().Write(others.base, "theirs");
        others_ready = true;
        for (;;) (void)co_await self.Receive();
      });
  const ProcessId doomed =
      Spawn(*sim, "doomed", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
        for (;;) (void)co_await self.Receive();
      });
  ASSERT_TRUE(sim->CrashCe(memtest::CeNamed(*sim, "r0/ce3"), Microseconds(1)).ok());
  const ProcessId far = Spawn(*sim, "far", "r1/ce0", [&](Process& self) -> asio::awaitable<void> {
    for (;;) (void)co_await self.Receive();
  });

  struct Attempt {
    std::string name;
    absl::Status status;
    absl::StatusCode code;
    std::string substring;
    std::string before, after;
  };
  std::vector<Attempt> attempts;
  absl::Status valid = NotRun();
  Region mine;
  Spawn(*sim, "src", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    if (!others_ready) co_return;
    Memory& m = self.memory();
    absl::StatusOr<Region> r = co_await m.Allocate(4 * kPage);
    if (!r.ok()) co_return;
    mine = *r;
    (void)co_await m.Write(mine.base + 5, "dirty");  // page 0: dirty in the cache
    (void)co_await m.Read(mine.base + kPage, 8);     // page 1: clean in the cache
    using C = absl::StatusCode;
    const std::string other_owner = absl::StrCat("owned by process ", Index(other));
    struct Case {
      std::string name;
      std::vector<Region> regions;
      ProcessId destination;
      C code;
      std::string substring;
    };
    const std::vector<Case> cases = {
        {"someone else's page", {{others.base, kPage}}, dst, C::kPermissionDenied, other_owner},
        {"own and someone else's",
         {mine.Sub(0, kPage), {others.base, kPage}},
         dst,
         C::kPermissionDenied,
         other_owner},
        {"no regions", {}, dst, C::kInvalidArgument, "no regions"},
        {"empty region", {{mine.base, 0}}, dst, C::kInvalidArgument, "empty region"},
        {"negative length", {{mine.base, -kPage}}, dst, C::kInvalidArgument, "empty region"},
        {"empty after a good one",
         {mine.Sub(0, kPage), {mine.base + kPage, 0}},
         dst,
         C::kInvalidArgument,
         "empty region"},
        {"unaligned base", {{mine.base + 1, kPage}}, dst, C::kInvalidArgument, "not aligned"},
        {"unaligned length", {{mine.base, kPage + 1}}, dst, C::kInvalidArgument, "not aligned"},
        {"overlapping",
         {mine.Sub(0, 2 * kPage), mine.Sub(kPage, kPage)},
         dst,
         C::kInvalidArgument,
         "overlap"},
        {"overlapping out of order",
         {mine.Sub(3 * kPage, kPage), mine.Sub(kPage, 3 * kPage)},
         dst,
         C::kInvalidArgument,
         "overlap"},
        {"duplicate",
         {mine.Sub(0, kPage), mine.Sub(0, kPage)},
         dst,
         C::kInvalidArgument,
         "overlap"},
        {"past the end",
         {mine.Sub(2 * kPage, 3 * kPage)},
         dst,
         C::kInvalidArgument,
         "past the end"},
        {"unmapped", {{mine.end() + 16 * kPage, kPage}}, dst, C::kNotFound, "not mapped"},
        {"dead destination",
         {mine.Sub(0, kPage)},
         doomed,
         C::kFailedPrecondition,
         "\"doomed\" is not running"},
        {"unknown destination", {mine.Sub(0, kPage)}, ProcessId{4242}, C::kNotFound, "4242"},
        {"to itself", {mine.Sub(0, kPage)}, self.id(), C::kInvalidArgument, "itself"},
        {"cross-rack", {mine.Sub(0, kPage)}, far, C::kFailedPrecondition, "another rack"},
    };
    for (const Case& c : cases) {
      std::string before = Snapshot(WorldOf(*sim));
      absl::Status s = co_await m.Grant(c.regions, c.destination);
      attempts.push_back(
          {c.name, s, c.code, c.substring, std::move(before), Snapshot(WorldOf(*sim))});
    }
    // The same pages can still be granted: nothing was left half done.
    valid = co_await m.Grant(mine, dst);
  });
  sim->RunUntilIdle();

  ASSERT_EQ(attempts.size(), 17u);
  for (const Attempt& a : attempts) {
    ExpectStatus(a.status, a.code, a.substring, a.name);
    EXPECT_EQ(a.before, a.after) << a.name << " changed memory state";
  }
  // The snapshots cover the source's dirty page: it was neither written back nor dropped.
  EXPECT_NE(attempts[0].before.find("cached dirty=1"), std::string::npos) << attempts[0].before;
  EXPECT_TRUE(valid.ok()) << valid;
  EXPECT_EQ(WorldOf(*sim).rack_mmu(RackId{0}).RegionsOf(dst), std::vector<Region>{mine});
  EXPECT_EQ(sim->metrics().grants, 1u);
}

// After a grant the source cannot touch the pages any more, through any call, and the failed
// attempts change nothing.
TEST(GrantTest, RevokedPagesAreDeniedToTheSource) {
  auto sim = MakeSim(DefaultConfig());
  Region r;
  struct Attempt {
    std::string name;
    absl::Status status;
    std::string before, after;
  };
  std::vector<Attempt> attempts;
  absl::Status granted = NotRun();
  absl::StatusOr<std::string> receiver_reads = NotRun();
  const ProcessId dst = Spawn(*sim, "dst", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    (void)co_await self.Receive();
    co_await self.Sleep(Microseconds(200));
    receiver_reads = co_await self.memory().Read(r.base, 4);
  });
  Spawn(*sim, "src", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    absl::StatusOr<Region> a = co_await m.Allocate(2 * kPage);
    if (!a.ok()) co_return;
    r = *a;
    (void)co_await m.Write(r.base, "mine");
    granted = co_await m.Grant(r, dst);
    auto record = [&](std::string name, absl::Status s, std::string before) {
      attempts.push_back(
          {std::move(name), std::move(s), std::move(before), Snapshot(WorldOf(*sim))});
    };
    std::string b = Snapshot(WorldOf(*sim));
    record("read", (co_await m.Read(r.base, 4)).status(), b);
    b = Snapshot(WorldOf(*sim));
    record("partial write", co_await m.Write(r.base + 1, "x"), b);
    b = Snapshot(WorldOf(*sim));
    record("full-page write", co_await m.Write(r.base, std::string(kPage, 'z')), b);
    b = Snapshot(WorldOf(*sim));
    record("flush", co_await m.Flush(r), b);
    b = Snapshot(WorldOf(*sim));
    record("evict", co_await m.Evict(r), b);
    b = Snapshot(WorldOf(*sim));
    record("free", co_await m.Free(r), b);
    b = Snapshot(WorldOf(*sim));
    record("checksums", (co_await m.Checksums(r)).status(), b);
    b = Snapshot(WorldOf(*sim));
    record("grant again", co_await m.Grant(r, dst), b);
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(granted.ok()) << granted;
  ASSERT_EQ(attempts.size(), 8u);
  for (const Attempt& a : attempts) {
    ExpectStatus(a.status, absl::StatusCode::kPermissionDenied,
                 absl::StrCat("owned by process ", Index(dst)), a.name);
    EXPECT_EQ(a.before, a.after) << a.name << " changed memory state";
  }
  ASSERT_TRUE(receiver_reads.ok()) << receiver_reads.status();
  EXPECT_EQ(*receiver_reads, "mine");
}

// Grant validates every region before writing anything back: when a dirty page of the second
// region sits on a failed ME, the first region's dirty page is neither written back nor dropped.
TEST(GrantTest, FailedWriteBackOfOneRegionLeavesTheOthersUntouched) {
  auto sim = MakeSim(memtest::ConfigFrom(R"pb(
    racks {
      name: "r0"
      compute_elements { name: "ce0" }
      compute_elements { name: "ce1" }
      memory_elements { name: "me0" capacity_bytes: 4096 }
      memory_elements { name: "me1" capacity_bytes: 65536 }
    }
    faults { me_faults { me: "r0/me1" at_ns: 50000 } }
  )pb"));
  Region a, b;
  absl::Status granted = NotRun();
  std::string before, after;
  const ProcessId dst = Spawn(*sim, "dst", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    for (;;) (void)co_await self.Receive();
  });
  ProcessId src = kNoProcess;
  src = Spawn(*sim, "src", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    absl::StatusOr<Region> ra = co_await m.Allocate(kPage);  // best fit: me0
    absl::StatusOr<Region> rb = co_await m.Allocate(kPage);  // me0 is full: me1
    if (!ra.ok() || !rb.ok()) co_return;
    a = *ra;
    b = *rb;
    (void)co_await m.Write(a.base, "first");
    (void)co_await m.Write(b.base, "second");
    co_await self.Sleep(Microseconds(100));  // me1 fails meanwhile
    before = Snapshot(WorldOf(*sim));
    std::vector<Region> regions = {a, b};
    granted = co_await m.Grant(std::move(regions), dst);
    after = Snapshot(WorldOf(*sim));
  });
  sim->RunUntilIdle();
  const mem::RackMmu& mmu = WorldOf(*sim).rack_mmu(RackId{0});
  ASSERT_EQ(mmu.PagesOn(src, memtest::MeNamed(*sim, "r0/me0")),
            std::vector<uint64_t>{a.base / kPage});
  ExpectStatus(granted, absl::StatusCode::kUnavailable, "r0/me1");
  EXPECT_EQ(before, after);
  const mem::CachedLine* cached = memtest::CachedLineOf(WorldOf(*sim), src, a.base);
  ASSERT_NE(cached, nullptr) << "the first region's dirty page was dropped from the cache";
  EXPECT_TRUE(cached->dirty);
  EXPECT_EQ(memtest::FrameBytes(WorldOf(*sim), src, a.base), std::string(kPage, '\0'));
}

// A page read into the cache while the grant's write-back is in flight (by another thread of the
// source) must not survive the grant: when the page comes back to the source later, its reads
// must see what the receiver wrote, not the stale copy.
TEST(GrantTest, CopiesCachedDuringTheGrantDoNotOutliveIt) {
  auto sim = MakeSim(DefaultConfig());
  Region r;
  absl::Status granted = NotRun(), joined = NotRun();
  absl::StatusOr<std::string> read_during_grant = NotRun(), read_after_return = NotRun();
  absl::StatusOr<std::vector<Region>> stolen_back = NotRun();
  absl::Status receiver_flushed = NotRun();
  const ProcessId dst = Spawn(*sim, "dst", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    (void)co_await self.memory().JoinTrustGroup("g", "s");
    Envelope e = co_await self.Receive();
    if (!e.Is<platform::GrantNotice>()) co_return;
    (void)co_await self.memory().Write(r.base, "new-bytes");
    receiver_flushed = co_await self.memory().Flush(r);
  });
  Spawn(*sim, "src", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    joined = co_await m.JoinTrustGroup("g", "s");
    absl::StatusOr<Region> a = co_await m.Allocate(kPage);
    if (!a.ok()) co_return;
    r = *a;
    (void)co_await m.Write(r.base, "old-bytes");  // dirty: the grant must write it back first
    self.Go([&]() -> asio::awaitable<void> {
      co_await self.Sleep(1);
      read_during_grant = co_await m.Read(r.base, 9);
    });
    granted = co_await m.Grant(r, dst);
    co_await self.Sleep(Microseconds(100));
    stolen_back = co_await m.Steal(dst, {"g", ""}, r);
    read_after_return = co_await m.Read(r.base, 9);
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(joined.ok()) << joined;
  ASSERT_TRUE(granted.ok()) << granted;
  ASSERT_TRUE(receiver_flushed.ok()) << receiver_flushed;
  ASSERT_TRUE(stolen_back.ok()) << stolen_back.status();
  EXPECT_EQ(*stolen_back, std::vector<Region>{r});
  ASSERT_TRUE(read_during_grant.ok()) << read_during_grant.status();
  EXPECT_EQ(*read_during_grant, "old-bytes");
  ASSERT_TRUE(read_after_return.ok()) << read_after_return.status();
  EXPECT_EQ(*read_after_return, "new-bytes");
}

}  // namespace
}  // namespace ddc
