// The primary-backup counter keeps its promise in both modes: across a crash of the primary, no
// acknowledged increment is lost and none is applied twice; the exposed backup learns of the
// crash from the rack monitor, the transparent one from its heartbeat timeout; runs are
// reproducible and both modes draw the same workload; and mistakes fail loudly.
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "examples/primary_backup/check.h"
#include "examples/primary_backup/launch.h"
#include "examples/primary_backup/outcome.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "platform/config.h"
#include "platform/cost_model.h"
#include "platform/simulation.h"

namespace ddc::primary_backup {
namespace {

using ::testing::HasSubstr;

constexpr Time kCrashAt = Milliseconds(1);

// Scenario is one run: a mode, and by default a crash of the primary's CE at kCrashAt.
struct Scenario {
  explicit Scenario(Mode m) : mode(m) {}
  Scenario& NoCrash() { return crash_at.reset(), *this; }
  Scenario& CrashAt(Time at) { return crash_at = at, *this; }
  // PauseFor pauses the primary's CE at kCrashAt instead of crashing it.
  Scenario& PauseFor(Duration d) { return crash_at.reset(), pause_for = d, *this; }
  Scenario& Config(std::string text) { return config_text = std::move(text), *this; }
  Scenario& Increments(int n) { return options.increments = n, *this; }
  Scenario& Seed(uint64_t s) { return seed = s, *this; }

  Mode mode;
  std::optional<Time> crash_at = kCrashAt;
  std::optional<Duration> pause_for;
  std::string config_text;  // placements, monitor settings, ...
  Options options;
  uint64_t seed = 1;
};

struct RunResult {
  Outcome outcome;
  bool finished = false;
  std::vector<ProcessFailure> failures;
  Metrics metrics;
  int64_t stepped_down = 0;  // servers that stepped down (stats counter "stepped_down")
  FailureTimeouts replica_timeouts;
  int64_t monitor_interval = 0;
};

// RunScenario runs the counter once; failures to build the run are test failures.
RunResult RunScenario(const Scenario& scenario) {
  RunResult run;
  absl::StatusOr<PlatformConfig> config = ParseConfig(scenario.config_text);
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return run;
  config->set_mode(scenario.mode == Mode::kExposed ? config::PlatformConfig::EXPOSED
                                                   : config::PlatformConfig::TRANSPARENT);
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(*config, scenario.seed);
  EXPECT_TRUE(sim.ok()) << sim.status();
  if (!sim.ok()) return run;
  (*sim)->SetLog(nullptr);  // failures are checked by the tests that provoke them
  absl::StatusOr<Deployment> service = Launch(**sim, scenario.options, &run.outcome);
  EXPECT_TRUE(service.ok()) << service.status();
  if (!service.ok()) return run;
  if (scenario.pause_for) {
    EXPECT_TRUE((*sim)->PauseCe(service->primary_ce, *scenario.pause_for, kCrashAt).ok());
  }
  if (scenario.crash_at) {
    EXPECT_TRUE((*sim)->CrashCe(service->primary_ce, *scenario.crash_at).ok());
  }
  run.finished = (*sim)->RunUntil([&run] { return run.outcome.client.finished; }, Seconds(1));
  run.failures = (*sim)->ProcessFailures();
  for (const auto& [key, counter] : (*sim)->stats().counters()) {
    if (key.name == "stepped_down") run.stepped_down += counter.value();
  }
  run.metrics = (*sim)->metrics();
  run.replica_timeouts = CostModel(config->cost_model()).AggressiveTimeouts(true, 24);
  run.monitor_interval = config->monitor().heartbeat_interval_ns();
  return run;
}

std::string Failures(const RunResult& run) {
  std::string out;
  for (const ProcessFailure& f : run.failures)
    absl::StrAppend(&out, f.process, ": ", f.error, "\n");
  return out;
}

// ExpectExactlyOnce checks a run that should have gone well.
void ExpectExactlyOnce(const RunResult& run, int increments) {
  ASSERT_TRUE(run.failures.empty()) << Failures(run);
  ASSERT_TRUE(run.finished);
  const ClientReport& client = run.outcome.client;
  EXPECT_TRUE(CheckExactlyOnce(client).ok()) << CheckExactlyOnce(client);
  const Verdict verdict = Judge(client);
  EXPECT_EQ(verdict.lost_acked_increments, 0);
  EXPECT_EQ(verdict.applied_twice, 0);
  ASSERT_EQ(client.acks.size(), static_cast<size_t>(increments));
  ASSERT_TRUE(client.final_state.has_value());
  EXPECT_EQ(client.final_state->value, static_cast<uint64_t>(increments));
  EXPECT_EQ(client.final_state->last_client_seq, static_cast<uint64_t>(increments));
}

class BothModesTest : public ::testing::TestWithParam<Mode> {};

INSTANTIATE_TEST_SUITE_P(Modes, BothModesTest,
                         ::testing::Values(Mode::kTransparent, Mode::kExposed),
                         [](const auto& info) { return std::string(ModeName(info.param)); });

TEST_P(BothModesTest, ACrashLosesNoAcknowledgedIncrementAndAppliesNoneTwice) {
  const RunResult run = RunScenario(Scenario(GetParam()));
  ExpectExactlyOnce(run, Options().increments);
  EXPECT_TRUE(run.outcome.takeover.serving_at.has_value());
  EXPECT_FALSE(run.outcome.client.failed_calls.empty()) << "the crash went unnoticed";
}

TEST_P(BothModesTest, WithoutACrashNothingFailsOverAndEveryCallSucceedsFirstTime) {
  const RunResult run = RunScenario(Scenario(GetParam()).NoCrash());
  ExpectExactlyOnce(run, Options().increments);
  EXPECT_FALSE(run.outcome.takeover.detected_at.has_value());
  EXPECT_TRUE(run.outcome.client.failed_calls.empty());
  EXPECT_EQ(run.metrics.steals, 0u);
}

// Crashes at many points of an increment's life (receiving, storing, flushing or replicating,
// replying, between increments): the retry is applied once, whatever the primary had done.
TEST_P(BothModesTest, CrashesAtAnyPointKeepExactlyOnce) {
  for (Time crash_at = kCrashAt; crash_at < kCrashAt + Microseconds(30);
       crash_at += Nanoseconds(700)) {
    SCOPED_TRACE(absl::StrCat("crash at ", crash_at, " ns"));
    const RunResult run = RunScenario(Scenario(GetParam()).CrashAt(crash_at).Increments(60));
    ExpectExactlyOnce(run, 60);
  }
}

// A pause is not a crash, but a backup cannot always tell. Transparent: the backup takes over
// after its timeout, and the old primary, when it wakes, gets no replication acknowledgement, so
// it steps down without acknowledging. Exposed: a pause shorter than the monitor's verdict only
// delays the client; a longer one gets a death verdict, the standby steals the pages, and the
// woken primary (a "zombie") finds its memory refused and steps down too.
TEST_P(BothModesTest, APausedPrimaryNeverAcknowledgesBehindTheBackupsBack) {
  const bool exposed = GetParam() == Mode::kExposed;
  for (Duration pause : {Microseconds(200), Milliseconds(12)}) {
    SCOPED_TRACE(absl::StrCat("pause of ", pause, " ns"));
    // Enough increments that the client is still busy when the primary wakes up.
    const RunResult run = RunScenario(Scenario(GetParam()).PauseFor(pause).Increments(800));
    ExpectExactlyOnce(run, 800);
    // The monitor declares a CE dead only after 5 missed beats of 2 ms.
    const bool taken_over = !exposed || pause > Milliseconds(10);
    EXPECT_EQ(run.outcome.takeover.serving_at.has_value(), taken_over);
    EXPECT_EQ(run.stepped_down, taken_over ? 1 : 0);
  }
}

TEST(DetectionTest, ExposedLearnsFromTheRackMonitorAndSteals) {
  const RunResult run = RunScenario(Scenario(Mode::kExposed));
  ASSERT_TRUE(run.failures.empty()) << Failures(run);
  ASSERT_TRUE(run.outcome.takeover.detected_at.has_value());
  // 5 missed beats of 2 ms: the verdict comes 8 to 10 ms after a crash, plus the reply that is
  // overdue (one RTT) and the notice's hop from the ToR.
  const Duration detection = *run.outcome.takeover.detected_at - kCrashAt;
  EXPECT_GE(detection, 4 * run.monitor_interval);
  EXPECT_LE(detection, 5 * run.monitor_interval + Microseconds(5));
  EXPECT_EQ(run.metrics.monitor_detections, 1u);
  EXPECT_EQ(run.metrics.death_notices, 1u);
  EXPECT_EQ(run.metrics.steals, 1u);
}

TEST(DetectionTest, ExposedClientSeesOneResetThenTheSameIdAnswers) {
  const RunResult run = RunScenario(Scenario(Mode::kExposed));
  ASSERT_TRUE(run.failures.empty()) << Failures(run);
  const ClientReport& client = run.outcome.client;
  ASSERT_EQ(client.failed_calls.size(), 1u);
  const FailedCall& failed = client.failed_calls[0];
  EXPECT_EQ(failed.target, Role::kPrimary);
  EXPECT_EQ(failed.code, absl::StatusCode::kUnavailable);  // reset when the id moved
  for (const Ack& ack : client.acks) EXPECT_EQ(ack.target, Role::kPrimary);
  // The call was reset by the steal, after the monitor's notice.
  EXPECT_GT(failed.failed_at, *run.outcome.takeover.detected_at);
}

TEST(DetectionTest, TransparentSuspectsAfterTheFairTimeoutAndFailsOverToTheBackup) {
  const RunResult run = RunScenario(Scenario(Mode::kTransparent));
  ASSERT_TRUE(run.failures.empty()) << Failures(run);
  ASSERT_TRUE(run.outcome.takeover.detected_at.has_value());
  // The last heartbeat left at most one interval before the crash; suspicion comes one failure
  // timeout after it arrived.
  const FailureTimeouts& t = run.replica_timeouts;
  const Duration detection = *run.outcome.takeover.detected_at - kCrashAt;
  EXPECT_GE(detection, t.failure_timeout - t.heartbeat_interval);
  EXPECT_LE(detection, t.failure_timeout + t.heartbeat_interval);
  EXPECT_EQ(run.metrics.steals, 0u);
  EXPECT_EQ(run.metrics.death_notices, 0u);
  // After the failover, the backup's id answers.
  const ClientReport& client = run.outcome.client;
  ASSERT_FALSE(client.failed_calls.empty());
  EXPECT_EQ(client.failed_calls[0].target, Role::kPrimary);
  EXPECT_EQ(client.acks.back().target, Role::kBackup);
}

TEST(DetectionTest, WithDefaultSettingsTheTimeoutDetectsFasterThanTheMonitor) {
  const RunResult transparent = RunScenario(Scenario(Mode::kTransparent));
  const RunResult exposed = RunScenario(Scenario(Mode::kExposed));
  ASSERT_TRUE(transparent.outcome.takeover.detected_at && exposed.outcome.takeover.detected_at);
  EXPECT_LT(*transparent.outcome.takeover.detected_at, *exposed.outcome.takeover.detected_at);
  // And exposed mode acknowledges sooner while the primary lives: no replication round trip.
  EXPECT_LT(exposed.outcome.client.acks[1].wait(), transparent.outcome.client.acks[1].wait());
}

TEST(WorkloadTest, BothModesDrawTheSameThinkTimes) {
  const RunResult transparent = RunScenario(Scenario(Mode::kTransparent));
  const RunResult exposed = RunScenario(Scenario(Mode::kExposed));
  const std::vector<Ack>& a = transparent.outcome.client.acks;
  const std::vector<Ack>& b = exposed.outcome.client.acks;
  ASSERT_EQ(a.size(), b.size());
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a[0].first_sent_at, b[0].first_sent_at);
  for (size_t i = 1; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first_sent_at - a[i - 1].acked_at, b[i].first_sent_at - b[i - 1].acked_at)
        << "think time before increment " << a[i].seq;
  }
}

TEST(WorkloadTest, TheSameSeedGivesTheSameRunAndAnotherSeedAnother) {
  for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
    const RunResult first = RunScenario(Scenario(mode).Seed(7));
    const RunResult again = RunScenario(Scenario(mode).Seed(7));
    const RunResult other = RunScenario(Scenario(mode).Seed(8));
    ASSERT_EQ(first.outcome.client.acks.size(), again.outcome.client.acks.size());
    for (size_t i = 0; i < first.outcome.client.acks.size(); ++i) {
      EXPECT_EQ(first.outcome.client.acks[i].acked_at, again.outcome.client.acks[i].acked_at);
    }
    EXPECT_EQ(first.outcome.takeover.serving_at, again.outcome.takeover.serving_at);
    EXPECT_NE(first.outcome.client.acks.back().acked_at, other.outcome.client.acks.back().acked_at);
  }
}

constexpr char kBackupInRack1[] = "placements { process: \"backup\" ce: \"r1/ce0\" }";

// A standby must share the primary's rack: the rack monitor watches one rack, and a steal moves
// pages within one. Placing it elsewhere is a mistake that fails loudly, naming the process.
TEST(MistakeTest, AStandbyInAnotherRackFailsLoudly) {
  const RunResult run = RunScenario(Scenario(Mode::kExposed).Config(kBackupInRack1));
  ASSERT_EQ(run.failures.size(), 1u);
  EXPECT_EQ(run.failures[0].process, "backup");
  EXPECT_THAT(run.failures[0].error, HasSubstr("another rack"));
}

TEST(MistakeTest, TransparentModeReplicatesAcrossRacksWithCrossRackTimeouts) {
  const RunResult run = RunScenario(Scenario(Mode::kTransparent).Config(kBackupInRack1));
  ExpectExactlyOnce(run, Options().increments);
}

// The checks themselves can fail: reports of broken services are rejected.
ClientReport GoodReport(int increments) {
  ClientReport report;
  for (int i = 1; i <= increments; ++i) {
    report.acks.push_back({.seq = static_cast<uint64_t>(i), .value = static_cast<uint64_t>(i)});
  }
  report.last_sent_seq = increments;
  report.final_state = CounterState{.value = static_cast<uint64_t>(increments),
                                    .last_client_seq = static_cast<uint64_t>(increments)};
  report.finished = true;
  return report;
}

TEST(CheckTest, AcceptsACorrectReport) {
  EXPECT_TRUE(CheckExactlyOnce(GoodReport(5)).ok());
  // The last increment applied but never acknowledged (the client stopped waiting).
  ClientReport unacked_last = GoodReport(5);
  unacked_last.acks.pop_back();
  EXPECT_TRUE(CheckExactlyOnce(unacked_last).ok()) << CheckExactlyOnce(unacked_last);
}

// WithAckValue is a correct report in which increment `seq` was acknowledged with `value`.
ClientReport WithAckValue(uint64_t seq, uint64_t value) {
  ClientReport report = GoodReport(5);
  report.acks[seq - 1].value = value;
  return report;
}

// WithFinalValue is a correct report whose final state holds `value`.
ClientReport WithFinalValue(uint64_t value) {
  ClientReport report = GoodReport(5);
  report.final_state = CounterState{.value = value, .last_client_seq = value};
  return report;
}

// ExpectRejected checks that CheckExactlyOnce refuses `report` saying `why`, and what Judge counts.
void ExpectRejected(const ClientReport& report, const std::string& why, int64_t lost,
                    int64_t applied_twice) {
  EXPECT_THAT(std::string(CheckExactlyOnce(report).message()), HasSubstr(why));
  const Verdict verdict = Judge(report);
  EXPECT_EQ(verdict.lost_acked_increments, lost);
  EXPECT_EQ(verdict.applied_twice, applied_twice);
}

TEST(CheckTest, RejectsALostAcknowledgedIncrement) {
  ExpectRejected(WithAckValue(4, 3), "lost", 1, 0);  // acknowledged with the value before it
  ExpectRejected(WithFinalValue(4), "lost", 1, 0);   // the final state misses increment 5
}

TEST(CheckTest, RejectsAnIncrementAppliedTwice) {
  ExpectRejected(WithAckValue(3, 4), "twice", 0, 1);
  ExpectRejected(WithFinalValue(6), "twice", 0, 1);  // 6 applied, 5 sent
}

TEST(CheckTest, RejectsAnUnfinishedRun) {
  ClientReport report = GoodReport(5);
  report.final_state.reset();
  EXPECT_THAT(CheckExactlyOnce(report).message(), HasSubstr("did not finish"));
}

}  // namespace
}  // namespace ddc::primary_backup
