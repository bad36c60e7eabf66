// The Paxos check target: seeds in both modes hold every invariant while the drawn faults fire,
// runs are deterministic, and every invariant's check fails on data that breaks it.
#include "harness/check/paxos_target.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/lincheck/history.h"
#include "gtest/gtest.h"
#include "harness/check/swarm.h"

namespace ddc::check {
namespace {

using namespace paxos_invariants;  // NOLINT(build/namespaces): the names under test

std::string Describe(const RunReport& report) {
  std::vector<std::string> lines;
  for (const Violation& v : report.violations) lines.push_back(v.invariant + ": " + v.detail);
  return absl::StrJoin(lines, "\n");
}

std::string Options(const Scenario& scenario) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : scenario.options) parts.push_back(name + "=" + value);
  return absl::StrJoin(parts, " ");
}

// RunSeed runs one seed in one mode and returns its report (failing the test on a violation).
RunReport RunSeed(const CheckTarget& target, uint64_t seed, Mode mode) {
  absl::StatusOr<Scenario> scenario = target.Draw(seed);
  EXPECT_TRUE(scenario.ok()) << seed << ": " << scenario.status();
  if (!scenario.ok()) return {};
  absl::StatusOr<RunReport> report = target.Run(*scenario, mode);
  EXPECT_TRUE(report.ok()) << seed << ": " << report.status();
  if (!report.ok()) return {};
  EXPECT_TRUE(report->violations.empty())
      << "seed " << seed << " " << ModeName(mode) << " (" << Options(*scenario) << "):\n"
      << Describe(*report);
  return *report;
}

TEST(PaxosTarget, SeedsHoldEveryInvariantInBothModes) {
  std::unique_ptr<CheckTarget> target = MakePaxosTarget();
  std::map<std::string, int64_t> faults;
  int64_t liveness = 0;
  const auto start = std::chrono::steady_clock::now();
  constexpr uint64_t kSeeds = 40;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      const RunReport report = RunSeed(*target, seed, mode);
      for (const auto& [kind, n] : report.faults_injected) faults[kind] += n;
      liveness += report.liveness_operations;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("paxos: %llu seeds x 2 modes in %.1f s (%.0f seeds/min per mode pair)\n",
              static_cast<unsigned long long>(kSeeds), seconds, kSeeds * 60 / seconds);
  for (const auto& [kind, n] : faults) std::printf("  %s: %lld\n", kind.c_str(), (long long)n);
  // Every fault kind the target draws fired in some seed.
  for (const char* kind :
       {kCeCrash, kCeRestart, kCePause, kCeSlow, kMeFailure, kMessageFault, kPartition})
    EXPECT_GT(faults[kind], 0) << kind;
  EXPECT_GT(liveness, 0);
}

TEST(PaxosTarget, DrawAndRunAreDeterministic) {
  std::unique_ptr<CheckTarget> target = MakePaxosTarget();
  for (uint64_t seed : {3u, 11u}) {
    absl::StatusOr<Scenario> a = target->Draw(seed);
    absl::StatusOr<Scenario> b = target->Draw(seed);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->config.SerializeAsString(), b->config.SerializeAsString());
    EXPECT_EQ(a->options, b->options);
    EXPECT_EQ(a->safety_end, b->safety_end);
    EXPECT_EQ(a->liveness_end, b->liveness_end);
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> first = target->Run(*a, mode);
      absl::StatusOr<RunReport> second = target->Run(*a, mode);
      ASSERT_TRUE(first.ok() && second.ok());
      EXPECT_EQ(first->safety_operations, second->safety_operations);
      EXPECT_EQ(first->liveness_operations, second->liveness_operations);
      EXPECT_EQ(first->faults_injected, second->faults_injected);
      EXPECT_EQ(Describe(*first), Describe(*second));
    }
  }
  // Different seeds draw different scenarios.
  EXPECT_NE(target->Draw(1)->options, target->Draw(2)->options);
}

TEST(PaxosTarget, RejectsABrokenScenario) {
  std::unique_ptr<CheckTarget> target = MakePaxosTarget();
  absl::StatusOr<Scenario> scenario = target->Draw(5);
  ASSERT_TRUE(scenario.ok());
  Scenario missing = *scenario;
  missing.options.pop_back();
  EXPECT_EQ(target->Run(missing, Mode::kExposed).status().code(),
            absl::StatusCode::kInvalidArgument);
  Scenario bad = *scenario;
  bad.options[0].second = "4";  // replicas
  EXPECT_EQ(target->Run(bad, Mode::kExposed).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---- The checks can fail: each invariant on data that breaks it. ----

bool Has(const std::vector<Violation>& v, const char* invariant) {
  for (const Violation& x : v)
    if (x.invariant == invariant) return true;
  return false;
}

paxos::ReplicaLife Life(int member, uint32_t process) {
  paxos::ReplicaLife life;
  life.member = member;
  life.process = absl::StrCat("p", process);
  life.process_index = process;
  return life;
}

TEST(PaxosInvariants, LinearizableFailsOnAStaleRead) {
  lincheck::HistoryRecorder h;
  auto put = h.Call(1, {.type = lincheck::OpType::kPut, .key = "k", .value = "new"}, 0);
  ASSERT_TRUE(h.Return(put, {}, 10).ok());
  auto get = h.Call(2, {.type = lincheck::OpType::kGet, .key = "k"}, 20);
  ASSERT_TRUE(h.Return(get, {.outcome = lincheck::Outcome::kNotFound}, 30).ok());
  std::vector<Violation> v;
  CheckLinearizable(h.Operations(), v);
  EXPECT_TRUE(Has(v, kLinearizable));
}

TEST(PaxosInvariants, OneValuePerSlotFailsOnTwoValues) {
  paxos::ReplicaLife a = Life(0, 1), b = Life(1, 2);
  a.applied = {{0, 7}, {1, 8}};
  b.applied = {{0, 7}, {1, 8}};
  std::vector<Violation> v;
  CheckOneValuePerSlot({a, b}, v);
  EXPECT_TRUE(v.empty());
  b.applied[1] = 9;
  CheckOneValuePerSlot({a, b}, v);
  EXPECT_TRUE(Has(v, kOneValuePerSlot));
  // A dead life's persisted chosen value counts too.
  v.clear();
  paxos::ReplicaLife dead = Life(2, 3);
  dead.persisted_chosen = {{0, 6}};
  CheckOneValuePerSlot({a, dead}, v);
  EXPECT_TRUE(Has(v, kOneValuePerSlot));
}

TEST(PaxosInvariants, EqualDigestsFailsOnDivergentState) {
  paxos::ReplicaLife a = Life(0, 1), b = Life(1, 2);
  a.digest_at = {{1, 100}, {2, 200}};
  b.digest_at = {{1, 100}};
  std::vector<Violation> v;
  CheckEqualDigests({a, b}, v);
  EXPECT_TRUE(v.empty());
  b.digest_at[2] = 201;
  CheckEqualDigests({a, b}, v);
  EXPECT_TRUE(Has(v, kEqualDigests));
}

TEST(PaxosInvariants, ZombiesFencedFailsOnAnEffectAfterTheSteal) {
  paxos::ReplicaLife zombie = Life(0, 4);
  zombie.last_effect_started = 99;
  std::vector<Violation> v;
  CheckZombiesFenced({zombie}, {{4, 100}}, v);
  EXPECT_TRUE(v.empty());
  zombie.last_effect_started = 100;
  CheckZombiesFenced({zombie}, {{4, 100}}, v);
  EXPECT_TRUE(Has(v, kZombiesFenced));
}

TEST(PaxosInvariants, ZombiesFencedFailsOnActingOnAnOldIncarnationOrEpoch) {
  paxos::ReplicaLife receiver = Life(1, 2);
  receiver.acted = {{.at = 1, .from = 0, .epoch = 1, .incarnation = 0, .receiver_epoch = 1},
                    {.at = 2, .from = 0, .epoch = 1, .incarnation = 1, .receiver_epoch = 1},
                    {.at = 3, .from = 0, .epoch = 2, .incarnation = 0, .receiver_epoch = 1},
                    {.at = 4, .from = 0, .epoch = 2, .incarnation = 0, .receiver_epoch = 2}};
  std::vector<Violation> v;
  CheckZombiesFenced({receiver}, {}, v);
  EXPECT_TRUE(v.empty());
  paxos::ReplicaLife old_incarnation = receiver;
  old_incarnation.acted.push_back(
      {.at = 5, .from = 0, .epoch = 2, .incarnation = 0, .receiver_epoch = 2});
  old_incarnation.acted[3].incarnation = 1;
  CheckZombiesFenced({old_incarnation}, {}, v);
  EXPECT_TRUE(Has(v, kZombiesFenced));
  v.clear();
  paxos::ReplicaLife old_epoch = receiver;
  old_epoch.acted.push_back(
      {.at = 5, .from = 2, .epoch = 1, .incarnation = 0, .receiver_epoch = 2});
  CheckZombiesFenced({old_epoch}, {}, v);
  EXPECT_TRUE(Has(v, kZombiesFenced));
}

TEST(PaxosInvariants, ProgressFailsWithoutLivenessOperations) {
  std::vector<Violation> v;
  CheckProgress(1, v);
  EXPECT_TRUE(v.empty());
  CheckProgress(0, v);
  EXPECT_TRUE(Has(v, kProgress));
}

paxos::Command Cmd(paxos::OpType op, uint64_t client, uint64_t seq, std::string value = "") {
  paxos::Command c;
  c.set_op(op);
  c.set_key("k");
  c.set_client_id(client);
  c.set_client_seq(seq);
  if (!value.empty()) c.set_value(value);
  return c;
}

TEST(PaxosInvariants, ExactlyOnceFailsWhenARetryRanTwice) {
  // Client 1 puts "a"; client 2 puts "b"; client 1's put is retried (same sequence) into a later
  // slot; client 2 then reads. Executed once, the read sees "b"; a store that re-ran the retry
  // would answer "a".
  std::map<uint64_t, paxos::Batch> log;
  *log[0].add_commands() = Cmd(paxos::OP_PUT, 1, 1, "a");
  *log[1].add_commands() = Cmd(paxos::OP_PUT, 2, 1, "b");
  *log[2].add_commands() = Cmd(paxos::OP_PUT, 1, 1, "a");
  *log[3].add_commands() = Cmd(paxos::OP_GET, 2, 2);
  lincheck::HistoryRecorder h;
  std::map<int64_t, ClientTag> tags;
  auto p1 = h.Call(1, {.type = lincheck::OpType::kPut, .key = "k", .value = "a"}, 0);
  tags[p1.index] = {1, 1};
  auto p2 = h.Call(2, {.type = lincheck::OpType::kPut, .key = "k", .value = "b"}, 0);
  tags[p2.index] = {2, 1};
  ASSERT_TRUE(h.Return(p1, {}, 50).ok());
  ASSERT_TRUE(h.Return(p2, {}, 50).ok());
  auto get = h.Call(2, {.type = lincheck::OpType::kGet, .key = "k"}, 60);
  tags[get.index] = {2, 2};
  ASSERT_TRUE(h.Return(get, {.outcome = lincheck::Outcome::kOk, .value = "b"}, 70).ok());
  std::vector<Violation> v;
  CheckExactlyOnce(log, h.Operations(), tags, v);
  EXPECT_TRUE(v.empty()) << v[0].detail;

  lincheck::HistoryRecorder twice;
  for (const lincheck::Operation& op : h.Operations()) {
    auto call = twice.Call(op.client, op.input, op.call);
    lincheck::Output out = op.output;
    if (op.input.type == lincheck::OpType::kGet) out.value = "a";
    ASSERT_TRUE(twice.Return(call, out, op.ret).ok());
  }
  CheckExactlyOnce(log, twice.Operations(), tags, v);
  EXPECT_TRUE(Has(v, kExactlyOnce));
  // An acknowledged operation missing from the log is lost.
  v.clear();
  log.erase(3);
  CheckExactlyOnce(log, h.Operations(), tags, v);
  EXPECT_TRUE(Has(v, kExactlyOnce));
}

TEST(PaxosInvariants, NoProcessFailureFailsOnAFailure) {
  std::vector<Violation> v;
  CheckNoProcessFailure({}, v);
  EXPECT_TRUE(v.empty());
  CheckNoProcessFailure({{.process = "paxos-s1", .incarnation = 0, .at = 5, .error = "boom"}}, v);
  EXPECT_TRUE(Has(v, kNoProcessFailure));
}

}  // namespace
}  // namespace ddc::check

namespace ddc::check {
namespace {

// Replays one seed with its scenario printed: PAXOS_SEED=38 check_paxos_target_test
// --gtest_also_run_disabled_tests --gtest_filter='*ReplaySeed'.
TEST(PaxosTarget, DISABLED_ReplaySeed) {
  const char* env = std::getenv("PAXOS_SEED");
  ASSERT_NE(env, nullptr) << "set PAXOS_SEED";
  std::unique_ptr<CheckTarget> target = MakePaxosTarget();
  absl::StatusOr<Scenario> scenario = target->Draw(std::strtoull(env, nullptr, 10));
  ASSERT_TRUE(scenario.ok()) << scenario.status();
  std::printf("%s\nsafety_end %lld liveness_end %lld\n%s\n", Options(*scenario).c_str(),
              static_cast<long long>(scenario->safety_end),
              static_cast<long long>(scenario->liveness_end),
              scenario->config.DebugString().c_str());
  for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
    absl::StatusOr<RunReport> report = target->Run(*scenario, mode);
    ASSERT_TRUE(report.ok()) << report.status();
    std::printf("%s: %lld + %lld operations\n%s\n", ModeName(mode).data(),
                static_cast<long long>(report->safety_operations),
                static_cast<long long>(report->liveness_operations), Describe(*report).c_str());
  }
}

// Sweeps a range of seeds in both modes and lists the ones that violate an invariant:
// PAXOS_SEEDS=1-400 check_paxos_target_test --gtest_also_run_disabled_tests
// --gtest_filter='*SweepSeeds' (what the campaign reruns after a fix).
TEST(PaxosTarget, DISABLED_SweepSeeds) {
  const char* env = std::getenv("PAXOS_SEEDS");
  ASSERT_NE(env, nullptr) << "set PAXOS_SEEDS=<first>-<last>";
  const std::pair<std::string, std::string> range = absl::StrSplit(env, '-');
  const uint64_t first = std::strtoull(range.first.c_str(), nullptr, 10);
  const uint64_t last = std::strtoull(range.second.c_str(), nullptr, 10);
  std::unique_ptr<CheckTarget> target = MakePaxosTarget();
  for (uint64_t seed = first; seed <= last; ++seed) {
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      const RunReport report = RunSeed(*target, seed, mode);
      if (!report.violations.empty())
        std::printf("seed %llu %s: %zu violations\n", static_cast<unsigned long long>(seed),
                    ModeName(mode).data(), report.violations.size());
    }
  }
}

}  // namespace
}  // namespace ddc::check

namespace ddc::check {
namespace {

// Bugs the campaign found (docs/checking.md, "## paxos"): in transparent mode seeds 132 and 146
// made no progress in the liveness phase and seed 381 chose two values for a slot. Fixed; the
// seeds stay as regression runs. (Since snapshots were merged these seeds draw other runs and no
// longer hit the bugs on the unfixed store: paxos/testdata/16_* and 17_* replay the routes.)
TEST(PaxosTargetKnownBugs, TransparentLivenessSeed132) {
  RunSeed(*MakePaxosTarget(), 132, Mode::kTransparent);
}
TEST(PaxosTargetKnownBugs, TransparentLivenessSeed146) {
  RunSeed(*MakePaxosTarget(), 146, Mode::kTransparent);
}
// A safety bug: two values chosen for slots 85..88 (and an acknowledged put and delete lost)
// after a 6 ms pause of member 0 under message duplication and delay.
TEST(PaxosTargetKnownBugs, TransparentTwoValuesChosenSeed381) {
  RunSeed(*MakePaxosTarget(), 381, Mode::kTransparent);
}
// Exposed: the victim's CE crashed, then an ME of its rack failed, then the steal; reading the
// stolen state failed (PERMISSION_DENIED for the page left on the failed ME) and the standby died
// instead of replacing the member. Needs the widened fault plan (ME failures with crashes).
TEST(PaxosTargetKnownBugs, ExposedReincarnationOverLostMemorySeed38) {
  RunSeed(*MakePaxosTarget(), 38, Mode::kExposed);
}

}  // namespace
}  // namespace ddc::check
