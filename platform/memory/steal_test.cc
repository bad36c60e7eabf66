// Steal: from a dead victim and from a live straggler (which is fenced: its later accesses are
// rejected, its messages dropped, messages to it redirected to the thief); capability policies
// and bad input; and crash consistency (only flushed bytes survive a CE crash, and Checksums
// exposes torn or unflushed pages).
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "platform/memory.h"
#include "platform/memory/memory_test_util.h"

namespace ddc {
namespace {

using memtest::ExpectStatus;
using memtest::MakeSim;
using memtest::NotRun;
using memtest::Snapshot;
using memtest::Spawn;
using memtest::WorldOf;

constexpr int64_t kPage = 4096;

platform::RegionMsg Tag(uint64_t tag) {
  platform::RegionMsg m;
  m.set_base(tag);
  return m;
}

TEST(StealTest, DeadVictimsFlushedMemoryIsTakenAtTheSameAddresses) {
  auto sim = MakeSim(DefaultConfig());
  const std::string kPayload = "reachable through a stored pointer";
  Region r;
  bool victim_ready = false;
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        absl::StatusOr<Region> a = co_await m.Allocate(3 * kPage);
        if (!a.ok()) co_return;
        r = *a;
        const VirtAddr data = r.base + 2 * kPage + 64;
        (void)co_await m.WriteValue<VirtAddr>(r.base, data);
        (void)co_await m.WriteValue<uint64_t>(r.base + 8, kPayload.size());
        (void)co_await m.Write(data, kPayload);
        (void)co_await m.Write(r.base + kPage, std::string(kPage, 'B'));
        (void)co_await m.Flush(r);
        (void)co_await m.Publish("victim/root", r.base);
        victim_ready = true;
        for (;;) (void)co_await self.Receive();
      });
  ASSERT_TRUE(sim->CrashCe(memtest::CeNamed(*sim, "r0/ce1"), Microseconds(50)).ok());

  absl::StatusOr<VirtAddr> root = NotRun();
  absl::StatusOr<std::vector<Region>> stolen = NotRun();
  absl::StatusOr<VirtAddr> pointer = NotRun();
  absl::StatusOr<std::string> payload = NotRun(), page1 = NotRun();
  std::vector<Region> thief_regions;
  std::optional<Envelope> redirected;
  Time redirected_at = -1;
  const ProcessId thief =
      Spawn(*sim, "thief", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        co_await self.Sleep(Microseconds(60) - self.Now());
        root = co_await m.Lookup("victim/root");
        stolen = co_await m.Steal(victim, {"g", ""}, std::nullopt);
        if (!root.ok() || !stolen.ok()) co_return;
        pointer = co_await m.ReadValue<VirtAddr>(*root);
        absl::StatusOr<uint64_t> len = co_await m.ReadValue<uint64_t>(*root + 8);
        if (pointer.ok() && len.ok())
          payload = co_await m.Read(*pointer, static_cast<int64_t>(*len));
        page1 = co_await m.Read(*root + kPage, kPage);
        thief_regions = m.Regions();
        redirected = co_await self.ReceiveFor(Microseconds(500));
        redirected_at = self.Now();
      });
  const ProcessId sender =
      Spawn(*sim, "sender", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Microseconds(55));
        (void)self.Send(victim, Tag(1));  // dead and not yet stolen from: lost
        co_await self.Sleep(Microseconds(80) - self.Now());
        (void)self.Send(victim, Tag(2));  // the ToR redirects it to the thief
      });
  sim->RunUntilIdle();

  ASSERT_TRUE(victim_ready);
  EXPECT_EQ(sim->Status(victim).state, ProcessState::kCrashed);
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(*root, r.base);
  EXPECT_EQ(AllocatorOf(*root), victim);
  ASSERT_TRUE(stolen.ok()) << stolen.status();
  EXPECT_EQ(*stolen, std::vector<Region>{r});
  ASSERT_TRUE(pointer.ok()) << pointer.status();
  EXPECT_EQ(*pointer, r.base + 2 * kPage + 64);
  ASSERT_TRUE(payload.ok()) << payload.status();
  EXPECT_EQ(*payload, kPayload);
  ASSERT_TRUE(page1.ok()) << page1.status();
  EXPECT_EQ(*page1, std::string(kPage, 'B'));
  EXPECT_EQ(thief_regions, std::vector<Region>{r});
  EXPECT_TRUE(WorldOf(*sim).rack_mmu(RackId{0}).RegionsOf(victim).empty());
  ASSERT_TRUE(redirected.has_value());
  EXPECT_EQ(redirected->from(), sender);
  EXPECT_EQ(redirected->to(), victim);
  ASSERT_TRUE(redirected->Is<platform::RegionMsg>());
  EXPECT_EQ(redirected->As<platform::RegionMsg>().base(), 2u);
  EXPECT_LT(redirected_at, Microseconds(90));
  EXPECT_EQ(sim->metrics().redirected, 1u);
  EXPECT_EQ(sim->metrics().steals, 1u);
  EXPECT_EQ(sim->metrics().pages_stolen, 3u);
  (void)thief;
}

// memory.steal_granularity: a whole-space steal costs one MMU update per page under PAGE and one
// per ME holding the victim's pages under ADDRESS_SPACE (an extension beyond the paper); the data
// arrives the same either way.
Duration WholeSpaceStealTime(config::MemoryConfig::StealGranularity granularity,
                             std::string* page_seen) {
  PlatformConfig config = DefaultConfig();
  config.mutable_memory()->set_steal_granularity(granularity);
  auto sim = MakeSim(config);
  constexpr int64_t kPages = 256;
  Region r;
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        absl::StatusOr<Region> a = co_await m.Allocate(kPages * kPage);
        if (!a.ok()) co_return;
        r = *a;
        (void)co_await m.Write(r.base + (kPages - 1) * kPage, "last page");
        (void)co_await m.Flush(r);
        for (;;) (void)co_await self.Receive();
      });
  EXPECT_TRUE(sim->CrashCe(memtest::CeNamed(*sim, "r0/ce1"), Microseconds(100)).ok());
  Duration took = -1;
  Spawn(*sim, "thief", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    (void)co_await m.JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(200) - self.Now());
    const Time start = self.Now();
    absl::StatusOr<std::vector<Region>> stolen = co_await m.Steal(victim, {"g", ""}, std::nullopt);
    if (!stolen.ok()) co_return;
    took = self.Now() - start;
    absl::StatusOr<std::string> page = co_await m.Read(r.base + (kPages - 1) * kPage, 9);
    if (page.ok()) *page_seen = *page;
  });
  sim->RunUntilIdle();
  return took;
}

TEST(StealTest, AddressSpaceGranularityChargesPerMemoryElementNotPerPage) {
  std::string by_page, by_space;
  const Duration page = WholeSpaceStealTime(config::MemoryConfig::PAGE, &by_page);
  const Duration space = WholeSpaceStealTime(config::MemoryConfig::ADDRESS_SPACE, &by_space);
  const int64_t per_page = DefaultConfig().cost_model().mmu_update_per_page_ns();
  ASSERT_GT(space, 0);
  // 256 pages on one ME: 256 updates against 1.
  EXPECT_EQ(page - space, 255 * per_page);
  EXPECT_EQ(by_page, "last page");
  EXPECT_EQ(by_space, "last page");
}

// A straggler keeps running after its memory was stolen: everything it then does to its old
// memory is rejected (PERMISSION_DENIED), also for the pages it still maps (the steal bumped its
// owner epoch), the data stays the thief's, its messages are dropped and messages to it go to
// the thief.
TEST(StealTest, LiveVictimIsFencedAndTheDataStaysTheThiefs) {
  auto sim = MakeSim(DefaultConfig());
  Region r;
  struct Attempt {
    std::string name;
    absl::Status status;
    std::string substring;
    std::string before, after;
  };
  std::vector<Attempt> attempts;
  bool victim_finished = false;
  ProcessId thief = kNoProcess, partner = kNoProcess;
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        absl::StatusOr<Region> a = co_await m.Allocate(3 * kPage);
        if (!a.ok()) co_return;
        r = *a;
        (void)co_await m.Write(
            r.base, std::string(kPage, 'a') + std::string(kPage, 'b') + std::string(kPage, 'c'));
        (void)co_await m.Flush(r);
        co_await self.Sleep(Microseconds(50) - self.Now());  // the thief steals pages 0-1 at 30 us
        const std::string by_thief = absl::StrCat("owned by process ", Index(thief));
        auto attempt = [&](std::string name, absl::Status s, std::string sub, std::string before) {
          attempts.push_back({std::move(name), std::move(s), std::move(sub), std::move(before),
                              Snapshot(WorldOf(*sim))});
        };
        const Region kept = r.Sub(2 * kPage, kPage);
        std::string b = Snapshot(WorldOf(*sim));
        attempt("write stolen page", co_await m.Write(r.base + 10, "zombie"), by_thief, b);
        b = Snapshot(WorldOf(*sim));
        attempt("full-page write of stolen page", co_await m.Write(r.base, std::string(kPage, 'Z')),
                by_thief, b);
        b = Snapshot(WorldOf(*sim));
        attempt("read stolen page", (co_await m.Read(r.base, 4)).status(), by_thief, b);
        b = Snapshot(WorldOf(*sim));
        attempt("flush stolen page", co_await m.Flush(r.Sub(0, kPage)), by_thief, b);
        b = Snapshot(WorldOf(*sim));
        attempt("read kept page", (co_await m.Read(kept.base, 4)).status(), "fenced", b);
        b = Snapshot(WorldOf(*sim));
        attempt("partial write of kept page", co_await m.Write(kept.base + 1, "z"), "fenced", b);
        b = Snapshot(WorldOf(*sim));
        attempt("checksums of kept page", (co_await m.Checksums(kept)).status(), "fenced", b);
        // The steal shot down the victim's V2P entries, so even a whole-page write (which would
        // otherwise stay in the CE cache without touching an ME) meets the rack MMU's fence.
        b = Snapshot(WorldOf(*sim));
        attempt("full-page write of kept page",
                co_await m.Write(kept.base, std::string(kPage, 'Z')), "fenced", b);
        b = Snapshot(WorldOf(*sim));
        attempt("flush kept page", co_await m.Flush(kept), "fenced", b);
        b = Snapshot(WorldOf(*sim));
        attempt("evict kept page", co_await m.Evict(kept), "fenced", b);
        (void)self.Send(partner, Tag(66));  // fenced at the ToR
        victim_finished = true;
      });
  absl::StatusOr<std::vector<Region>> stolen = NotRun();
  absl::StatusOr<std::string> thief_page0 = NotRun(), thief_page1 = NotRun();
  std::optional<Envelope> to_victim;
  thief = Spawn(*sim, "thief", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    (void)co_await m.JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(30) - self.Now());
    stolen = co_await m.Steal(victim, {"g", ""}, r.Sub(0, 2 * kPage));
    (void)co_await m.Write(r.base, "thief");
    (void)co_await m.Flush(r.Sub(0, kPage));
    co_await self.Sleep(Microseconds(150) - self.Now());
    (void)co_await m.Evict(r.Sub(0, 2 * kPage));
    thief_page0 = co_await m.Read(r.base, kPage);
    thief_page1 = co_await m.Read(r.base + kPage, kPage);
    to_victim = co_await self.ReceiveFor(Microseconds(200));
  });
  int partner_received = 0;
  partner = Spawn(*sim, "partner", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(160));
    (void)self.Send(victim, Tag(7));
    while (co_await self.ReceiveFor(Microseconds(300))) ++partner_received;
  });
  sim->RunUntilIdle();

  ASSERT_TRUE(stolen.ok()) << stolen.status();
  EXPECT_EQ(*stolen, std::vector<Region>{r.Sub(0, 2 * kPage)});
  ASSERT_TRUE(victim_finished);
  EXPECT_NE(sim->Status(victim).state, ProcessState::kCrashed);  // a straggler, not dead
  ASSERT_EQ(attempts.size(), 10u);
  for (const Attempt& a : attempts) {
    ExpectStatus(a.status, absl::StatusCode::kPermissionDenied, a.substring, a.name);
    EXPECT_EQ(a.before, a.after) << a.name << " changed memory state";
  }
  ASSERT_TRUE(thief_page0.ok()) << thief_page0.status();
  EXPECT_EQ(*thief_page0, "thief" + std::string(kPage - 5, 'a'));
  ASSERT_TRUE(thief_page1.ok()) << thief_page1.status();
  EXPECT_EQ(*thief_page1, std::string(kPage, 'b'));
  // The page the victim still maps keeps its flushed bytes at the ME.
  EXPECT_EQ(memtest::FrameBytes(WorldOf(*sim), victim, r.base + 2 * kPage),
            std::string(kPage, 'c'));
  EXPECT_EQ(partner_received, 0);
  EXPECT_EQ(sim->metrics().dropped_by_fence, 1u);
  ASSERT_TRUE(to_victim.has_value());
  EXPECT_EQ(to_victim->to(), victim);
  EXPECT_EQ(to_victim->from(), partner);
  EXPECT_EQ(sim->metrics().redirected, 1u);
}

// The fenced straggler cannot dispose of the pages it still maps either: its grant, free and
// steal requests carry a stale owner epoch and are refused without changing anything.
TEST(StealTest, FencedVictimCannotGrantFreeOrStealBack) {
  auto sim = MakeSim(DefaultConfig());
  Region r;
  struct Attempt {
    std::string name;
    absl::Status status;
    std::string before, after;
  };
  std::vector<Attempt> attempts;
  ProcessId thief = kNoProcess;
  const ProcessId partner =
      Spawn(*sim, "partner", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
        for (;;) (void)co_await self.Receive();
      });
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        absl::StatusOr<Region> a = co_await m.Allocate(3 * kPage);
        if (!a.ok()) co_return;
        r = *a;
        (void)co_await m.Write(r.base, std::string(3 * kPage, 'v'));
        (void)co_await m.Flush(r);
        co_await self.Sleep(Microseconds(50) - self.Now());
        const Region kept = r.Sub(2 * kPage, kPage);
        std::string b = Snapshot(WorldOf(*sim));
        absl::Status s = co_await m.Grant(kept, partner);
        attempts.push_back({"grant kept page", s, b, Snapshot(WorldOf(*sim))});
        b = Snapshot(WorldOf(*sim));
        s = co_await m.Free(kept);
        attempts.push_back({"free kept page", s, b, Snapshot(WorldOf(*sim))});
        b = Snapshot(WorldOf(*sim));
        s = (co_await m.Steal(thief, {"g", ""}, std::nullopt)).status();
        attempts.push_back({"steal back", s, b, Snapshot(WorldOf(*sim))});
      });
  absl::StatusOr<std::vector<Region>> stolen = NotRun();
  thief = Spawn(*sim, "thief", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    (void)co_await self.memory().JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(30) - self.Now());
    stolen = co_await self.memory().Steal(victim, {"g", ""}, r.Sub(0, 2 * kPage));
  });
  sim->RunUntilIdle();
  ASSERT_TRUE(stolen.ok()) << stolen.status();
  ASSERT_EQ(attempts.size(), 3u);
  for (const Attempt& a : attempts) {
    ExpectStatus(a.status, absl::StatusCode::kPermissionDenied, "fenced", a.name);
    EXPECT_EQ(a.before, a.after) << a.name << " changed memory state";
  }
  const mem::RackMmu& mmu = WorldOf(*sim).rack_mmu(RackId{0});
  EXPECT_EQ(mmu.RegionsOf(thief), std::vector<Region>{r.Sub(0, 2 * kPage)});
  EXPECT_EQ(mmu.RegionsOf(victim), std::vector<Region>{r.Sub(2 * kPage, kPage)});
  EXPECT_TRUE(mmu.RegionsOf(partner).empty());
}

TEST(StealTest, BadStealsAreRefusedAndChangeNothing) {
  auto sim = MakeSim(DefaultConfig());
  Region r, n;
  bool victim_ready = false;
  ProcessId member = kNoProcess;
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        absl::StatusOr<Region> a = co_await m.Allocate(2 * kPage);
        if (!a.ok()) co_return;
        r = *a;
        (void)co_await m.Write(r.base + 3, "dirty");
        victim_ready = true;
        co_await self.Sleep(Microseconds(200) - self.Now());
        (void)self.Send(member, Tag(5));  // no fence was installed: this arrives
        for (;;) (void)co_await self.Receive();
      });
  const ProcessId nogroup =
      Spawn(*sim, "nogroup", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        absl::StatusOr<Region> a = co_await self.memory().Allocate(kPage);
        if (a.ok()) n = *a;
        for (;;) (void)co_await self.Receive();
      });
  const ProcessId far = Spawn(*sim, "far", "r1/ce0", [&](Process& self) -> asio::awaitable<void> {
    (void)co_await self.memory().JoinTrustGroup("g", "s");
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
  Spawn(*sim, "outsider", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    std::string b = Snapshot(WorldOf(*sim));
    absl::Status s = (co_await self.memory().Steal(victim, {"g", "s"}, std::nullopt)).status();
    attempts.push_back({"outsider with the right secret", s, absl::StatusCode::kPermissionDenied,
                        "is not a member of \"g\"", b, Snapshot(WorldOf(*sim))});
  });
  std::optional<Envelope> from_victim;
  absl::StatusOr<std::vector<Region>> valid = NotRun();
  member = Spawn(*sim, "member", "r0/ce3", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    (void)co_await m.JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(40) - self.Now());
    if (!victim_ready) co_return;
    using C = absl::StatusCode;
    struct Case {
      std::string name;
      ProcessId victim;
      Capability capability;
      std::optional<Region> region;
      C code;
      std::string substring;
    };
    const std::vector<Case> cases = {
        {"capability for another group",
         victim,
         {"h", "s"},
         std::nullopt,
         C::kPermissionDenied,
         "capability names group \"h\""},
        {"victim in no group",
         nogroup,
         {"g", "s"},
         std::nullopt,
         C::kPermissionDenied,
         "is in no trust group"},
        {"unknown victim", ProcessId{999}, {"g", "s"}, std::nullopt, C::kNotFound, "999"},
        {"from itself", self.id(), {"g", "s"}, std::nullopt, C::kInvalidArgument, "itself"},
        {"cross-rack victim",
         far,
         {"g", "s"},
         std::nullopt,
         C::kFailedPrecondition,
         "another rack"},
        {"region of another process",
         victim,
         {"g", ""},
         Region{n.base, kPage},
         C::kPermissionDenied,
         absl::StrCat("owned by process ", Index(nogroup))},
        {"region past the end",
         victim,
         {"g", ""},
         r.Sub(kPage, 2 * kPage),
         C::kInvalidArgument,
         "past the end"},
        {"unaligned region",
         victim,
         {"g", ""},
         Region{r.base + 1, kPage},
         C::kInvalidArgument,
         "not aligned"},
        {"empty region", victim, {"g", ""}, Region{r.base, 0}, C::kInvalidArgument, "empty region"},
        {"unmapped region",
         victim,
         {"g", ""},
         Region{r.end() + 8 * kPage, kPage},
         C::kNotFound,
         "not mapped"},
    };
    for (const Case& c : cases) {
      std::string b = Snapshot(WorldOf(*sim));
      absl::Status s = (co_await m.Steal(c.victim, c.capability, c.region)).status();
      attempts.push_back({c.name, s, c.code, c.substring, std::move(b), Snapshot(WorldOf(*sim))});
    }
    from_victim = co_await self.ReceiveFor(Microseconds(300));
    valid = co_await m.Steal(victim, {"g", ""}, r);
  });
  sim->RunUntilIdle();

  ASSERT_EQ(attempts.size(), 11u);
  for (const Attempt& a : attempts) {
    ExpectStatus(a.status, a.code, a.substring, a.name);
    EXPECT_EQ(a.before, a.after) << a.name << " changed memory state";
  }
  ASSERT_TRUE(from_victim.has_value());
  EXPECT_EQ(from_victim->from(), victim);
  EXPECT_EQ(sim->metrics().dropped_by_fence, 0u);
  EXPECT_EQ(sim->metrics().redirected, 0u);
  ASSERT_TRUE(valid.ok()) << valid.status();
  EXPECT_EQ(*valid, std::vector<Region>{r});
  EXPECT_EQ(sim->metrics().steals, 1u);
}

TEST(StealTest, GroupSecretPolicyChecksTheSecretNotMembership) {
  PlatformConfig config = DefaultConfig();
  config.mutable_memory()->set_steal_policy(config::MemoryConfig::GROUP_SECRET);
  auto sim = MakeSim(config);
  Region r;
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        (void)co_await self.memory().JoinTrustGroup("g", "s3cret");
        absl::StatusOr<Region> a = co_await self.memory().Allocate(kPage);
        if (!a.ok()) co_return;
        r = *a;
        (void)co_await self.memory().Write(r.base, "victim data");
        (void)co_await self.memory().Flush(r);
      });
  absl::Status wrong = NotRun();
  std::string before, after;
  absl::StatusOr<std::vector<Region>> right = NotRun();
  absl::StatusOr<std::string> data = NotRun();
  Spawn(*sim, "outsider", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(30));
    before = Snapshot(WorldOf(*sim));
    wrong = (co_await self.memory().Steal(victim, {"g", "guess"}, std::nullopt)).status();
    after = Snapshot(WorldOf(*sim));
    right = co_await self.memory().Steal(victim, {"g", "s3cret"}, std::nullopt);
    data = co_await self.memory().Read(r.base, 11);
  });
  sim->RunUntilIdle();
  ExpectStatus(wrong, absl::StatusCode::kPermissionDenied, "wrong secret for group \"g\"");
  EXPECT_EQ(before, after);
  ASSERT_TRUE(right.ok()) << right.status();
  EXPECT_EQ(*right, std::vector<Region>{r});
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, "victim data");
}

TEST(StealTest, JoinTrustGroupChecksTheSecret) {
  auto sim = MakeSim(DefaultConfig());
  absl::Status create = NotRun(), rejoin = NotRun(), wrong = NotRun(), second_group = NotRun(),
               empty = NotRun(), good = NotRun(), steal_after_wrong = NotRun();
  const ProcessId founder =
      Spawn(*sim, "founder", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        create = co_await self.memory().JoinTrustGroup("g", "s");
        (void)co_await self.memory().Allocate(kPage);
        rejoin = co_await self.memory().JoinTrustGroup("g", "s");
      });
  Spawn(*sim, "joiner", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    wrong = co_await self.memory().JoinTrustGroup("g", "not-s");
    // The failed join did not make it a member.
    steal_after_wrong = (co_await self.memory().Steal(founder, {"g", ""}, std::nullopt)).status();
    empty = co_await self.memory().JoinTrustGroup("", "x");
    good = co_await self.memory().JoinTrustGroup("g", "s");
    second_group = co_await self.memory().JoinTrustGroup("h", "t");
  });
  sim->RunUntilIdle();
  EXPECT_TRUE(create.ok()) << create;
  EXPECT_TRUE(rejoin.ok()) << rejoin;
  ExpectStatus(wrong, absl::StatusCode::kPermissionDenied, "wrong group secret");
  ExpectStatus(steal_after_wrong, absl::StatusCode::kPermissionDenied, "not a member");
  ExpectStatus(empty, absl::StatusCode::kInvalidArgument, "empty group name");
  EXPECT_TRUE(good.ok()) << good;
  ExpectStatus(second_group, absl::StatusCode::kFailedPrecondition, "already in \"g\"");
}

// ---------------------------------------------------------------------------------------------
// Crash consistency.

TEST(CrashConsistencyTest, OnlyFlushedWritesSurviveAndChecksumsExposeTheRest) {
  auto sim = MakeSim(DefaultConfig());
  const std::string page0_flushed(kPage, 'a');
  const std::string page0_intended = std::string(100, 'x') + std::string(kPage - 100, 'a');
  const std::string page1_intended(kPage, 'b');
  const std::string page2_intended(kPage, 'c');
  const std::string zeros(kPage, '\0');
  bool writer_ready = false;
  const ProcessId writer =
      Spawn(*sim, "writer", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        absl::StatusOr<Region> a = co_await m.Allocate(4 * kPage);
        if (!a.ok()) co_return;
        const Region r = *a;
        // Page 0: flushed, then partly overwritten without a flush (torn).
        (void)co_await m.Write(r.base, page0_flushed);
        (void)co_await m.Flush(r.Sub(0, kPage));
        (void)co_await m.Write(r.base, std::string(100, 'x'));
        // Page 1: written, never flushed.
        (void)co_await m.Write(r.base + kPage, page1_intended);
        // Page 2: written and flushed.
        (void)co_await m.Write(r.base + 2 * kPage, page2_intended);
        (void)co_await m.Flush(r.Sub(2 * kPage, kPage));
        // Page 3: the checksums of what the writer meant to make durable, flushed.
        uint32_t table[3] = {PageChecksum(page0_intended), PageChecksum(page1_intended),
                             PageChecksum(page2_intended)};
        (void)co_await m.Write(
            r.base + 3 * kPage,
            absl::string_view(reinterpret_cast<const char*>(table), sizeof(table)));
        (void)co_await m.Flush(r.Sub(3 * kPage, kPage));
        (void)co_await m.Publish("log", r.base);
        writer_ready = true;
        for (;;) (void)co_await self.Receive();
      });
  ASSERT_TRUE(sim->CrashCe(memtest::CeNamed(*sim, "r0/ce1"), Microseconds(100)).ok());
  absl::StatusOr<std::vector<Region>> stolen = NotRun();
  absl::StatusOr<std::string> table_bytes = NotRun(), pages = NotRun();
  absl::StatusOr<std::vector<uint32_t>> sums = NotRun();
  Spawn(*sim, "recovery", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    (void)co_await m.JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(150) - self.Now());
    absl::StatusOr<VirtAddr> root = co_await m.Lookup("log");
    if (!root.ok()) co_return;
    stolen = co_await m.Steal(writer, {"g", ""}, std::nullopt);
    table_bytes = co_await m.Read(*root + 3 * kPage, 3 * sizeof(uint32_t));
    sums = co_await m.Checksums({*root, 3 * kPage});
    pages = co_await m.Read(*root, 3 * kPage);
  });
  sim->RunUntilIdle();

  ASSERT_TRUE(writer_ready);
  EXPECT_EQ(sim->Status(writer).state, ProcessState::kCrashed);
  EXPECT_EQ(WorldOf(*sim).cache(memtest::CeNamed(*sim, "r0/ce1")).size(), 0);
  ASSERT_TRUE(stolen.ok()) << stolen.status();
  ASSERT_TRUE(pages.ok()) << pages.status();
  ASSERT_EQ(pages->size(), static_cast<size_t>(3 * kPage));
  EXPECT_TRUE(pages->substr(0, kPage) == page0_flushed) << "page 0 is not the flushed version";
  EXPECT_TRUE(pages->substr(kPage, kPage) == zeros) << "unflushed page 1 survived the crash";
  EXPECT_TRUE(pages->substr(2 * kPage, kPage) == page2_intended) << "flushed page 2 was lost";
  ASSERT_TRUE(table_bytes.ok()) << table_bytes.status();
  uint32_t table[3];
  std::memcpy(table, table_bytes->data(), sizeof(table));
  ASSERT_TRUE(sums.ok()) << sums.status();
  ASSERT_EQ(sums->size(), 3u);
  EXPECT_EQ((*sums)[0], PageChecksum(page0_flushed));
  EXPECT_EQ((*sums)[1], PageChecksum(zeros));
  EXPECT_EQ((*sums)[2], PageChecksum(page2_intended));
  EXPECT_NE((*sums)[0], table[0]) << "the torn page 0 is not detected";
  EXPECT_NE((*sums)[1], table[1]) << "the unflushed page 1 is not detected";
  EXPECT_EQ((*sums)[2], table[2]);
}

}  // namespace
}  // namespace ddc
