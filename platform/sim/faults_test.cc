// Fault injection: CE crash and restart, slow CEs and core contention, partitions, and message
// fault rules.
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "platform/config.h"
#include "platform/sim/testdata/sim_test_util.h"
#include "platform/simulation.h"

namespace ddc {
namespace {

using simtest::Arrival;
using simtest::ArrivalTimes;
using simtest::Blob;
using simtest::CeNamed;
using simtest::CreateSimulation;
using simtest::MakeBlob;
using simtest::MustSpawn;
using simtest::RecordArrivals;
using simtest::SendEvery;

// CountEveryMicrosecond increments *counter at t = 0, 1 us, 2 us, ...
asio::awaitable<void> CountEveryMicrosecond(Process& self, int* counter) {
  for (;;) {
    ++*counter;
    co_await self.Sleep(Microseconds(1));
  }
}

asio::awaitable<void> Idle(Process&) { co_return; }

// ---------------------------------------------------------------------------------------------
// Crash.

TEST(CrashTest, CrashedProcessRunsNoFurtherCode) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  int counter = 0;
  const ProcessId id = MustSpawn(*sim, "counter", "r0/ce1", [&counter](Process& self) {
    return CountEveryMicrosecond(self, &counter);
  });
  const CeId ce = CeNamed(*sim, "r0/ce1");
  ASSERT_TRUE(sim->CrashCe(ce, 5500).ok());
  sim->RunUntil(5499);
  EXPECT_EQ(counter, 6);  // t = 0, 1000, ..., 5000
  EXPECT_TRUE(sim->CeAlive(ce));
  sim->RunUntil(50000);
  EXPECT_EQ(counter, 6);
  EXPECT_FALSE(sim->CeAlive(ce));
  EXPECT_EQ(sim->Status(id).state, ProcessState::kCrashed);
  EXPECT_EQ(sim->metrics().ce_crashes, 1u);
}

TEST(CrashTest, CrashOnlyAffectsItsOwnCe) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  int crashed = 0;
  int survivor = 0;
  MustSpawn(*sim, "crashed", "r0/ce1",
            [&crashed](Process& self) { return CountEveryMicrosecond(self, &crashed); });
  const ProcessId other = MustSpawn(*sim, "survivor", "r0/ce2", [&survivor](Process& self) {
    return CountEveryMicrosecond(self, &survivor);
  });
  ASSERT_TRUE(sim->CrashCe(CeNamed(*sim, "r0/ce1"), 2500).ok());
  sim->RunUntil(9500);
  EXPECT_EQ(crashed, 3);
  EXPECT_EQ(survivor, 10);
  EXPECT_EQ(sim->Status(other).state, ProcessState::kRunning);
}

struct Reached {
  bool after_sleep = false;
  bool after_compute = false;
  bool after_receive = false;
  bool after_receive_for = false;
  bool after_timer = false;
};

asio::awaitable<void> SleepThenMark(Process& self, bool* reached) {
  co_await self.Sleep(1000);
  *reached = true;
}
asio::awaitable<void> ComputeThenMark(Process& self, bool* reached) {
  co_await self.Compute(1000);
  *reached = true;
}
asio::awaitable<void> ReceiveThenMark(Process& self, bool* reached) {
  co_await self.Receive();
  *reached = true;
}
asio::awaitable<void> ReceiveForThenMark(Process& self, bool* reached) {
  co_await self.ReceiveFor(1000);
  *reached = true;
}
asio::awaitable<void> TimerThenMark(Process& self, bool* reached) {
  std::unique_ptr<Timer> timer = self.NewTimer();
  co_await timer->Wait(1000);
  *reached = true;
}

TEST(CrashTest, EveryKindOfPendingOperationIsAbandoned) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  Reached reached;
  MustSpawn(*sim, "sleep", "r0/ce1",
            [&](Process& self) { return SleepThenMark(self, &reached.after_sleep); });
  MustSpawn(*sim, "compute", "r0/ce1",
            [&](Process& self) { return ComputeThenMark(self, &reached.after_compute); });
  const ProcessId receive = MustSpawn(*sim, "receive", "r0/ce1", [&](Process& self) {
    return ReceiveThenMark(self, &reached.after_receive);
  });
  const ProcessId receive_for = MustSpawn(*sim, "receive-for", "r0/ce1", [&](Process& self) {
    return ReceiveForThenMark(self, &reached.after_receive_for);
  });
  MustSpawn(*sim, "timer", "r0/ce1",
            [&](Process& self) { return TimerThenMark(self, &reached.after_timer); });
  // Both receivers are sent a message that arrives at 1001 ns, after the crash at 500 ns.
  for (ProcessId to : {receive, receive_for}) {
    MustSpawn(*sim, absl::StrCat("sender-", Index(to)), "r0/ce0", [to](Process& self) {
      return SendEvery(self, to, /*start=*/0, /*interval=*/1, /*count=*/1);
    });
  }
  ASSERT_TRUE(sim->CrashCe(CeNamed(*sim, "r0/ce1"), 500).ok());
  sim->RunUntilIdle();
  EXPECT_FALSE(reached.after_sleep);
  EXPECT_FALSE(reached.after_compute);
  EXPECT_FALSE(reached.after_receive);
  EXPECT_FALSE(reached.after_receive_for);
  EXPECT_FALSE(reached.after_timer);
  EXPECT_EQ(sim->metrics().dropped_dead_destination, 2u);
  EXPECT_EQ(sim->metrics().messages_delivered, 0u);
}

TEST(CrashTest, MessagesToCrashedProcessCountAsDeadDestination) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Arrival> arrivals;
  const ProcessId victim = MustSpawn(*sim, "victim", "r0/ce1", [&arrivals](Process& self) {
    return RecordArrivals(self, &arrivals);
  });
  // Messages sent at 0..4 us arrive before the crash at 5.5 us; those at 5..9 us do not (the one
  // sent at 5 us is in flight when the CE crashes).
  MustSpawn(*sim, "sender", "r0/ce0", [victim](Process& self) {
    return SendEvery(self, victim, /*start=*/0, /*interval=*/1000, /*count=*/10);
  });
  ASSERT_TRUE(sim->CrashCe(CeNamed(*sim, "r0/ce1"), 5500).ok());
  sim->RunUntilIdle();
  EXPECT_EQ(arrivals.size(), 5u);
  EXPECT_EQ(sim->metrics().messages_sent, 10u);
  EXPECT_EQ(sim->metrics().messages_delivered, 5u);
  EXPECT_EQ(sim->metrics().dropped_dead_destination, 5u);
}

TEST(CrashTest, SpawnOnCrashedCeFailsUntilRestart) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const CeId ce = CeNamed(*sim, "r1/ce1");
  ASSERT_TRUE(sim->CrashCe(ce, 0).ok());
  ASSERT_TRUE(sim->RestartCe(ce, 1000).ok());
  sim->RunUntil(0);
  const absl::StatusOr<ProcessId> refused = sim->Spawn({.name = "late", .ce = ce, .main = Idle});
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(refused.status().message()).find("r1/ce1"), std::string::npos)
      << refused.status();
  sim->RunUntil(1000);
  EXPECT_TRUE(sim->CeAlive(ce));
  EXPECT_TRUE(sim->Spawn({.name = "late", .ce = ce, .main = Idle}).ok());
}

asio::awaitable<void> MarkStarted(Process&, bool* started) {
  *started = true;
  co_return;
}

TEST(CrashTest, ProcessWhoseCeCrashesBeforeItStartsNeverRuns) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const CeId ce = CeNamed(*sim, "r0/ce1");
  // The crash is scheduled first, so at t=0 it runs before the process's launch.
  ASSERT_TRUE(sim->CrashCe(ce, 0).ok());
  bool started = false;
  const ProcessId id = MustSpawn(*sim, "unlucky", "r0/ce1",
                                 [&started](Process& self) { return MarkStarted(self, &started); });
  sim->RunUntilIdle();
  EXPECT_FALSE(started);
  EXPECT_EQ(sim->Status(id).state, ProcessState::kCrashed);
  EXPECT_EQ(sim->metrics().process_launches, 0u);
}

TEST(CrashTest, CrashingTwiceCountsOnce) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const CeId ce = CeNamed(*sim, "r0/ce0");
  ASSERT_TRUE(sim->CrashCe(ce, 100).ok());
  ASSERT_TRUE(sim->CrashCe(ce, 200).ok());
  sim->RunUntilIdle();
  EXPECT_EQ(sim->metrics().ce_crashes, 1u);
}

// ---------------------------------------------------------------------------------------------
// Restart.

struct Step {
  uint32_t incarnation;
  int local_count;  // a coroutine local: restarts from 1 in a fresh incarnation
  Time at;
  bool operator==(const Step&) const = default;
};

void PrintTo(const Step& s, std::ostream* os) {
  *os << "{inc " << s.incarnation << ", count " << s.local_count << ", t " << s.at << "}";
}

asio::awaitable<void> LogSteps(Process& self, std::vector<Step>* steps) {
  int local_count = 0;
  for (;;) {
    ++local_count;
    steps->push_back({self.incarnation(), local_count, self.Now()});
    co_await self.Sleep(Microseconds(1));
  }
}

TEST(RestartTest, RestartRelaunchesOnlyRestartableProcessesAsNewIncarnation) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Step> restartable_steps;
  std::vector<Step> mortal_steps;
  const ProcessId restartable = MustSpawn(
      *sim, "restartable", "r0/ce1",
      [&](Process& self) { return LogSteps(self, &restartable_steps); },
      /*restart_on_reboot=*/true);
  const ProcessId mortal = MustSpawn(*sim, "mortal", "r0/ce1",
                                     [&](Process& self) { return LogSteps(self, &mortal_steps); });
  const CeId ce = CeNamed(*sim, "r0/ce1");
  ASSERT_TRUE(sim->CrashCe(ce, 2500).ok());
  ASSERT_TRUE(sim->RestartCe(ce, 10000).ok());
  sim->RunUntil(11500);

  EXPECT_EQ(
      restartable_steps,
      (std::vector<Step>{{0, 1, 0}, {0, 2, 1000}, {0, 3, 2000}, {1, 1, 10000}, {1, 2, 11000}}));
  EXPECT_EQ(mortal_steps, (std::vector<Step>{{0, 1, 0}, {0, 2, 1000}, {0, 3, 2000}}));
  EXPECT_EQ(sim->Status(restartable).state, ProcessState::kRunning);
  EXPECT_EQ(sim->Status(restartable).incarnation, 1u);
  EXPECT_EQ(sim->Status(mortal).state, ProcessState::kCrashed);
  EXPECT_EQ(sim->Status(mortal).incarnation, 0u);
  EXPECT_EQ(sim->metrics().ce_restarts, 1u);
  EXPECT_EQ(sim->metrics().process_launches, 3u);
}

asio::awaitable<void> CountMessagesAfter(Process& self, Duration wait, int* received) {
  // Let messages pile up in the mailbox, then drain whatever is there.
  co_await self.Sleep(wait);
  for (;;) {
    std::optional<Envelope> in = co_await self.ReceiveFor(Microseconds(100));
    if (!in) co_return;
    ++*received;
  }
}

TEST(RestartTest, RestartedIncarnationStartsWithAnEmptyMailbox) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  int received = 0;
  const ProcessId id = MustSpawn(
      *sim, "hoarder", "r0/ce1",
      [&received](Process& self) { return CountMessagesAfter(self, Microseconds(50), &received); },
      /*restart_on_reboot=*/true);
  // Three messages arrive at 1, 2 and 3 us and wait in the mailbox; the crash at 4 us loses them.
  MustSpawn(*sim, "sender", "r0/ce0", [id](Process& self) {
    return SendEvery(self, id, /*start=*/0, /*interval=*/1000, /*count=*/3);
  });
  const CeId ce = CeNamed(*sim, "r0/ce1");
  ASSERT_TRUE(sim->CrashCe(ce, 4000).ok());
  ASSERT_TRUE(sim->RestartCe(ce, 5000).ok());
  sim->RunUntilIdle();
  EXPECT_EQ(sim->metrics().messages_delivered, 3u);
  EXPECT_EQ(received, 0);
  EXPECT_EQ(sim->Status(id).incarnation, 1u);
  EXPECT_EQ(sim->Status(id).state, ProcessState::kExited);
}

TEST(RestartTest, ConfiguredCeFaultsRunAtTheirTimes) {
  std::unique_ptr<Simulation> sim = CreateSimulation(R"pb(
    faults {
      ce_faults { kind: CRASH ce: "r0/ce1" at_ns: 2500 }
      ce_faults { kind: RESTART ce: "r0/ce1" at_ns: 7000 }
    }
  )pb");
  ASSERT_NE(sim, nullptr);
  std::vector<Step> steps;
  const ProcessId id = MustSpawn(
      *sim, "worker", "r0/ce1", [&steps](Process& self) { return LogSteps(self, &steps); },
      /*restart_on_reboot=*/true);
  sim->RunUntil(7500);
  EXPECT_EQ(steps, (std::vector<Step>{{0, 1, 0}, {0, 2, 1000}, {0, 3, 2000}, {1, 1, 7000}}));
  EXPECT_EQ(sim->Status(id).incarnation, 1u);
  EXPECT_EQ(sim->metrics().ce_crashes, 1u);
  EXPECT_EQ(sim->metrics().ce_restarts, 1u);
}

// ---------------------------------------------------------------------------------------------
// Slow CEs and cores.

asio::awaitable<void> ComputeSteps(Process& self, std::vector<Duration> costs, Duration gap,
                                   std::vector<Time>* finished) {
  for (Duration cost : costs) {
    co_await self.Compute(cost);
    finished->push_back(self.Now());
    co_await self.Sleep(gap);
  }
}

TEST(SlowCeTest, SlowdownScalesComputeStartedAfterIt) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Time> finished;
  MustSpawn(*sim, "worker", "r0/ce2", [&finished](Process& self) {
    return ComputeSteps(self, {1000, 1000}, /*gap=*/500, &finished);
  });
  ASSERT_TRUE(sim->SlowCe(CeNamed(*sim, "r0/ce2"), 2.5, 1200).ok());
  sim->RunUntilIdle();
  // 0..1000 at full speed; the second compute starts at 1500 and takes 2.5 x 1000 ns.
  EXPECT_EQ(finished, (std::vector<Time>{1000, 4000}));
  EXPECT_EQ(sim->metrics().compute_ns, 1000 + 2500);
}

TEST(SlowCeTest, ConfiguredSlowFaultAndSpeedFactorCombine) {
  std::unique_ptr<Simulation> sim = CreateSimulation(R"pb(
    racks {
      name: "r0"
      compute_elements { name: "fast" speed_factor: 2 }
    }
    faults { ce_faults { kind: SLOW ce: "r0/fast" at_ns: 700 slowdown: 3 } }
  )pb");
  ASSERT_NE(sim, nullptr);
  std::vector<Time> finished;
  MustSpawn(*sim, "worker", "r0/fast", [&finished](Process& self) {
    return ComputeSteps(self, {1000, 1000}, /*gap=*/500, &finished);
  });
  sim->RunUntilIdle();
  // 1000 / 2 = 500 ns; then, slowed at 700 ns, from 1000 ns: 1000 * 3 / 2 = 1500 ns.
  EXPECT_EQ(finished, (std::vector<Time>{500, 2500}));
}

TEST(SlowCeTest, RestartClearsSlowdown) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const CeId ce = CeNamed(*sim, "r0/ce2");
  ASSERT_TRUE(sim->SlowCe(ce, 4, 0).ok());
  ASSERT_TRUE(sim->CrashCe(ce, 10).ok());
  ASSERT_TRUE(sim->RestartCe(ce, 20).ok());
  sim->RunUntil(100);
  std::vector<Time> finished;
  MustSpawn(*sim, "worker", "r0/ce2", [&finished](Process& self) {
    return ComputeSteps(self, {1000}, /*gap=*/0, &finished);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(finished, (std::vector<Time>{1100}));
}

TEST(CoresTest, ConcurrentComputeQueuesForFreeCores) {
  std::unique_ptr<Simulation> sim = CreateSimulation(R"pb(
    racks {
      name: "r0"
      compute_elements { name: "ce0" cores: 2 }
    }
  )pb");
  ASSERT_NE(sim, nullptr);
  std::vector<Time> finished;
  for (int i = 0; i < 3; ++i) {
    MustSpawn(*sim, absl::StrCat("worker", i), "r0/ce0", [&finished](Process& self) {
      return ComputeSteps(self, {1000}, /*gap=*/0, &finished);
    });
  }
  sim->RunUntilIdle();
  EXPECT_EQ(finished, (std::vector<Time>{1000, 1000, 2000}));
  EXPECT_EQ(sim->metrics().compute_ns, 3000);
}

TEST(CoresTest, DefaultCeRunsEightComputationsInParallel) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Time> finished;
  for (int i = 0; i < 9; ++i) {
    MustSpawn(*sim, absl::StrCat("worker", i), "r0/ce0", [&finished](Process& self) {
      return ComputeSteps(self, {1000}, /*gap=*/0, &finished);
    });
  }
  sim->RunUntilIdle();
  EXPECT_EQ(finished, (std::vector<Time>{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 2000}));
}

asio::awaitable<void> ComputeInThreads(Process& self, int threads, std::vector<Time>* finished) {
  for (int i = 0; i < threads; ++i) {
    self.Go([&self, finished] { return ComputeSteps(self, {1000}, /*gap=*/0, finished); });
  }
  co_return;
}

TEST(CoresTest, ThreadsOfOneProcessShareTheCeCores) {
  std::unique_ptr<Simulation> sim = CreateSimulation(R"pb(
    racks {
      name: "r0"
      compute_elements { name: "ce0" cores: 1 }
    }
  )pb");
  ASSERT_NE(sim, nullptr);
  std::vector<Time> finished;
  MustSpawn(*sim, "threads", "r0/ce0",
            [&finished](Process& self) { return ComputeInThreads(self, 3, &finished); });
  sim->RunUntilIdle();
  EXPECT_EQ(finished, (std::vector<Time>{1000, 2000, 3000}));
}

// ---------------------------------------------------------------------------------------------
// Partitions.

struct StreamRun {
  std::vector<Arrival> arrivals;
  Metrics metrics;
};

// SendStream sends one message every microsecond for 30 us from `from` to `to`.
StreamRun SendStream(absl::string_view config_text, absl::string_view from, absl::string_view to,
                     std::function<void(Simulation&)> add_faults) {
  StreamRun run;
  std::unique_ptr<Simulation> sim = CreateSimulation(config_text);
  if (sim == nullptr) return run;
  const ProcessId receiver = MustSpawn(
      *sim, "receiver", to, [&run](Process& self) { return RecordArrivals(self, &run.arrivals); });
  MustSpawn(*sim, "sender", from, [receiver](Process& self) {
    return SendEvery(self, receiver, /*start=*/0, /*interval=*/1000, /*count=*/30);
  });
  if (add_faults) add_faults(*sim);
  sim->RunUntilIdle();
  run.metrics = sim->metrics();
  return run;
}

std::vector<uint64_t> Seqs(const std::vector<Arrival>& arrivals) {
  std::vector<uint64_t> seqs;
  for (const Arrival& a : arrivals) seqs.push_back(a.seq);
  return seqs;
}

// The sequence numbers sent outside [10 us, 20 us).
std::vector<uint64_t> OutsideWindow() {
  std::vector<uint64_t> seqs;
  for (uint64_t i = 0; i < 30; ++i) {
    if (i < 10 || i >= 20) seqs.push_back(i);
  }
  return seqs;
}

TEST(PartitionTest, RackPartitionDropsMessagesDuringWindowOnly) {
  const StreamRun run = SendStream("", "r0/ce0", "r1/ce0", [](Simulation& sim) {
    ASSERT_TRUE(sim.Partition("r0", "r1", 10000, 20000).ok());
  });
  EXPECT_EQ(Seqs(run.arrivals), OutsideWindow());
  EXPECT_EQ(run.metrics.dropped_by_partition, 10u);
  EXPECT_EQ(run.metrics.messages_delivered, 20u);
}

TEST(PartitionTest, PartitionCutsBothDirections) {
  const StreamRun run = SendStream("", "r1/ce3", "r0/ce2", [](Simulation& sim) {
    ASSERT_TRUE(sim.Partition("r0", "r1", 10000, 20000).ok());
  });
  EXPECT_EQ(Seqs(run.arrivals), OutsideWindow());
  EXPECT_EQ(run.metrics.dropped_by_partition, 10u);
}

TEST(PartitionTest, ElementPartitionSparesOtherElements) {
  auto cut_ce0_from_ce1 = [](Simulation& sim) {
    ASSERT_TRUE(sim.Partition("r0/ce0", "r0/ce1", 10000, 20000).ok());
  };
  const StreamRun cut = SendStream("", "r0/ce0", "r0/ce1", cut_ce0_from_ce1);
  EXPECT_EQ(cut.metrics.dropped_by_partition, 10u);
  const StreamRun spared = SendStream("", "r0/ce0", "r0/ce2", cut_ce0_from_ce1);
  EXPECT_EQ(spared.metrics.dropped_by_partition, 0u);
  EXPECT_EQ(spared.arrivals.size(), 30u);
}

TEST(PartitionTest, ElementToRackPartition) {
  auto cut = [](Simulation& sim) { ASSERT_TRUE(sim.Partition("r1", "r0/ce0", 10000, 20000).ok()); };
  EXPECT_EQ(SendStream("", "r0/ce0", "r1/ce2", cut).metrics.dropped_by_partition, 10u);
  EXPECT_EQ(SendStream("", "r0/ce1", "r1/ce2", cut).metrics.dropped_by_partition, 0u);
}

TEST(PartitionTest, ConfiguredPartitionAppliesFromCreation) {
  const StreamRun run =
      SendStream(R"pb(faults { partitions { a: "r0" b: "r1" at_ns: 10000 heal_at_ns: 20000 } })pb",
                 "r0/ce0", "r1/ce0", nullptr);
  EXPECT_EQ(Seqs(run.arrivals), OutsideWindow());
  EXPECT_EQ(run.metrics.dropped_by_partition, 10u);
}

TEST(PartitionTest, UnhealedPartitionLastsForever) {
  const StreamRun run = SendStream(R"pb(faults { partitions { a: "r0" b: "r1" at_ns: 10000 } })pb",
                                   "r0/ce0", "r1/ce0", nullptr);
  EXPECT_EQ(run.arrivals.size(), 10u);
  EXPECT_EQ(run.metrics.dropped_by_partition, 20u);
}

// ---------------------------------------------------------------------------------------------
// Message fault rules.

TEST(MessageFaultTest, CertainDropInWindowDropsExactlyThoseMessages) {
  const StreamRun run = SendStream(
      R"pb(faults { message_faults { start_ns: 10000 end_ns: 20000 drop_probability: 1 } })pb",
      "r0/ce0", "r1/ce0", nullptr);
  EXPECT_EQ(Seqs(run.arrivals), OutsideWindow());
  EXPECT_EQ(run.metrics.dropped_by_fault, 10u);
  EXPECT_EQ(run.metrics.dropped_by_partition, 0u);
}

TEST(MessageFaultTest, RuleMatchesOnlyItsEndpoints) {
  constexpr char kDropToR1[] = R"pb(faults { message_faults { to: "r1" drop_probability: 1 } })pb";
  EXPECT_EQ(SendStream(kDropToR1, "r0/ce0", "r1/ce0", nullptr).metrics.dropped_by_fault, 30u);
  EXPECT_EQ(SendStream(kDropToR1, "r0/ce0", "r0/ce1", nullptr).metrics.dropped_by_fault, 0u);
  EXPECT_EQ(SendStream(kDropToR1, "r1/ce0", "r0/ce1", nullptr).metrics.dropped_by_fault, 0u);
}

TEST(MessageFaultTest, CertainDuplicateDeliversASecondCopyOneSerializationLater) {
  std::unique_ptr<Simulation> sim =
      CreateSimulation(R"pb(faults { message_faults { duplicate_probability: 1 } })pb");
  ASSERT_NE(sim, nullptr);
  std::vector<Arrival> arrivals;
  const ProcessId receiver = MustSpawn(*sim, "receiver", "r0/ce1", [&arrivals](Process& self) {
    return RecordArrivals(self, &arrivals);
  });
  MustSpawn(*sim, "sender", "r0/ce0",
            [receiver](Process& self) { return simtest::SendBlobs(self, receiver, {1250}); });
  sim->RunUntilIdle();
  EXPECT_EQ(ArrivalTimes(arrivals), (std::vector<Time>{1100, 1200}));
  EXPECT_EQ(sim->metrics().duplicated, 1u);
  EXPECT_EQ(sim->metrics().messages_sent, 1u);
  EXPECT_EQ(sim->metrics().messages_delivered, 2u);
}

TEST(MessageFaultTest, CertainDelayAddsDelayNs) {
  std::unique_ptr<Simulation> sim =
      CreateSimulation(R"pb(faults { message_faults { delay_probability: 1 delay_ns: 5000 } })pb");
  ASSERT_NE(sim, nullptr);
  std::vector<Arrival> arrivals;
  const ProcessId receiver = MustSpawn(*sim, "receiver", "r0/ce1", [&arrivals](Process& self) {
    return RecordArrivals(self, &arrivals);
  });
  MustSpawn(*sim, "sender", "r0/ce0",
            [receiver](Process& self) { return simtest::SendBlobs(self, receiver, {1250}); });
  sim->RunUntilIdle();
  EXPECT_EQ(ArrivalTimes(arrivals), (std::vector<Time>{1100 + 5000}));
  EXPECT_EQ(sim->metrics().delayed, 1u);
}

// ---------------------------------------------------------------------------------------------
// Programmatic schedules go through the config's validation and scheduling.

TEST(InjectFaultsTest, AScheduleInjectedMidRunTakesEffect) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  int counter = 0;
  MustSpawn(*sim, "counter", "r0/ce2",
            [&counter](Process& self) { return CountEveryMicrosecond(self, &counter); });
  sim->RunUntil(10500);
  config::FaultSchedule faults;
  config::CeFault* crash = faults.add_ce_faults();
  crash->set_kind(config::CeFault::CRASH);
  crash->set_ce("r0/ce2");
  crash->set_at_ns(20500);
  faults.add_me_faults()->set_me("r1/me0");
  faults.mutable_me_faults(0)->set_at_ns(30000);
  ASSERT_TRUE(sim->InjectFaults(faults).ok());
  sim->RunUntil(100000);
  EXPECT_EQ(counter, 21);  // t = 0, 1000, ..., 20000
  EXPECT_EQ(sim->metrics().ce_crashes, 1u);
  EXPECT_EQ(sim->metrics().me_failures, 1u);
}

TEST(InjectFaultsTest, ABadScheduleIsRejectedWholeAndChangesNothing) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  int counter = 0;
  MustSpawn(*sim, "counter", "r0/ce2",
            [&counter](Process& self) { return CountEveryMicrosecond(self, &counter); });
  sim->RunUntil(10500);
  config::FaultSchedule faults;
  config::CeFault* crash = faults.add_ce_faults();
  crash->set_ce("r0/ce2");
  crash->set_at_ns(20500);
  faults.add_me_faults()->set_me("r7/me0");  // no such element: the crash must not happen either
  absl::Status status = sim->InjectFaults(faults);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("faults.me_faults[0].me"), std::string::npos)
      << status;
  config::FaultSchedule past;
  past.add_ce_faults()->set_ce("r0/ce2");  // at_ns 0 is before now
  status = sim->InjectFaults(past);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(status.message()).find("in the past"), std::string::npos) << status;
  sim->RunUntil(100000);
  EXPECT_EQ(counter, 101);
  EXPECT_EQ(sim->metrics().ce_crashes, 0u);
}

}  // namespace
}  // namespace ddc
