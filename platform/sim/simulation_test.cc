// Simulation facade: determinism in (config, seed), process lifecycle and spawning, and the
// errors of bad programmatic input.
#include "platform/random.h"
#include "platform/simulation.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "platform/config.h"
#include "platform/sim/testdata/sim_test_util.h"

namespace ddc {
namespace {

using simtest::Arrival;
using simtest::Blob;
using simtest::CeNamed;
using simtest::CreateSimulation;
using simtest::MakeBlob;
using simtest::MetricValue;
using simtest::MustSpawn;
using simtest::RecordArrivals;

// ---------------------------------------------------------------------------------------------
// Determinism.

// Every message may be dropped or duplicated, so the outcome depends on the PRNG.
constexpr char kLossyConfig[] = R"pb(
  faults { message_faults { drop_probability: 0.3 duplicate_probability: 0.2 } }
)pb";

// Chatter sends `rounds` messages of random size to `peer` at random intervals, and computes.
asio::awaitable<void> Chatter(Process& self, ProcessId peer, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    Blob blob = MakeBlob(2 + static_cast<int64_t>(self.Random() % 2000));
    blob.set_seq(static_cast<uint64_t>(i));
    EXPECT_TRUE(self.Send(peer, blob).ok());
    co_await self.Compute(static_cast<Duration>(self.Random() % 300));
    co_await self.Sleep(500 + static_cast<Duration>(self.Random() % 1000));
  }
}

// Echo replies to every message with a copy.
asio::awaitable<void> Echo(Process& self) {
  for (;;) {
    Envelope in = co_await self.Receive();
    EXPECT_TRUE(self.Send(in.from(), in.As<Blob>()).ok());
  }
}

struct RunOutput {
  std::string metrics_csv;
  std::string trace_json;
  Metrics metrics;
};

RunOutput RunChatterWorkload(absl::string_view config_text, uint64_t seed) {
  std::unique_ptr<Simulation> sim = CreateSimulation(config_text, seed);
  if (sim == nullptr) return {};
  const ProcessId echo_far = MustSpawn(*sim, "echo-far", "r1/ce0", Echo);
  const ProcessId echo_near = MustSpawn(*sim, "echo-near", "r0/ce3", Echo);
  MustSpawn(*sim, "chatter-a", "r0/ce0",
            [echo_far](Process& self) { return Chatter(self, echo_far, 100); });
  MustSpawn(*sim, "chatter-b", "r0/ce1",
            [echo_near](Process& self) { return Chatter(self, echo_near, 100); });
  sim->RunUntilIdle();
  return {sim->MetricsCsv(), sim->TraceJson(), sim->metrics()};
}

TEST(DeterminismTest, SameSeedGivesByteIdenticalMetricsAndTrace) {
  const RunOutput first = RunChatterWorkload(kLossyConfig, /*seed=*/7);
  const RunOutput second = RunChatterWorkload(kLossyConfig, /*seed=*/7);
  // The workload must actually exercise the random faults for the comparison to mean anything.
  EXPECT_GT(first.metrics.dropped_by_fault, 0u);
  EXPECT_GT(first.metrics.duplicated, 0u);
  EXPECT_FALSE(first.trace_json.empty());
  EXPECT_EQ(first.metrics_csv, second.metrics_csv);
  EXPECT_EQ(first.trace_json, second.trace_json);
}

TEST(DeterminismTest, DifferentSeedsGiveDifferentRuns) {
  const RunOutput seven = RunChatterWorkload(kLossyConfig, /*seed=*/7);
  const RunOutput eight = RunChatterWorkload(kLossyConfig, /*seed=*/8);
  EXPECT_NE(seven.metrics_csv, eight.metrics_csv);
  EXPECT_NE(seven.trace_json, eight.trace_json);
}

TEST(DeterminismTest, SeedsDrawDifferentFaultOutcomes) {
  // Without process-level randomness, only the fault rule draws from the PRNG.
  auto run = [](uint64_t seed) {
    std::unique_ptr<Simulation> sim = CreateSimulation(kLossyConfig, seed);
    std::vector<Arrival> arrivals;
    if (sim == nullptr) return std::string();
    const ProcessId sink = MustSpawn(*sim, "sink", "r1/ce0", [&arrivals](Process& self) {
      return RecordArrivals(self, &arrivals);
    });
    MustSpawn(*sim, "source", "r0/ce0", [sink](Process& self) {
      return simtest::SendEvery(self, sink, /*start=*/0, /*interval=*/1000, /*count=*/200);
    });
    sim->RunUntilIdle();
    return sim->MetricsCsv();
  };
  const std::string seed1 = run(1);
  EXPECT_EQ(seed1, run(1));
  EXPECT_NE(seed1, run(2));
  const std::optional<int64_t> dropped = MetricValue(seed1, "dropped_by_fault");
  ASSERT_TRUE(dropped.has_value());
  // 30% of 200 messages, give or take; the exact count is fixed by the seed.
  EXPECT_GT(*dropped, 30);
  EXPECT_LT(*dropped, 90);
}

TEST(DeterminismTest, SeedDoesNotMatterWhenNothingIsRandom) {
  // No fault rule and no Process::Random: nothing draws from the PRNG, so the seed is inert.
  auto run = [](uint64_t seed) {
    std::unique_ptr<Simulation> sim = CreateSimulation("", seed);
    if (sim == nullptr) return std::string();
    const ProcessId echo = MustSpawn(*sim, "echo", "r1/ce0", Echo);
    MustSpawn(*sim, "source", "r0/ce0", [echo](Process& self) {
      return simtest::SendEvery(self, echo, /*start=*/0, /*interval=*/700, /*count=*/50);
    });
    sim->RunUntilIdle();
    return sim->MetricsCsv() + sim->TraceJson();
  };
  EXPECT_EQ(run(1), run(12345));
}

asio::awaitable<void> DrawRandom(Process& self, int n, std::vector<uint64_t>* out) {
  for (int i = 0; i < n; ++i) out->push_back(self.Random());
  co_return;
}

std::vector<uint64_t> RandomSequence(uint64_t seed, int n) {
  std::vector<uint64_t> values;
  std::unique_ptr<Simulation> sim = CreateSimulation("", seed);
  if (sim == nullptr) return values;
  MustSpawn(*sim, "draw", "r0/ce0",
            [n, &values](Process& self) { return DrawRandom(self, n, &values); });
  sim->RunUntilIdle();
  return values;
}

TEST(ProcessRandomTest, SameSeedGivesSameSequence) {
  const std::vector<uint64_t> first = RandomSequence(/*seed=*/5, 8);
  ASSERT_EQ(first.size(), 8u);
  EXPECT_EQ(first, RandomSequence(/*seed=*/5, 8));
}

TEST(ProcessRandomTest, DifferentSeedsGiveDifferentSequences) {
  EXPECT_NE(RandomSequence(/*seed=*/5, 8), RandomSequence(/*seed=*/6, 8));
}

std::vector<uint64_t> StreamOf(uint64_t seed, const std::string& name, uint32_t incarnation,
                               int n) {
  Rng rng = Rng::ForStream(seed, "process", name, incarnation);
  std::vector<uint64_t> values;
  for (int i = 0; i < n; ++i) values.push_back(rng.Next64());
  return values;
}

TEST(ProcessRandomTest, EachProcessDrawsFromItsOwnStream) {
  std::unique_ptr<Simulation> sim = CreateSimulation("", /*seed=*/5);
  ASSERT_NE(sim, nullptr);
  std::vector<uint64_t> first;
  std::vector<uint64_t> second;
  MustSpawn(*sim, "first", "r0/ce0",
            [&first](Process& self) { return DrawRandom(self, 3, &first); });
  MustSpawn(*sim, "second", "r1/ce2",
            [&second](Process& self) { return DrawRandom(self, 5, &second); });
  sim->RunUntilIdle();
  // (seed, name, incarnation) alone decide a process's draws: what others draw does not matter.
  EXPECT_EQ(first, StreamOf(5, "first", 0, 3));
  EXPECT_EQ(second, StreamOf(5, "second", 0, 5));
}

TEST(ProcessRandomTest, ARelaunchedIncarnationDrawsAFreshStream) {
  std::unique_ptr<Simulation> sim = CreateSimulation("", /*seed=*/9);
  ASSERT_NE(sim, nullptr);
  std::vector<std::vector<uint64_t>> draws;
  ProcessId id = kNoProcess;
  id = MustSpawn(
      *sim, "phoenix", "r0/ce1",
      [&draws](Process& self) -> asio::awaitable<void> {
        draws.emplace_back();
        co_await DrawRandom(self, 4, &draws.back());
        co_await self.Sleep(Seconds(1));
      },
      /*restart_on_reboot=*/true);
  const CeId ce = CeNamed(*sim, "r0/ce1");
  ASSERT_TRUE(sim->CrashCe(ce, Microseconds(10)).ok());
  ASSERT_TRUE(sim->RestartCe(ce, Microseconds(20)).ok());
  sim->RunUntil(Milliseconds(1));
  ASSERT_EQ(draws.size(), 2u);
  EXPECT_EQ(sim->Status(id).incarnation, 1u);
  EXPECT_EQ(draws[0], StreamOf(9, "phoenix", 0, 4));
  EXPECT_EQ(draws[1], StreamOf(9, "phoenix", 1, 4));
}

// ---------------------------------------------------------------------------------------------
// Process lifecycle.

asio::awaitable<void> ReturnAfter(Process& self, Duration delay) { co_await self.Sleep(delay); }

asio::awaitable<void> ThrowAfter(Process& self, Duration delay) {
  co_await self.Sleep(delay);
  throw std::runtime_error("boom");
}

TEST(ProcessLifecycleTest, StatusFollowsStartRunAndExit) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId id =
      MustSpawn(*sim, "worker", "r0/ce0", [](Process& self) { return ReturnAfter(self, 1000); });
  EXPECT_EQ(sim->Status(id).state, ProcessState::kStarting);
  sim->RunUntil(500);
  EXPECT_EQ(sim->Status(id).state, ProcessState::kRunning);
  sim->RunUntilIdle();
  EXPECT_EQ(sim->Status(id).state, ProcessState::kExited);
  EXPECT_EQ(sim->Status(id).incarnation, 0u);
  EXPECT_EQ(sim->Now(), 1000);
  EXPECT_EQ(sim->metrics().processes_spawned, 1u);
  EXPECT_EQ(sim->metrics().process_launches, 1u);
}

TEST(ProcessLifecycleTest, ExceptionMarksProcessFailedWithItsMessage) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId id =
      MustSpawn(*sim, "thrower", "r0/ce0", [](Process& self) { return ThrowAfter(self, 100); });
  sim->RunUntilIdle();
  const ProcessStatus status = sim->Status(id);
  EXPECT_EQ(status.state, ProcessState::kFailed);
  EXPECT_EQ(status.error, "boom");
  EXPECT_EQ(sim->metrics().process_failures, 1u);
}

TEST(ProcessLifecycleTest, MessagesToAnExitedProcessAreDropped) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId gone =
      MustSpawn(*sim, "gone", "r0/ce1", [](Process& self) { return ReturnAfter(self, 0); });
  MustSpawn(*sim, "sender", "r0/ce0", [gone](Process& self) {
    return simtest::SendEvery(self, gone, /*start=*/100, /*interval=*/100, /*count=*/2);
  });
  sim->RunUntilIdle();
  EXPECT_EQ(sim->metrics().messages_sent, 2u);
  EXPECT_EQ(sim->metrics().messages_delivered, 0u);
  EXPECT_EQ(sim->metrics().dropped_dead_destination, 2u);
}

asio::awaitable<void> SleepAndLog(Process& self, Duration delay, std::vector<Time>* log) {
  co_await self.Sleep(delay);
  log->push_back(self.Now());
}

asio::awaitable<void> MainWithThread(Process& self, std::vector<Time>* log) {
  self.Go([&self, log] { return SleepAndLog(self, 5000, log); });
  log->push_back(self.Now());
  co_return;
}

TEST(ProcessLifecycleTest, ProcessRunsUntilItsLastThreadEnds) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Time> log;
  const ProcessId id = MustSpawn(*sim, "threads", "r0/ce0",
                                 [&log](Process& self) { return MainWithThread(self, &log); });
  sim->RunUntil(1000);
  EXPECT_EQ(log, (std::vector<Time>{0}));
  EXPECT_EQ(sim->Status(id).state, ProcessState::kRunning);
  sim->RunUntilIdle();
  EXPECT_EQ(log, (std::vector<Time>{0, 5000}));
  EXPECT_EQ(sim->Status(id).state, ProcessState::kExited);
}

struct SpawnLog {
  std::vector<std::string> events;
  Time child_started_at = -1;
  std::optional<ProcessId> found;
  ProcessId spawned = kNoProcess;
};

asio::awaitable<void> Child(Process& self, SpawnLog* log) {
  log->events.push_back("child runs");
  log->child_started_at = self.Now();
  co_return;
}

asio::awaitable<void> Parent(Process& self, SpawnLog* log) {
  co_await self.Sleep(700);
  absl::StatusOr<ProcessId> child = self.Spawn(
      {.name = "child", .ce = self.ce(), .main = [log](Process& c) { return Child(c, log); }});
  EXPECT_TRUE(child.ok()) << child.status();
  log->spawned = child.value_or(kNoProcess);
  log->events.push_back("parent continues");
  log->found = self.FindProcess("child");
  co_await self.Sleep(1);
  log->events.push_back("parent resumes");
}

TEST(ProcessLifecycleTest, SpawnedChildStartsAtCurrentTimeAfterParentSuspends) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  SpawnLog log;
  MustSpawn(*sim, "parent", "r0/ce0", [&log](Process& self) { return Parent(self, &log); });
  sim->RunUntilIdle();
  EXPECT_EQ(log.events,
            (std::vector<std::string>{"parent continues", "child runs", "parent resumes"}));
  EXPECT_EQ(log.child_started_at, 700);
  EXPECT_EQ(log.found, log.spawned);
  EXPECT_EQ(sim->Status(log.spawned).state, ProcessState::kExited);
}

asio::awaitable<void> Introspect(Process& self, std::vector<std::string>* out) {
  out->push_back(self.name());
  out->push_back(self.topology().ce(self.ce()).name);
  out->push_back(self.mode() == Mode::kExposed ? "exposed" : "transparent");
  co_return;
}

TEST(ProcessLifecycleTest, ProcessSeesItsNameCeAndMode) {
  std::unique_ptr<Simulation> sim = CreateSimulation("mode: TRANSPARENT");
  ASSERT_NE(sim, nullptr);
  std::vector<std::string> seen;
  MustSpawn(*sim, "looker", "r1/ce2", [&seen](Process& self) { return Introspect(self, &seen); });
  sim->RunUntilIdle();
  EXPECT_EQ(seen, (std::vector<std::string>{"looker", "r1/ce2", "transparent"}));
  EXPECT_EQ(sim->mode(), Mode::kTransparent);
}

// ---------------------------------------------------------------------------------------------
// Metrics and trace output.

TEST(OutputTest, MetricsCsvHasAHeaderAndOneRowPerMetric) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  std::vector<Arrival> arrivals;
  const ProcessId sink = MustSpawn(*sim, "sink", "r0/ce1", [&arrivals](Process& self) {
    return RecordArrivals(self, &arrivals);
  });
  MustSpawn(*sim, "source", "r0/ce0", [sink](Process& self) {
    return simtest::SendEvery(self, sink, /*start=*/0, /*interval=*/1000, /*count=*/3);
  });
  sim->RunUntilIdle();
  const std::string csv = sim->MetricsCsv();
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "metric,value");
  EXPECT_EQ(MetricValue(csv, "messages_sent"), 3);
  EXPECT_EQ(MetricValue(csv, "messages_delivered"), 3);
  EXPECT_EQ(MetricValue(csv, "bytes_delivered"), 3 * 2);  // each Blob carries only its seq
  EXPECT_EQ(MetricValue(csv, "virtual_time_ns"), sim->Now());
  EXPECT_EQ(MetricValue(csv, "events"), static_cast<int64_t>(sim->events_run()));
  // Links that carried nothing are left out.
  EXPECT_EQ(MetricValue(csv, "r1/ce0:nic-tx.bytes"), std::nullopt);
}

TEST(OutputTest, TraceRecordsProcessesMessagesAndCrashes) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessId echo = MustSpawn(*sim, "echo-process", "r0/ce1", Echo);
  MustSpawn(*sim, "source", "r0/ce0", [echo](Process& self) {
    return simtest::SendEvery(self, echo, /*start=*/0, /*interval=*/1000, /*count=*/1);
  });
  ASSERT_TRUE(sim->CrashCe(CeNamed(*sim, "r0/ce1"), 5000).ok());
  sim->RunUntilIdle();
  const std::string trace = sim->TraceJson();
  EXPECT_EQ(trace.front(), '{');
  EXPECT_NE(trace.find("echo-process"), std::string::npos);
  EXPECT_NE(trace.find("\"name\":\"Blob\""), std::string::npos) << "message spans";
  EXPECT_NE(trace.find("\"name\":\"crash\""), std::string::npos);
}

// RunSinkWorkload sends `count` messages from r0/ce0 to a recording sink on r0/ce1.
std::unique_ptr<Simulation> RunSinkWorkload(absl::string_view config_text, int count) {
  std::unique_ptr<Simulation> sim = CreateSimulation(config_text);
  if (sim == nullptr) return nullptr;
  const ProcessId sink = MustSpawn(*sim, "sink-process", "r0/ce1", [](Process& self) {
    return simtest::RecordArrivals(self, nullptr);
  });
  MustSpawn(*sim, "source", "r0/ce0", [sink, count](Process& self) {
    return simtest::SendEvery(self, sink, /*start=*/0, /*interval=*/1000, count);
  });
  sim->RunUntilIdle();
  return sim;
}

TEST(OutputTest, TraceStopsRecordingAtMaxEventsAndCountsTheRest) {
  std::unique_ptr<Simulation> sim = RunSinkWorkload("trace { max_events: 5 }", 40);
  ASSERT_NE(sim, nullptr);
  const std::optional<int64_t> dropped = MetricValue(sim->MetricsCsv(), "trace_events_dropped");
  ASSERT_TRUE(dropped.has_value());
  EXPECT_GE(*dropped, 40 - 5);  // 40 message spans alone
  EXPECT_NE(sim->TraceJson().find("\"dropped_events\":" + std::to_string(*dropped)),
            std::string::npos);
}

TEST(OutputTest, DisabledTraceRecordsNothing) {
  std::unique_ptr<Simulation> sim = RunSinkWorkload("trace { enabled: false }", 3);
  ASSERT_NE(sim, nullptr);
  EXPECT_EQ(sim->TraceJson().find("sink-process"), std::string::npos);
  EXPECT_EQ(sim->TraceJson().find("\"name\":\"Blob\""), std::string::npos);
  EXPECT_EQ(MetricValue(sim->MetricsCsv(), "messages_delivered"), 3);
}

// ---------------------------------------------------------------------------------------------
// Bad programmatic input.

asio::awaitable<void> Idle(Process&) { co_return; }

TEST(SimulationErrorsTest, CreateRejectsAnInvalidConfig) {
  PlatformConfig config = DefaultConfig();
  config.mutable_cost_model()->set_nic_bandwidth_gbps(-1);
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(config, 1);
  EXPECT_EQ(sim.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(sim.status().message()).find("cost_model.nic_bandwidth_gbps"),
            std::string::npos)
      << sim.status();
}

TEST(SimulationErrorsTest, CreateResolvesAnUnresolvedConfig) {
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(PlatformConfig(), 3);
  ASSERT_TRUE(sim.ok()) << sim.status();
  EXPECT_EQ((*sim)->topology().ces().size(), 8u);
  EXPECT_EQ((*sim)->seed(), 3u);
}

TEST(SimulationErrorsTest, SpawnRejectsDuplicateName) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  MustSpawn(*sim, "twin", "r0/ce0", Idle);
  absl::StatusOr<ProcessId> again =
      sim->Spawn({.name = "twin", .ce = CeNamed(*sim, "r0/ce1"), .main = Idle});
  EXPECT_EQ(again.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(again.status().message()).find("twin"), std::string::npos);
  EXPECT_EQ(sim->metrics().processes_spawned, 1u);
}

TEST(SimulationErrorsTest, SpawnRejectsEmptyName) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  EXPECT_EQ(sim->Spawn({.name = "", .ce = CeNamed(*sim, "r0/ce0"), .main = Idle}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SimulationErrorsTest, SpawnRejectsEmptyMain) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const absl::StatusOr<ProcessId> id =
      sim->Spawn({.name = "nobody", .ce = CeNamed(*sim, "r0/ce0"), .main = ProcessMain()});
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SimulationErrorsTest, SpawnRejectsUnknownCe) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  EXPECT_EQ(sim->Spawn({.name = "lost", .ce = CeId{8}, .main = Idle}).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(SimulationErrorsTest, FaultsRejectTimesInThePast) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  sim->RunUntil(1000);
  const CeId ce = CeNamed(*sim, "r0/ce0");
  EXPECT_EQ(sim->CrashCe(ce, 999).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sim->RestartCe(ce, 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sim->SlowCe(ce, 2.0, 500).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sim->Partition("r0", "r1", 10, 5000).code(), absl::StatusCode::kInvalidArgument);
  // Now itself is not in the past.
  EXPECT_TRUE(sim->CrashCe(ce, 1000).ok());
}

TEST(SimulationErrorsTest, FaultsRejectUnknownCe) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  EXPECT_EQ(sim->CrashCe(CeId{8}, 0).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sim->RestartCe(CeId{8}, 0).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sim->SlowCe(CeId{8}, 2.0, 0).code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(sim->CeAlive(CeId{8}));
}

TEST(SimulationErrorsTest, SlowCeRejectsNonPositiveFactor) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const CeId ce = CeNamed(*sim, "r0/ce0");
  EXPECT_EQ(sim->SlowCe(ce, 0.0, 0).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sim->SlowCe(ce, -2.0, 0).code(), absl::StatusCode::kInvalidArgument);
}

TEST(SimulationErrorsTest, PartitionRejectsUnknownEndpointsAndReversedWindow) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const absl::Status unknown = sim->Partition("r0", "r7", 0, 100);
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(unknown.message()).find("r7"), std::string::npos) << unknown;
  EXPECT_EQ(sim->Partition("r0/ce9", "r1", 0, 100).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(sim->Partition("r0", "r1", 200, 100).code(), absl::StatusCode::kInvalidArgument);
}

TEST(SimulationErrorsTest, CeForRoleUsesPlacementThenFallback) {
  std::unique_ptr<Simulation> sim =
      CreateSimulation(R"pb(placements { process: "ping" ce: "r1/ce3" })pb");
  ASSERT_NE(sim, nullptr);
  EXPECT_EQ(sim->CeForRole("ping", "r0/ce0").value_or(CeId{99}), CeNamed(*sim, "r1/ce3"));
  EXPECT_EQ(sim->CeForRole("pong", "r0/ce2").value_or(CeId{99}), CeNamed(*sim, "r0/ce2"));
  EXPECT_EQ(sim->CeForRole("pong", "r5/ce0").status().code(), absl::StatusCode::kNotFound);
}

struct SendResults {
  absl::Status to_unknown;
  absl::Status null_message;
};

asio::awaitable<void> SendBadly(Process& self, SendResults* results) {
  results->to_unknown = self.Send(ProcessId{999}, Blob());
  results->null_message = self.SendShared(self.id(), nullptr);
  co_return;
}

TEST(SimulationErrorsTest, SendToUnknownProcessIsNotFound) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  SendResults results;
  MustSpawn(*sim, "sender", "r0/ce0",
            [&results](Process& self) { return SendBadly(self, &results); });
  sim->RunUntilIdle();
  EXPECT_EQ(results.to_unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(results.null_message.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sim->metrics().messages_sent, 0u);
}

TEST(SimulationErrorsTest, StatusOfUnknownProcessIsReportedNotCrashed) {
  std::unique_ptr<Simulation> sim = CreateSimulation();
  ASSERT_NE(sim, nullptr);
  const ProcessStatus status = sim->Status(ProcessId{42});
  EXPECT_EQ(status.state, ProcessState::kFailed);
  EXPECT_FALSE(status.error.empty());
}

}  // namespace
}  // namespace ddc
