#include "harness/check/kvstore_target.h"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "harness/check/swarm.h"
#include "kvstore/slot.h"

namespace ddc::check {
namespace {

using lincheck::Operation;
using lincheck::OpType;
using lincheck::Outcome;

constexpr int kUnitSeeds = 24;

bool Has(const RunReport& report, const std::string& invariant) {
  for (const Violation& v : report.violations) {
    if (v.invariant == invariant) return true;
  }
  return false;
}
bool Has(const std::vector<Violation>& violations, const std::string& invariant) {
  RunReport report;
  report.violations = violations;
  return Has(report, invariant);
}

std::string Describe(const RunReport& report) {
  std::string out;
  for (const Violation& v : report.violations) out += v.invariant + ": " + v.detail + "\n";
  return out;
}

void SetOption(Scenario& scenario, const std::string& name, const std::string& value) {
  for (auto& [n, v] : scenario.options) {
    if (n == name) v = value;
  }
}

// (1) A few dozen seeds in both modes hold every invariant, and every fault kind the target
// draws fires in some of them.
TEST(KvstoreTargetTest, SeedsHoldEveryInvariantInBothModes) {
  KvstoreTarget target;
  std::map<std::string, int64_t> faults;
  int64_t liveness = 0;
  for (uint64_t seed = 0; seed < kUnitSeeds; ++seed) {
    absl::StatusOr<Scenario> scenario = target.Draw(seed);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> report = target.Run(*scenario, mode);
      ASSERT_TRUE(report.ok()) << "seed " << seed << ": " << report.status();
      EXPECT_TRUE(report->violations.empty()) << "seed " << seed << " " << ModeName(mode) << ":\n"
                                              << Describe(*report);
      for (const auto& [kind, n] : report->faults_injected) faults[kind] += n;
      liveness += report->liveness_operations;
    }
  }
  for (const char* kind : {kCeCrash, kCePause, kCeSlow, kMessageFault, kPartition}) {
    EXPECT_GT(faults[kind], 0) << kind << " never fired";
  }
  EXPECT_EQ(faults[kMeFailure], 0);  // the plan leaves MEs out
  EXPECT_GT(liveness, 0);
}

// (2) A run is a function of (scenario, mode); a draw is a function of the seed.
TEST(KvstoreTargetTest, SameScenarioGivesTheSameReport) {
  KvstoreTarget target;
  for (uint64_t seed : {0, 5}) {
    absl::StatusOr<Scenario> a = target.Draw(seed);
    absl::StatusOr<Scenario> b = target.Draw(seed);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->config.SerializeAsString(), b->config.SerializeAsString());
    EXPECT_EQ(a->options, b->options);
    EXPECT_EQ(a->safety_end, b->safety_end);
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> first = target.Run(*a, mode);
      absl::StatusOr<RunReport> second = target.Run(*a, mode);
      ASSERT_TRUE(first.ok() && second.ok());
      EXPECT_EQ(first->safety_operations, second->safety_operations);
      EXPECT_EQ(first->liveness_operations, second->liveness_operations);
      EXPECT_EQ(first->faults_injected, second->faults_injected);
      EXPECT_EQ(Describe(*first), Describe(*second));
    }
  }
  absl::StatusOr<Scenario> other = target.Draw(4);
  absl::StatusOr<Scenario> again = target.Draw(3);
  ASSERT_TRUE(other.ok() && again.ok());
  EXPECT_NE(other->options, again->options);
}

TEST(KvstoreTargetTest, OptionsRoundTripAndBadOptionsAreNamed) {
  KvKnobs knobs;
  knobs.crash_after_rebalance = Milliseconds(3);
  absl::StatusOr<KvKnobs> back = KvKnobsFromOptions(KvKnobsToOptions(knobs));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(KvKnobsToOptions(*back), KvKnobsToOptions(knobs));

  auto options = KvKnobsToOptions(knobs);
  options[0].second = "many";
  absl::StatusOr<KvKnobs> bad = KvKnobsFromOptions(options);
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_NE(bad.status().message().find("records"), std::string::npos) << bad.status();
  options = KvKnobsToOptions(knobs);
  options.pop_back();
  bad = KvKnobsFromOptions(options);
  EXPECT_NE(bad.status().message().find("crash_during_rebalance is missing"), std::string::npos);
  knobs.crash_during_rebalance = Milliseconds(1);  // at most one crash
  EXPECT_TRUE(absl::IsInvalidArgument(KvKnobsFromOptions(KvKnobsToOptions(knobs)).status()));
  knobs.crash_during_rebalance.reset();
  options = KvKnobsToOptions(knobs);
  for (auto& [name, value] : options) {
    if (name == "copy_method") value = "GRANT";  // the exposed run's method, never drawn
  }
  EXPECT_TRUE(absl::IsInvalidArgument(KvKnobsFromOptions(options).status()));

  KvstoreTarget target;
  absl::StatusOr<Scenario> scenario = target.Draw(1);
  ASSERT_TRUE(scenario.ok());
  SetOption(*scenario, "mix", "E");
  EXPECT_TRUE(absl::IsInvalidArgument(target.Run(*scenario, Mode::kExposed).status()));
}

// (3) The checker can fail: each invariant's function, fed a tampered record, reports it.

Operation Op(int64_t id, int64_t client, OpType type, const std::string& value, Time call, Time ret,
             Outcome outcome = Outcome::kOk) {
  Operation op;
  op.id = id;
  op.client = client;
  op.input.type = type;
  op.input.key = "k";
  if (type == OpType::kPut) op.input.value = value;
  op.output.outcome = outcome;
  if (type == OpType::kGet && outcome == Outcome::kOk) op.output.value = value;
  op.call = call;
  op.ret = outcome == Outcome::kUnknown ? kInfiniteTime : ret;
  return op;
}

constexpr int64_t kReader = 9;

TEST(KvstoreTargetTest, LostWriteIsReported) {
  // preload v0, acknowledged put v1, then the final read returns v0: v1 was lost.
  std::vector<Operation> history = {Op(0, -1, OpType::kPut, "v0", 0, 0),
                                    Op(1, 0, OpType::kPut, "v1", 10, 20),
                                    Op(2, kReader, OpType::kGet, "v0", 30, 40)};
  EXPECT_TRUE(Has(CheckNoLostWrite(history, kReader), "no acknowledged write lost"));
  EXPECT_TRUE(Has(CheckNoStaleRead(history), "no stale read"));
  // The same read returning v1, or an unknown put of v0 after v1 that may have won: no loss.
  history[2].output.value = "v1";
  EXPECT_TRUE(CheckNoLostWrite(history, kReader).empty());
  EXPECT_TRUE(CheckNoStaleRead(history).empty());
  history[2].output.value = "v0";
  history.push_back(Op(3, 1, OpType::kPut, "v0", 25, 0, Outcome::kUnknown));
  EXPECT_TRUE(CheckNoLostWrite(history, kReader).empty());
  // A preloaded key the final read does not find.
  std::vector<Operation> missing = {Op(0, -1, OpType::kPut, "v0", 0, 0),
                                    Op(1, kReader, OpType::kGet, "", 30, 40, Outcome::kNotFound)};
  EXPECT_TRUE(Has(CheckNoLostWrite(missing, kReader), "no acknowledged write lost"));
}

TEST(KvstoreTargetTest, StaleReadIsReported) {
  // A client read during the run returns the preload after v1 was acknowledged; the final read
  // is right, so nothing is lost, but the read was stale.
  std::vector<Operation> history = {
      Op(0, -1, OpType::kPut, "v0", 0, 0), Op(1, 0, OpType::kPut, "v1", 10, 20),
      Op(2, 1, OpType::kGet, "v0", 25, 28), Op(3, kReader, OpType::kGet, "v1", 30, 40)};
  EXPECT_TRUE(CheckNoLostWrite(history, kReader).empty());
  EXPECT_TRUE(Has(CheckNoStaleRead(history), "no stale read"));
  history[2].output.value = "v1";
  EXPECT_TRUE(CheckNoStaleRead(history).empty());
  // A read of a value nobody wrote is never explained either.
  history[2].output.value = "garbage";
  EXPECT_TRUE(Has(CheckNoStaleRead(history), "no stale read"));
}

TEST(KvstoreTargetTest, TwoOwnersAtOneEpochAreReported) {
  kvstore::ClusterObserver observer;
  observer.RecordOwnership(7, 2, ProcessId{1});
  observer.RecordOwnership(7, 3, ProcessId{2});
  EXPECT_TRUE(CheckOneOwnerPerEpoch(observer).empty());
  observer.RecordOwnership(7, 3, ProcessId{1});  // another shard, same epoch
  EXPECT_TRUE(Has(CheckOneOwnerPerEpoch(observer), "one owner per slot per epoch"));
}

TEST(KvstoreTargetTest, NoProgressIsReported) {
  const Time safety_end = 100;
  const Time liveness_end = 200;
  std::vector<Operation> history = {Op(0, -1, OpType::kPut, "v0", 0, 0),
                                    Op(1, 0, OpType::kPut, "v1", 10, 20),
                                    Op(2, kReader, OpType::kGet, "v1", 150, 160)};
  EXPECT_TRUE(CheckProgress(history, kReader, safety_end, liveness_end, {}).empty());
  // Nothing completes in the liveness phase.
  history[2].call = 250;
  history[2].ret = 260;
  EXPECT_TRUE(Has(CheckProgress(history, kReader, safety_end, liveness_end, {}), "progress"));
  // A final read that gets no answer, unless its slot is one the mode is documented to lose.
  history[2] = Op(2, kReader, OpType::kGet, "", 150, 0, Outcome::kUnknown);
  history.push_back(Op(3, 0, OpType::kGet, "v1", 150, 160));
  EXPECT_TRUE(Has(CheckProgress(history, kReader, safety_end, liveness_end, {}), "progress"));
  EXPECT_TRUE(
      CheckProgress(history, kReader, safety_end, liveness_end, {kvstore::KeySlot("k")}).empty());
}

// Regressions: bugs the campaign found in kvstore/client.cc (docs/checking.md, "## kvstore").

// A client whose table request was lost waited forever: FetchTable called the coordinator with
// an infinite deadline. Found by seed 23 of the first draw (before faults began at 10 ms), whose
// scenario this replays: a partition between the client's CE and the coordinator's during the
// rebalancing stranded the client, and the run never finished.
TEST(KvstoreTargetTest, RegressionLostTableRequestDoesNotStrandAClient) {
  KvstoreTarget target;
  absl::StatusOr<Scenario> scenario = target.Draw(23);
  ASSERT_TRUE(scenario.ok());
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      R"pb(
        ce_faults { kind: SLOW ce: "r0/ce3" at_ns: 13120261 slowdown: 8.5538969039917 }
        ce_faults { kind: SLOW ce: "r0/ce5" at_ns: 31577902 slowdown: 5.8048954010009766 }
        message_faults {
          start_ns: 21871530
          end_ns: 30993094
          from: "r0/ce5"
          to: "r0/ce2"
          drop_probability: 0.40496206283569336
          duplicate_probability: 0.439241886138916
        }
        message_faults {
          start_ns: 7373127
          end_ns: 21338789
          to: "r0/ce5"
          drop_probability: 0
          duplicate_probability: 0.21940946578979492
          delay_probability: 0.64678192138671875
          delay_ns: 3535683
        }
        partitions { a: "r0/ce5" b: "r0/ce2" at_ns: 12912951 heal_at_ns: 25703989 }
        partitions { a: "r0/ce5" b: "r0/ce4" at_ns: 13342873 heal_at_ns: 26400947 }
      )pb",
      scenario->config.mutable_faults()));
  KvKnobs knobs;
  knobs.records = 309;
  knobs.value_bytes = 249;
  knobs.clients = 3;
  knobs.mix = kvstore::YcsbMix::kA;
  knobs.open_loop = true;
  knobs.rate_per_s = 38951;
  knobs.outstanding = 3;
  knobs.call_timeout = 19568031;
  knobs.plan = kvstore::Plan::kSplit;
  knobs.copy_method = kvstore::SNAPSHOT;
  knobs.keys_per_batch = 9;
  knobs.slots_per_batch = 85;
  knobs.bytes_per_chunk = 170306;
  knobs.warmup = 20698;
  scenario->options = KvKnobsToOptions(knobs);
  scenario->safety_end = 31590006;
  scenario->liveness_end = 63602058;
  for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
    absl::StatusOr<RunReport> report = target.Run(*scenario, mode);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->violations.empty()) << ModeName(mode) << ":\n" << Describe(*report);
  }
}

// After a timeout the client kept its table, so in transparent mode, with shard 0 crashed after a
// scale out, the verifier (whose table predates the rebalancing) kept calling the dead shard for
// slots shard 3 had served for a while: those reads never got an answer.
TEST(KvstoreTargetTest, RegressionTimeoutRefreshesTheTable) {
  KvstoreTarget target;
  absl::StatusOr<Scenario> scenario = target.Draw(26);
  ASSERT_TRUE(scenario.ok());
  SetOption(*scenario, "warmup", "0ns");
  SetOption(*scenario, "plan", "scale-out");
  SetOption(*scenario, "copy_method", "SNAPSHOT");
  SetOption(*scenario, "crash_after_rebalance", "0ns");
  SetOption(*scenario, "crash_during_rebalance", "none");
  scenario->config.mutable_faults()->Clear();
  absl::StatusOr<RunReport> report = target.Run(*scenario, Mode::kTransparent);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->faults_injected[kCeCrash], 1);
  EXPECT_TRUE(report->violations.empty()) << Describe(*report);
}

// Seed 94 (before the plan was narrowed): in exposed mode a pause of shard 0 longer than the rack
// monitor's verdict time, in the middle of a grant migration, let the standby steal shard 0's
// pages and take over. Shard 3 met the stolen identity (UNAVAILABLE, connection reset), failed,
// and the coordinator stopped. This replays that scenario: seed 94's options with shard 0 the
// source (split), and one pause of shard 0's CE during the rebalancing, longer than the verdict
// time, in both modes (transparent: the pause only delays the rebalancing, or abandons its move).
TEST(KvstoreTargetTest, RegressionTakeoverDuringARebalancing) {
  KvstoreTarget target;
  absl::StatusOr<Scenario> scenario = target.Draw(94);
  ASSERT_TRUE(scenario.ok());
  SetOption(*scenario, "plan", "scale-in");
  SetOption(*scenario, "warmup", "8000000ns");  // the store is ready by about 2 ms
  SetOption(*scenario, "slots_per_batch", "16");
  SetOption(*scenario, "crash_after_rebalance", "none");
  SetOption(*scenario, "crash_during_rebalance", "none");
  config::FaultSchedule& faults = *scenario->config.mutable_faults();
  faults.Clear();
  const config::MonitorConfig& monitor = scenario->config.monitor();
  const Duration verdict = monitor.missed_beats() * monitor.heartbeat_interval_ns();
  config::CeFault& pause = *faults.add_ce_faults();
  pause.set_kind(config::CeFault::PAUSE);
  pause.set_ce("r0/ce0");
  pause.set_at_ns(Milliseconds(10) + Microseconds(100));
  pause.set_duration_ns(2 * verdict + Milliseconds(2));
  scenario->safety_end = Milliseconds(10) + 2 * verdict + Milliseconds(20);
  scenario->liveness_end = scenario->safety_end + Milliseconds(30);
  for (Mode mode : {Mode::kExposed, Mode::kTransparent}) {
    absl::StatusOr<RunReport> report = target.Run(*scenario, mode);
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_EQ(report->faults_injected[kCePause], 1);
    EXPECT_TRUE(report->violations.empty()) << ModeName(mode) << ":\n" << Describe(*report);
  }
}

}  // namespace
}  // namespace ddc::check
