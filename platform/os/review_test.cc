// Review tests (branch h-review): each test states a contract from the headers or
// docs/architecture.md and checks it against the implementation. Tests named *_Bug* fail on the
// code as reviewed; the report says why.
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/failures.h"
#include "platform/memory.h"
#include "platform/notices.pb.h"
#include "platform/process.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/simulation.h"
#include "platform/status_macros.h"

namespace ddc {
namespace {

using simtest::Blob;
using simtest::CreateSimulation;
using ::testing::HasSubstr;
using testing_util::CeNamed;
using testing_util::MustSpawn;

Blob Seq(uint64_t seq) {
  Blob blob;
  blob.set_seq(seq);
  return blob;
}

// world_lifecycle.cc PauseCe: a crash during a pause leaves CeState::paused_until set; a later,
// shorter pause after the restart takes max(old paused_until, new end) and so lasts until the
// *old* pause's end.
TEST(ReviewPauseTest, APauseAfterACrashDuringAPauseLastsOnlyItsOwnDuration) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const CeId ce = CeNamed(*sim, "r0/ce1");
  ASSERT_TRUE(sim->PauseCe(ce, Milliseconds(1), Microseconds(10)).ok());  // until 1010 us
  ASSERT_TRUE(sim->CrashCe(ce, Microseconds(20)).ok());
  ASSERT_TRUE(sim->RestartCe(ce, Microseconds(30)).ok());
  sim->RunUntil(Microseconds(31));
  Time woke = -1;
  MustSpawn(*sim, "late", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(14));  // 31 + 14 = 45 us, inside the new pause
    woke = self.Now();
  });
  ASSERT_TRUE(sim->PauseCe(ce, Microseconds(10), Microseconds(40)).ok());  // 40 .. 50 us
  sim->RunUntilIdle();
  EXPECT_EQ(woke, Microseconds(50));
}

// world_network.cc: open calls are keyed by the identity a request was addressed to. After a
// steal, a request addressed to the victim is served by the thief; when the thief then fails
// (its CE alive), process.h promises the caller UNAVAILABLE ("connection reset"), but
// ResetCalls(thief) does not find calls opened under the victim's id, so the caller waits for
// its deadline.
TEST(ReviewIdentityTest, ACallServedByAThiefIsResetWhenTheThiefFails) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  const ProcessId victim =
      MustSpawn(*sim, "victim", "r0/ce0", [](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_RETURN_IF_ERROR((co_await self.memory().Allocate(4096)).status());
        co_await self.Sleep(Seconds(1));
        co_return absl::OkStatus();
      });
  MustSpawn(*sim, "thief", "r0/ce1", [victim](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    co_await self.Sleep(Microseconds(100));
    DDC_CO_RETURN_IF_ERROR(
        (co_await self.memory().Steal(victim, Capability("group"), std::nullopt)).status());
    // The first request addressed to the victim reaches the thief; the thief then fails.
    std::optional<Received<Blob>> request = co_await self.ReceiveOf<Blob>();
    (void)request;
    co_return absl::InternalError("the thief fails while serving for its victim");
  });
  absl::Status call_status;
  Time call_ended = -1;
  MustSpawn(*sim, "client", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(200));
    absl::StatusOr<Received<Blob>> reply =
        co_await self.Call<Blob>(victim, Seq(1), Milliseconds(10));
    call_status = reply.status();
    call_ended = self.Now();
  });
  sim->RunUntilIdle();
  ASSERT_EQ(sim->ProcessFailures().size(), 1u);
  EXPECT_EQ(sim->ProcessFailures()[0].process, "thief");
  EXPECT_EQ(call_status.code(), absl::StatusCode::kUnavailable) << call_status;
  EXPECT_LT(call_ended, Milliseconds(1)) << "the caller waited for its deadline";
}

// The flip side of the previous test: a zombie's own failure (its natural reaction to a refused
// access) runs ResetCalls(victim id), which resets the calls addressed to the victim identity that
// the *thief* is serving correctly; the thief's reply then arrives as a late reply.
TEST(ReviewIdentityTest, AZombiesFailureDoesNotResetCallsItsThiefServes) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  const ProcessId victim =
      MustSpawn(*sim, "victim", "r0/ce0", [](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_ASSIGN_OR_RETURN(Region r, co_await self.memory().Allocate(4096));
        co_await self.Sleep(Milliseconds(1));
        DDC_CO_RETURN_IF_ERROR((co_await self.memory().Read(r.base, 8)).status());  // refused
        co_return absl::OkStatus();
      });
  MustSpawn(*sim, "thief", "r0/ce1", [victim](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    co_await self.Sleep(Microseconds(100));
    DDC_CO_RETURN_IF_ERROR(
        (co_await self.memory().Steal(victim, Capability("group"), std::nullopt)).status());
    self.Serve<Blob>([&self](Received<Blob> in) -> asio::awaitable<absl::Status> {
      co_await self.Sleep(Milliseconds(2));  // still serving when the zombie fails
      co_return self.Reply(in.envelope(), Seq(in->seq() + 1));
    });
    co_await self.WaitForever();
    co_return absl::OkStatus();
  });
  absl::Status call_status;
  MustSpawn(*sim, "client", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(200));
    call_status = (co_await self.Call<Blob>(victim, Seq(1), Milliseconds(10))).status();
  });
  sim->RunUntil(Milliseconds(20));
  ASSERT_EQ(sim->ProcessFailures().size(), 1u);
  EXPECT_EQ(sim->ProcessFailures()[0].process, "victim");
  EXPECT_TRUE(call_status.ok()) << call_status;
}

// World::Launch relaunches without killing: when a CE crashes and restarts at the instant a
// process is spawned on it (before the spawn's deferred Launch event runs), RestartCe launches
// incarnation 0 and then the spawn's own Launch event launches incarnation 1 on top of it, with
// incarnation 0's main still parked in the wait table: two mains run.
TEST(ReviewLifecycleTest, ASpawnRacingACrashAndRestartRunsOneMain) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const CeId ce0 = CeNamed(*sim, "r0/ce0");
  std::vector<uint32_t> woke;  // incarnation of each main that finished its sleep
  MustSpawn(*sim, "spawner", "r0/ce1", [&](Process& self) -> asio::awaitable<absl::Status> {
    co_await self.Sleep(Microseconds(10));  // runs before the crash and restart events at 10 us
    DDC_CO_RETURN_IF_ERROR(self.Spawn({.name = "child",
                                       .ce = ce0,
                                       .main = [&woke](Process& child) -> asio::awaitable<void> {
                                         const uint32_t inc = child.incarnation();
                                         co_await child.Sleep(Microseconds(5));
                                         woke.push_back(inc);
                                       },
                                       .restart_on_reboot = true})
                               .status());
    co_return absl::OkStatus();
  });
  // Scheduled after the spawner's wake-up, so at 10 us: spawn (its Launch event queued after
  // these two), crash (kills the not yet launched child), restart (launches it), Launch.
  sim->RunUntil(Microseconds(5));
  ASSERT_TRUE(sim->CrashCe(ce0, Microseconds(10)).ok());
  ASSERT_TRUE(sim->RestartCe(ce0, Microseconds(10)).ok());
  sim->RunUntil(Milliseconds(1));
  EXPECT_EQ(woke.size(), 1u) << "mains that ran: " << woke.size();
}

// process.h: "While its compute element is paused, the process runs no code." A memory-failure
// handler is application code, but under ASYNC_LIVENESS it runs from the interconnect's event
// in the middle of the pause (world_memory.cc checks that the CE is alive, not that it runs).
TEST(ReviewPauseTest, AMemoryFailureHandlerDoesNotRunWhileTheCeIsPaused) {
  auto sim = CreateSimulation(
      "memory { failure_detection: ASYNC_LIVENESS } "
      "faults { me_faults { me: \"r0/me0\" at_ns: 20000 } "
      "         me_faults { me: \"r0/me1\" at_ns: 20000 } }");
  ASSERT_NE(sim, nullptr);
  std::vector<Time> handled;
  MustSpawn(*sim, "user", "r0/ce0", [&](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR((co_await self.memory().Allocate(4096)).status());
    Process* me = &self;
    DDC_CO_RETURN_IF_ERROR(self.failures().SetMemoryFailureHandler(
        [&handled, me](const MemoryFailure&) { handled.push_back(me->Now()); }));
    co_await self.Sleep(Milliseconds(1));
    co_return absl::OkStatus();
  });
  ASSERT_TRUE(sim->PauseCe(CeNamed(*sim, "r0/ce0"), Microseconds(100), Microseconds(10)).ok());
  sim->RunUntilIdle();
  ASSERT_EQ(handled.size(), 1u);
  EXPECT_GE(handled[0], Microseconds(110)) << "the handler ran during the pause";
}

// memory.h: "every call validates all of its input before changing anything, so an error leaves
// the V2P maps, ME page tables and caches exactly as they were". Grant sends its GrantNotice
// through the application-level Send, i.e. *as the process's assumed identity*, after the Rack
// MMU has already moved the pages: when that identity's redirect was lifted (the victim was
// relaunched), Grant returns PERMISSION_DENIED although the destination now owns the pages.
TEST(ReviewGrantTest, AGrantThatReturnsAnErrorHasNotMovedThePages) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  const ProcessId victim = MustSpawn(
      *sim, "victim", "r0/ce0",
      [](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        co_await self.Sleep(Seconds(1));
        co_return absl::OkStatus();
      },
      /*restart_on_reboot=*/true);
  std::vector<Region> destination_regions;
  const ProcessId destination =
      MustSpawn(*sim, "destination", "r0/ce2", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Milliseconds(5));
        destination_regions = self.memory().Regions();
      });
  absl::Status grant;
  std::vector<Region> thief_regions_after;
  MustSpawn(*sim, "thief", "r0/ce1", [&](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    co_await self.Sleep(Microseconds(100));
    DDC_CO_RETURN_IF_ERROR(
        (co_await self.memory().Steal(victim, Capability("group"), std::nullopt)).status());
    DDC_CO_RETURN_IF_ERROR(self.AssumeIdentity(victim));
    DDC_CO_ASSIGN_OR_RETURN(Region mine, co_await self.memory().Allocate(4096));
    co_await self.Sleep(Milliseconds(1));  // the victim is relaunched meanwhile
    grant = co_await self.memory().Grant(mine, destination);
    thief_regions_after = self.memory().Regions();
    co_return absl::OkStatus();
  });
  const CeId ce0 = CeNamed(*sim, "r0/ce0");
  ASSERT_TRUE(sim->CrashCe(ce0, Microseconds(200)).ok());
  ASSERT_TRUE(sim->RestartCe(ce0, Microseconds(300)).ok());
  sim->RunUntilIdle();
  if (grant.ok()) {
    EXPECT_EQ(destination_regions.size(), 1u);
  } else {
    // A refused grant must have changed nothing.
    EXPECT_TRUE(destination_regions.empty())
        << "Grant returned " << grant << " but the destination owns " << destination_regions.size()
        << " region(s)";
    EXPECT_EQ(thief_regions_after.size(), 1u)
        << "Grant returned " << grant << " but the caller no longer owns the region";
  }
}

// Go, Spawn and the first run of a process start "after the caller next suspends"; a Serve
// handler for a message already queued starts *inline inside Serve*, before the registering
// thread's next statement.
TEST(ReviewMailboxTest, AServeHandlerForAQueuedMessageStartsAfterTheRegisteringThreadSuspends) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<bool> seen_ready;
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Microseconds(50));  // the request arrives meanwhile and is queued
        bool ready = false;
        self.Serve<Blob>([&seen_ready, &ready](Received<Blob>) -> asio::awaitable<void> {
          seen_ready.push_back(ready);
          co_return;
        });
        ready = true;  // state the handler depends on, set right after registering
        co_await self.WaitForever();
      });
  MustSpawn(*sim, "client", "r0/ce0", [server](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(server, Seq(1)).ok());
    co_return;
  });
  sim->RunUntil(Milliseconds(1));
  EXPECT_EQ(seen_ready, std::vector<bool>{true});
}

// Consequence of the inline start: a handler for a queued message that fails before its first
// suspension fails the process *inside* the registering thread's Serve call. OnThreadExit clears
// the wait table, but the registering thread is running, not parked, so it survives: its next
// suspension parks in the (already cleared) table of a failed process, its wake-up event finds
// the handler, and the dead process keeps running application code (here: a memory write that
// reaches the rack).
TEST(ReviewMailboxTest, AFailedProcessRunsNoMoreCode) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  bool ghost_ran = false;
  absl::Status ghost_write;
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce1", [&](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_ASSIGN_OR_RETURN(Region r, co_await self.memory().Allocate(4096));
        co_await self.Sleep(Microseconds(50));  // a request is queued meanwhile
        self.Serve<Blob>([](Received<Blob>) -> asio::awaitable<absl::Status> {
          co_return absl::InternalError("handler fails at once");
        });
        co_await self.Sleep(Microseconds(10));
        ghost_ran = true;
        ghost_write = co_await self.memory().Write(r.base, "written by a failed process");
        co_return absl::OkStatus();
      });
  MustSpawn(*sim, "client", "r0/ce0", [server](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(server, Seq(1)).ok());
    co_return;
  });
  sim->RunUntilIdle();
  EXPECT_EQ(sim->Status(server).state, ProcessState::kFailed);
  EXPECT_FALSE(ghost_ran) << "the failed process's main ran on; its write returned " << ghost_write;
}

// Mailbox::ReceiveAny decides "queued or park" when Receive() is *called*, but takes the queue's
// front only when the awaitable is *awaited*; an awaitable created while a message is queued and
// awaited after that message was taken read the front of an empty deque (UB; ASan reported it).
TEST(ReviewMailboxTest, AReceiveAwaitedLateWaitsForTheNextMessage) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<uint64_t> got;
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        co_await self.Sleep(Microseconds(50));  // seq 1 is queued
        asio::awaitable<Envelope> first = self.Receive();
        asio::awaitable<Envelope> second = self.Receive();  // still sees seq 1 queued
        got.push_back((co_await std::move(first)).As<Blob>().seq());
        got.push_back((co_await std::move(second)).As<Blob>().seq());  // should wait for seq 2
      });
  MustSpawn(*sim, "client", "r0/ce0", [server](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(server, Seq(1)).ok());
    co_await self.Sleep(Microseconds(100));
    EXPECT_TRUE(self.Send(server, Seq(2)).ok());
  });
  sim->RunUntilIdle();
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2}));
}

// The other half of ReceiveAny's eager decision: an awaitable created while the queue is empty
// parks a receiver when awaited even if a message has been queued meanwhile, so it skips that
// message and takes the next arrival: messages come out of order.
TEST(ReviewMailboxTest, AReceiveAwaitedLateTakesAMessageQueuedMeanwhile) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<uint64_t> got;
  const ProcessId server =
      MustSpawn(*sim, "server", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
        asio::awaitable<Envelope> next = self.Receive();  // nothing queued yet
        co_await self.Sleep(Microseconds(50));            // seq 1 arrives and is queued
        got.push_back((co_await std::move(next)).As<Blob>().seq());
        got.push_back((co_await self.Receive()).As<Blob>().seq());
      });
  MustSpawn(*sim, "client", "r0/ce0", [server](Process& self) -> asio::awaitable<void> {
    EXPECT_TRUE(self.Send(server, Seq(1)).ok());
    co_await self.Sleep(Microseconds(100));
    EXPECT_TRUE(self.Send(server, Seq(2)).ok());
  });
  sim->RunUntilIdle();
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2}));
}

// process.h: "Envelope::As<M>() on a payload of another type throws ... which fails the process
// loudly". A ReceiveWhere filter that calls As<> runs inside the receiving coroutine when the
// message was already queued (the process fails, as documented), but inside World::Deliver, a
// kernel event, when the receiver was waiting: the exception then escapes RunUntil and ends the
// whole simulation.
TEST(ReviewMailboxTest, AFilterThatThrowsFailsOnlyItsProcess) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  const ProcessId receiver =
      MustSpawn(*sim, "receiver", "r0/ce1", [](Process& self) -> asio::awaitable<void> {
        (void)co_await self.ReceiveWhere([](const Envelope& e) { return e.As<Blob>().seq() == 7; },
                                         kInfiniteDuration);
      });
  MustSpawn(*sim, "sender", "r0/ce0", [receiver](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(10));  // the receiver is parked by then
    platform::GrantNotice other;
    other.set_source(1);
    EXPECT_TRUE(self.Send(receiver, other).ok());
  });
  EXPECT_NO_THROW(sim->RunUntilIdle());
  ASSERT_EQ(sim->ProcessFailures().size(), 1u);
  EXPECT_EQ(sim->ProcessFailures()[0].process, "receiver");
}

// process.h QuorumCall: "A reply of another type counts as a failed call." It is counted as a
// *reply* towards `needed` by CallShared instead, so a quorum that is still reachable is
// reported as failed (INTERNAL) and the good replies that would have made it are dropped late.
TEST(ReviewMailboxTest, AWrongTypedReplyCountsAsAFailedCallInAQuorum) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<ProcessId> servers;
  servers.push_back(MustSpawn(*sim, "odd", "r0/ce1", [](Process& self) -> asio::awaitable<void> {
    Envelope in = co_await self.Receive();
    platform::GrantNotice other;
    EXPECT_TRUE(self.Reply(in, other).ok());  // fast, wrong type
  }));
  for (int i = 0; i < 2; ++i) {
    servers.push_back(MustSpawn(*sim, absl::StrCat("good", i), absl::StrCat("r0/ce", 2 + i),
                                [](Process& self) -> asio::awaitable<void> {
                                  Envelope in = co_await self.Receive();
                                  co_await self.Sleep(Microseconds(10));
                                  EXPECT_TRUE(self.Reply(in, Seq(1)).ok());
                                }));
  }
  QuorumReplies<Blob> result;
  MustSpawn(*sim, "caller", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    result = co_await self.QuorumCall<Blob>(servers, Seq(0), 2, Milliseconds(1));
  });
  sim->RunUntilIdle();
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.replies.size(), 2u);
}

// memory.h Steal: "The victim's owner epoch is bumped so that any later access by it is rejected
// at the MEs" (and sim_memory.cc: "its next access goes to the MEs and meets the bumped owner
// epoch"). A write that wholly covers a line of a page the victim kept is not checked at the ME
// (NeedsMe skips wholly overwritten lines, the V2P entry is still cached): it succeeds; only the
// later flush is refused.
TEST(ReviewMemoryTest, AZombiesWriteToAPageItKeptIsRefused) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  absl::Status zombie_write, zombie_flush;
  Region region;
  const ProcessId victim =
      MustSpawn(*sim, "victim", "r0/ce0", [&](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_ASSIGN_OR_RETURN(region, co_await self.memory().Allocate(2 * 4096));
        co_await self.Sleep(Milliseconds(1));  // the thief steals the first page meanwhile
        zombie_write = co_await self.memory().Write(region.base + 4096, std::string(4096, 'z'));
        zombie_flush = co_await self.memory().Flush(region.Sub(4096, 4096));
        co_return absl::OkStatus();
      });
  MustSpawn(*sim, "thief", "r0/ce1", [&](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    co_await self.Sleep(Microseconds(100));
    co_return (co_await self.memory().Steal(victim, Capability("group"), region.Sub(0, 4096)))
        .status();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(zombie_flush.code(), absl::StatusCode::kPermissionDenied) << zombie_flush;
  EXPECT_EQ(zombie_write.code(), absl::StatusCode::kPermissionDenied) << zombie_write;
}

// A zombie that fails is reported under the incarnation of the *identity* (bumped by the steal
// and now the thief's), not the incarnation it was launched as, which Status() reports.
TEST(ReviewIdentityTest, AFailedZombieIsReportedUnderItsOwnIncarnation) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->SetLog(nullptr);
  const ProcessId victim =
      MustSpawn(*sim, "victim", "r0/ce0", [](Process& self) -> asio::awaitable<absl::Status> {
        DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
        DDC_CO_ASSIGN_OR_RETURN(Region r, co_await self.memory().Allocate(4096));
        co_await self.Sleep(Milliseconds(1));
        // Refused: the page was stolen. The zombie fails with that error.
        DDC_CO_RETURN_IF_ERROR((co_await self.memory().Read(r.base, 8)).status());
        co_return absl::OkStatus();
      });
  MustSpawn(*sim, "thief", "r0/ce1", [victim](Process& self) -> asio::awaitable<absl::Status> {
    DDC_CO_RETURN_IF_ERROR(co_await self.memory().JoinTrustGroup("group", ""));
    co_await self.Sleep(Microseconds(100));
    co_return (co_await self.memory().Steal(victim, Capability("group"), std::nullopt)).status();
  });
  sim->RunUntilIdle();
  ASSERT_EQ(sim->ProcessFailures().size(), 1u);
  EXPECT_EQ(sim->ProcessFailures()[0].incarnation, sim->Status(victim).incarnation);
}

// types.h: "kInfiniteDuration means 'no deadline' wherever a timeout is asked for", and
// Mailbox::Receive/Call schedule nothing for an infinite deadline. Sleep and Timer::Wait do
// schedule an event at kInfiniteTime, which RunUntilIdle then runs: the sleeper wakes at
// INT64_MAX, and anything it then does (a send: now + latency) overflows.
TEST(ReviewTimerTest, AnInfiniteSleepNeverEnds) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  Time woke = -1, timer_woke = -1;
  MustSpawn(*sim, "sleeper", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(kInfiniteDuration);
    woke = self.Now();
  });
  MustSpawn(*sim, "waiter", "r0/ce1", [&](Process& self) -> asio::awaitable<void> {
    std::unique_ptr<Timer> timer = self.NewTimer();
    (void)co_await timer->Wait(kInfiniteDuration);
    timer_woke = self.Now();
  });
  sim->RunUntilIdle();
  EXPECT_EQ(woke, -1);
  EXPECT_EQ(timer_woke, -1);
}

// Simulation::PauseCe checks only duration > 0 (the config path bounds PAUSE to 1 h):
// kernel_.now() + duration overflows in World::PauseCe for a huge duration.
TEST(ReviewPauseTest, AnAbsurdPauseDurationIsRefusedOrHonoured) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  Time woke = -1;
  MustSpawn(*sim, "sleeper", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
    co_await self.Sleep(Microseconds(20));
    woke = self.Now();
  });
  const absl::Status paused =
      sim->PauseCe(CeNamed(*sim, "r0/ce0"), kInfiniteDuration, Microseconds(10));
  sim->RunUntil(Seconds(1));
  if (paused.ok()) {
    EXPECT_EQ(woke, -1) << "a pause of kInfiniteDuration ended at " << woke;
  }
}

// A Timer outlives its process's simulation in harness/experiments/transfer_workload.cc (the
// workload's Shared owns one). ~SimTimer calls Cancel(), which reads the (destroyed) process
// whenever the last Wait ended by expiry (pending_ is not cleared then). Run under ASan:
// heap-use-after-free in SimTimer::Cancel.
TEST(ReviewTimerTest, ATimerMayBeDestroyedAfterItsSimulation) {
  std::unique_ptr<Timer> timer;
  {
    auto sim = CreateSimulation();
    ASSERT_NE(sim, nullptr);
    MustSpawn(*sim, "p", "r0/ce0", [&](Process& self) -> asio::awaitable<void> {
      timer = self.NewTimer();
      EXPECT_TRUE(co_await timer->Wait(Microseconds(1)));
    });
    sim->RunUntilIdle();
  }
  timer.reset();  // ASan: heap-use-after-free
}

// RestartCe iterates CeState::processes while relaunching inline; a relaunched main that spawns
// onto its own CE grows that vector (World::Spawn push_back) during the iteration. Run under
// ASan: heap-use-after-free in World::RestartCe. Without ASan it passes by luck.
TEST(ReviewLifecycleTest, ARelaunchedProcessMaySpawnOnItsOwnCe) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  int helpers = 0;
  for (int k = 0; k < 2; ++k) {
    MustSpawn(
        *sim, absl::StrCat("server", k), "r0/ce0",
        [&, k](Process& self) -> asio::awaitable<absl::Status> {
          if (self.incarnation() > 0) {
            for (int i = 0; i < 16; ++i) {
              DDC_CO_RETURN_IF_ERROR(
                  self.Spawn({.name = absl::StrCat("helper", k, "-", i),
                              .ce = self.ce(),
                              .main = [&helpers](Process&) -> asio::awaitable<void> {
                                ++helpers;
                                co_return;
                              }})
                      .status());
            }
          }
          co_await self.Sleep(Seconds(1));
          co_return absl::OkStatus();
        },
        /*restart_on_reboot=*/true);
  }
  const CeId ce0 = CeNamed(*sim, "r0/ce0");
  ASSERT_TRUE(sim->CrashCe(ce0, Microseconds(10)).ok());
  ASSERT_TRUE(sim->RestartCe(ce0, Microseconds(20)).ok());
  sim->RunUntil(Milliseconds(1));
  EXPECT_EQ(helpers, 32);
  EXPECT_TRUE(sim->ProcessFailures().empty());
}

// The same iteration hazard in EndPause: OnResume runs held completions inline, and the resumed
// code spawns onto its own CE. Run under ASan.
TEST(ReviewLifecycleTest, AProcessResumedAfterAPauseMaySpawnOnItsOwnCe) {
  auto sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  int helpers = 0;
  for (int k = 0; k < 2; ++k) {
    MustSpawn(*sim, absl::StrCat("server", k), "r0/ce0",
              [&, k](Process& self) -> asio::awaitable<absl::Status> {
                co_await self.Sleep(Microseconds(20));  // ends inside the pause
                for (int i = 0; i < 16; ++i) {
                  DDC_CO_RETURN_IF_ERROR(
                      self.Spawn({.name = absl::StrCat("helper", k, "-", i),
                                  .ce = self.ce(),
                                  .main = [&helpers](Process&) -> asio::awaitable<void> {
                                    ++helpers;
                                    co_return;
                                  }})
                          .status());
                }
                co_return absl::OkStatus();
              });
  }
  ASSERT_TRUE(sim->PauseCe(CeNamed(*sim, "r0/ce0"), Microseconds(100), Microseconds(10)).ok());
  sim->RunUntil(Milliseconds(1));
  EXPECT_EQ(helpers, 32);
  EXPECT_TRUE(sim->ProcessFailures().empty());
}

}  // namespace
}  // namespace ddc
