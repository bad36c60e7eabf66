// Virtual-time waiting: Sleep, Timer and ReceiveFor.
#include <memory>
#include <optional>
#include <ostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/simulation.h"

namespace ddc {
namespace {

using simtest::CreateSimulation;
using simtest::MustSpawn;
using simtest::SendEvery;

// Observation is one thing a process saw, and when.
struct Observation {
  Time at;
  bool value;  // a timer result, or whether ReceiveFor returned a message
  bool operator==(const Observation&) const = default;
};

void PrintTo(const Observation& o, std::ostream* os) {
  *os << "{t " << o.at << ", " << (o.value ? "true" : "false") << "}";
}

// ---------------------------------------------------------------------------------------------
// Sleep.

asio::awaitable<void> SleepSequence(Process& self, std::vector<Duration> delays,
                                    std::vector<Time>* woke_at) {
  for (Duration d : delays) {
    co_await self.Sleep(d);
    woke_at->push_back(self.Now());
  }
}

TEST(SleepTest, AdvancesVirtualTimeExactly) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Time> woke_at;
  MustSpawn(*sim, "sleeper", "r0/ce0", [&woke_at](Process& self) {
    return SleepSequence(self, {1234, 0, 1, Seconds(2), -50}, &woke_at);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(woke_at, (std::vector<Time>{1234, 1234, 1235, 1235 + Seconds(2), 1235 + Seconds(2)}));
  EXPECT_EQ(sim->Now(), 1235 + Seconds(2));
}

TEST(SleepTest, SleepersOnDifferentCesWakeInTimeOrder) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Time> woke_at;
  for (Duration d : {300, 100, 200}) {
    MustSpawn(*sim, absl::StrCat("sleeper", d), d == 100 ? "r1/ce0" : "r0/ce0",
              [&woke_at, d](Process& self) { return SleepSequence(self, {d}, &woke_at); });
  }
  sim->RunUntilIdle();
  EXPECT_EQ(woke_at, (std::vector<Time>{100, 200, 300}));
}

// ---------------------------------------------------------------------------------------------
// Timer.

asio::awaitable<void> WaitOnTimer(Process& self, Duration delay, int waits,
                                  std::vector<Observation>* seen) {
  std::unique_ptr<Timer> timer = self.NewTimer();
  for (int i = 0; i < waits; ++i) {
    const bool expired = co_await timer->Wait(delay);
    seen->push_back({self.Now(), expired});
  }
}

TEST(TimerTest, WaitReturnsTrueOnExpiry) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "waiter", "r0/ce0",
            [&seen](Process& self) { return WaitOnTimer(self, 1500, 1, &seen); });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{1500, true}}));
}

TEST(TimerTest, TimerCanBeWaitedOnRepeatedly) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "waiter", "r0/ce0",
            [&seen](Process& self) { return WaitOnTimer(self, 400, 3, &seen); });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{400, true}, {800, true}, {1200, true}}));
}

asio::awaitable<void> CancelAfter(Process& self, Timer* timer, Duration delay) {
  co_await self.Sleep(delay);
  timer->Cancel();
}

asio::awaitable<void> WaitWithCanceller(Process& self, Duration wait, Duration cancel_after,
                                        std::vector<Observation>* seen) {
  std::unique_ptr<Timer> timer = self.NewTimer();
  Timer* raw = timer.get();
  self.Go([&self, raw, cancel_after] { return CancelAfter(self, raw, cancel_after); });
  const bool expired = co_await timer->Wait(wait);
  seen->push_back({self.Now(), expired});
  // Keep the timer alive until the canceller has certainly run.
  co_await self.Sleep(cancel_after + 1);
}

TEST(TimerTest, CancelFromAnotherThreadMakesWaitReturnFalse) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "waiter", "r0/ce0", [&seen](Process& self) {
    return WaitWithCanceller(self, /*wait=*/1000, /*cancel_after=*/300, &seen);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{300, false}}));
}

TEST(TimerTest, CancelAfterExpiryChangesNothing) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "waiter", "r0/ce0", [&seen](Process& self) {
    return WaitWithCanceller(self, /*wait=*/1000, /*cancel_after=*/2000, &seen);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{1000, true}}));
}

asio::awaitable<void> CancelThenWait(Process& self, std::vector<Observation>* seen) {
  std::unique_ptr<Timer> timer = self.NewTimer();
  timer->Cancel();  // nothing pending: a no-op, not a pre-cancellation
  const bool expired = co_await timer->Wait(700);
  seen->push_back({self.Now(), expired});
}

TEST(TimerTest, CancelWithoutPendingWaitIsNoOp) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "waiter", "r0/ce0",
            [&seen](Process& self) { return CancelThenWait(self, &seen); });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{700, true}}));
}

asio::awaitable<void> WaitCancelledThenWaitAgain(Process& self, std::vector<Observation>* seen) {
  std::unique_ptr<Timer> timer = self.NewTimer();
  Timer* raw = timer.get();
  self.Go([&self, raw] { return CancelAfter(self, raw, 100); });
  const bool first = co_await timer->Wait(1000);
  seen->push_back({self.Now(), first});
  // The first Wait's expiry event (at 1000) must not complete the second Wait.
  const bool second = co_await timer->Wait(5000);
  seen->push_back({self.Now(), second});
}

TEST(TimerTest, StaleExpiryOfCancelledWaitDoesNotEndTheNextWait) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "waiter", "r0/ce0",
            [&seen](Process& self) { return WaitCancelledThenWaitAgain(self, &seen); });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{100, false}, {5100, true}}));
}

asio::awaitable<void> WaitForever(Process& self) {
  std::unique_ptr<Timer> timer = self.NewTimer();
  co_await timer->Wait(Seconds(1));
}

// A process may be suspended in Timer::Wait when the simulation is destroyed (a run that ends at a
// time limit); tearing down must not touch freed memory. Run under ASan (the `debug` preset) to
// see a failure here.
TEST(TimerTest, DestroyingSimulationWithPendingTimerIsSafe) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId id = MustSpawn(*sim, "waiter", "r0/ce0", WaitForever);
  sim->RunUntil(1000);
  EXPECT_EQ(sim->Status(id).state, ProcessState::kRunning);
  sim.reset();
}

// ---------------------------------------------------------------------------------------------
// ReceiveFor.

asio::awaitable<void> ReceiveForSequence(Process& self, Duration start,
                                         std::vector<Duration> timeouts,
                                         std::vector<Observation>* seen) {
  co_await self.Sleep(start);
  for (Duration timeout : timeouts) {
    std::optional<Envelope> in = co_await self.ReceiveFor(timeout);
    seen->push_back({self.Now(), in.has_value()});
  }
}

TEST(ReceiveForTest, TimesOutAtExactlyNowPlusTimeout) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "receiver", "r0/ce0", [&seen](Process& self) {
    return ReceiveForSequence(self, /*start=*/100, {5000}, &seen);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{5100, false}}));
}

TEST(ReceiveForTest, ReturnsMessageThatArrivesFirst) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  // The first ReceiveFor gets the message at 1001 ns. The second must then time out at
  // 1001 + 10000, undisturbed by the first one's timeout event at 5000.
  const ProcessId receiver = MustSpawn(*sim, "receiver", "r0/ce0", [&seen](Process& self) {
    return ReceiveForSequence(self, /*start=*/0, {5000, 10000}, &seen);
  });
  MustSpawn(*sim, "sender", "r0/ce1", [receiver](Process& self) {
    return SendEvery(self, receiver, /*start=*/0, /*interval=*/1, /*count=*/1);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{1001, true}, {11001, false}}));
}

TEST(ReceiveForTest, ReturnsQueuedMessageWithoutWaiting) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  const ProcessId receiver = MustSpawn(*sim, "receiver", "r0/ce0", [&seen](Process& self) {
    return ReceiveForSequence(self, /*start=*/3000, {5000}, &seen);
  });
  MustSpawn(*sim, "sender", "r0/ce1", [receiver](Process& self) {
    return SendEvery(self, receiver, /*start=*/0, /*interval=*/1, /*count=*/1);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{3000, true}}));
}

TEST(ReceiveForTest, ZeroTimeoutPollsWithoutAdvancingTime) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Observation> seen;
  MustSpawn(*sim, "receiver", "r0/ce0", [&seen](Process& self) {
    return ReceiveForSequence(self, /*start=*/250, {0, -10}, &seen);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<Observation>{{250, false}, {250, false}}));
}

asio::awaitable<void> ReceiveForever(Process& self, bool* returned) {
  co_await self.Receive();
  *returned = true;
}

TEST(ReceiveTest, WaitsIndefinitelyWithoutAMessage) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  bool returned = false;
  const ProcessId id = MustSpawn(*sim, "receiver", "r0/ce0", [&returned](Process& self) {
    return ReceiveForever(self, &returned);
  });
  sim->RunUntilIdle();
  EXPECT_FALSE(returned);
  EXPECT_EQ(sim->Status(id).state, ProcessState::kRunning);
  EXPECT_EQ(sim->Now(), 0);
}

}  // namespace
}  // namespace ddc
