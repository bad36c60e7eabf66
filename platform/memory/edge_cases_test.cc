// Edge cases found in review: a partial steal must not swallow the victim's unflushed writes, a
// fenced process cannot receive grants, reads never return bytes from a failed ME, a failed
// eviction write-back is reported, absurd lengths are refused, and pages on a failed ME cannot be
// granted.
#include <stdexcept>
#include <string>

#include "gtest/gtest.h"
#include "platform/memory/memory_test_util.h"

namespace ddc {
namespace {

using memtest::ConfigFrom;
using memtest::ExpectStatus;
using memtest::MakeSim;
using memtest::NotRun;
using memtest::Spawn;
using memtest::WorldOf;

constexpr int64_t kPage = 4096;

// In this rack r0/me0 holds a single page, so a 2-page allocation lands on me1 and the next
// 1-page allocation (the following addresses) on me0.
constexpr char kSplitRack[] = R"(
  racks {
    name: "r0"
    compute_elements { name: "ce0" cache_lines: 2 }
    compute_elements { name: "ce1" }
    compute_elements { name: "ce2" }
    memory_elements { name: "me0" capacity_bytes: 4096 }
    memory_elements { name: "me1" }
  }
)";

TEST(EdgeCaseTest, PartialStealLeavesTheVictimsUnflushedWritesToFailLoudly) {
  auto sim = MakeSim(DefaultConfig());
  Region region;
  absl::Status flush_after_steal = NotRun();
  absl::StatusOr<std::string> thief_sees = NotRun();
  bool stolen_page0 = false;
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        (void)co_await m.JoinTrustGroup("g", "s");
        region = *co_await m.Allocate(2 * kPage);
        (void)co_await m.Write(region.base, std::string(2 * kPage, 'A'));
        (void)co_await m.Flush(region);
        (void)co_await m.Write(region.base + kPage, std::string(kPage, 'B'));  // not flushed
        while (!stolen_page0) co_await self.Sleep(Microseconds(1));
        flush_after_steal = co_await m.Flush(region.Sub(kPage, kPage));
        co_await self.Sleep(Seconds(1));
      });
  Spawn(*sim, "thief", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    (void)co_await m.JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(100));
    (void)co_await m.Steal(victim, Capability("g"), region.Sub(0, kPage));
    stolen_page0 = true;
    co_await self.Sleep(Microseconds(100));
    (void)co_await m.Steal(victim, Capability("g"), region.Sub(kPage, kPage));
    thief_sees = co_await m.Read(region.base + kPage, 1);
  });
  sim->RunUntil(Seconds(2));
  ExpectStatus(flush_after_steal, absl::StatusCode::kPermissionDenied, "fenced by a steal");
  ASSERT_TRUE(thief_sees.ok()) << thief_sees.status();
  EXPECT_EQ(*thief_sees, "A");  // the unflushed "B" never reached the ME, and the victim was told
}

TEST(EdgeCaseTest, AFencedProcessCannotReceiveAGrant) {
  auto sim = MakeSim(DefaultConfig());
  absl::Status granted = NotRun();
  bool fenced = false;
  const ProcessId victim =
      Spawn(*sim, "victim", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        (void)co_await self.memory().JoinTrustGroup("g", "s");
        co_await self.Sleep(Seconds(1));
      });
  Spawn(*sim, "thief", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    (void)co_await self.memory().JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(10));
    (void)co_await self.memory().Steal(victim, Capability("g"), std::nullopt);
    fenced = true;
  });
  Spawn(*sim, "giver", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    Region r = *co_await self.memory().Allocate(kPage);
    while (!fenced) co_await self.Sleep(Microseconds(1));
    granted = co_await self.memory().Grant(r, victim);
  });
  sim->RunUntil(Seconds(2));
  ExpectStatus(granted, absl::StatusCode::kFailedPrecondition, "fenced");
}

TEST(EdgeCaseTest, AReadLargerThanTheCacheNeverReturnsBytesOfAFailedMe) {
  auto sim = MakeSim(ConfigFrom(kSplitRack));
  absl::StatusOr<std::string> read = NotRun();
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    Region yz = *co_await m.Allocate(2 * kPage);  // on me1
    Region x = *co_await m.Allocate(kPage);       // on me0, right after yz
    (void)co_await m.Write(x.base, std::string(kPage, 'x'));
    (void)co_await m.Flush(x);               // x stays cached, clean
    co_await self.Sleep(Microseconds(100));  // me0 fails meanwhile
    read = co_await m.Read(yz.base, 3 * kPage);
  });
  config::FaultSchedule faults;
  faults.add_me_faults()->set_me("r0/me0");
  faults.mutable_me_faults(0)->set_at_ns(Microseconds(50));
  ASSERT_TRUE(sim->InjectFaults(faults).ok());
  sim->RunUntilIdle();
  ExpectStatus(read.status(), absl::StatusCode::kUnavailable, "me0");
}

// An eviction by one process can find another process's dirty line on a failed ME. The owner's
// failure handler then runs as a thread of the owner: an exception in it fails the owner, and the
// evicting process's read goes on untouched.
TEST(EdgeCaseTest, AFailureFoundByAnotherProcesssEvictionRunsTheHandlerInTheOwner) {
  auto sim = MakeSim(ConfigFrom(kSplitRack));
  absl::StatusOr<std::string> read = NotRun();
  const ProcessId owner =
      Spawn(*sim, "owner", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        Memory& m = self.memory();
        Region a = *co_await m.Allocate(kPage);  // on me0
        (void)self.failures().SetMemoryFailureHandler(
            [](const MemoryFailure&) { throw std::runtime_error("owner's handler gave up"); });
        (void)co_await m.Write(a.base, "dirty");
        co_await self.Sleep(Seconds(1));
      });
  const ProcessId evictor =
      Spawn(*sim, "evictor", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Microseconds(10));
        Region b = *co_await self.memory().Allocate(2 * kPage);  // on me1
        co_await self.Sleep(Microseconds(100));                  // me0 fails meanwhile
        read = co_await self.memory().Read(b.base, 2 * kPage);   // evicts the owner's dirty line
      });
  config::FaultSchedule faults;
  faults.add_me_faults()->set_me("r0/me0");
  faults.mutable_me_faults(0)->set_at_ns(Microseconds(50));
  ASSERT_TRUE(sim->InjectFaults(faults).ok());
  sim->SetLog(nullptr);
  sim->RunUntilIdle();
  EXPECT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(sim->metrics().writeback_failures, 1u);
  EXPECT_EQ(sim->Status(evictor).state, ProcessState::kExited);
  EXPECT_EQ(sim->Status(owner).state, ProcessState::kFailed);
  EXPECT_NE(sim->Status(owner).error.find("owner's handler gave up"), std::string::npos)
      << sim->Status(owner).error;
}

TEST(EdgeCaseTest, AFailedEvictionWriteBackIsReportedByTheNextFlush) {
  auto sim = MakeSim(ConfigFrom(kSplitRack));
  absl::Status flushed = NotRun();
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Memory& m = self.memory();
    Region b = *co_await m.Allocate(2 * kPage);  // on me1
    Region a = *co_await m.Allocate(kPage);      // on me0
    (void)co_await m.Write(a.base, "dirty");
    co_await self.Sleep(Microseconds(100));    // me0 fails meanwhile
    (void)co_await m.Read(b.base, 2 * kPage);  // fills the 2-page cache, evicting a
    flushed = co_await m.Flush(a);
  });
  config::FaultSchedule faults;
  faults.add_me_faults()->set_me("r0/me0");
  faults.mutable_me_faults(0)->set_at_ns(Microseconds(50));
  ASSERT_TRUE(sim->InjectFaults(faults).ok());
  sim->RunUntilIdle();
  ExpectStatus(flushed, absl::StatusCode::kUnavailable, "write-back failed");
  EXPECT_EQ(sim->metrics().writeback_failures, 1u);
  EXPECT_GE(sim->metrics().memory_failure_reports, 1u);
}

TEST(EdgeCaseTest, AbsurdLengthsAreRefusedWithoutHarmingTheProcess) {
  auto sim = MakeSim(DefaultConfig());
  absl::Status flush = NotRun(), read = NotRun();
  const ProcessId p = Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    Region r = *co_await self.memory().Allocate(kPage);
    flush = co_await self.memory().Flush({r.base, int64_t{1} << 58});
    read = (co_await self.memory().Read(r.base, int64_t{1} << 58)).status();
  });
  sim->RunUntilIdle();
  ExpectStatus(flush, absl::StatusCode::kInvalidArgument, "address range");
  ExpectStatus(read, absl::StatusCode::kInvalidArgument, "address range");
  EXPECT_EQ(sim->Status(p).state, ProcessState::kExited);
}

TEST(EdgeCaseTest, PagesOnAFailedMeCannotBeGranted) {
  auto sim = MakeSim(ConfigFrom(kSplitRack));
  absl::Status granted = NotRun();
  const ProcessId receiver =
      Spawn(*sim, "receiver", "r0/ce1",
            [&](Process& self) -> asio::awaitable<void> { co_await self.Sleep(Seconds(1)); });
  Spawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    (void)co_await self.memory().Allocate(2 * kPage);    // on me1
    Region a = *co_await self.memory().Allocate(kPage);  // on me0
    co_await self.Sleep(Microseconds(100));              // me0 fails meanwhile
    granted = co_await self.memory().Grant(a, receiver);
  });
  config::FaultSchedule faults;
  faults.add_me_faults()->set_me("r0/me0");
  faults.mutable_me_faults(0)->set_at_ns(Microseconds(50));
  ASSERT_TRUE(sim->InjectFaults(faults).ok());
  sim->RunUntil(Seconds(2));
  ExpectStatus(granted, absl::StatusCode::kUnavailable, "me0");
}

TEST(EdgeCaseTest, ARelaunchedVictimIsNoLongerFencedOrRedirected) {
  auto sim = MakeSim(DefaultConfig());
  int heard_from_new_incarnation = 0;
  const ProcessId listener =
      Spawn(*sim, "listener", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
        for (;;) {
          (void)co_await self.Receive();
          ++heard_from_new_incarnation;
        }
      });
  absl::StatusOr<ProcessId> victim =
      sim->Spawn({.name = "victim",
                  .ce = memtest::CeNamed(*sim, "r0/ce0"),
                  .main = [listener](Process& self) -> asio::awaitable<void> {
                    (void)co_await self.memory().JoinTrustGroup("g", "s");
                    if (self.incarnation() > 0) (void)self.Send(listener, platform::GrantNotice());
                    co_await self.Sleep(Seconds(10));
                  },
                  .restart_on_reboot = true});
  ASSERT_TRUE(victim.ok());
  Spawn(*sim, "thief", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    (void)co_await self.memory().JoinTrustGroup("g", "s");
    co_await self.Sleep(Microseconds(100));
    (void)co_await self.memory().Steal(*victim, Capability("g"), std::nullopt);
  });
  const CeId ce0 = memtest::CeNamed(*sim, "r0/ce0");
  ASSERT_TRUE(sim->CrashCe(ce0, Microseconds(200)).ok());
  ASSERT_TRUE(sim->RestartCe(ce0, Microseconds(300)).ok());
  sim->RunUntil(Seconds(1));
  // The steal moved the identity to the thief (incarnation 1); the relaunch is incarnation 2.
  EXPECT_EQ(sim->Status(*victim).incarnation, 2u);
  EXPECT_EQ(sim->metrics().dropped_by_fence, 0u);
  EXPECT_EQ(heard_from_new_incarnation, 1);
}

}  // namespace
}  // namespace ddc
