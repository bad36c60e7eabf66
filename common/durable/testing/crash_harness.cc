#include "common/durable/testing/crash_harness.h"

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/durable/testing/durable_testing.h"
#include "platform/failures.h"
#include "platform/notices.pb.h"
#include "platform/simulation.h"
#include "platform/testing/simulation_testing.h"

namespace ddc::durable::testing {
namespace {

constexpr char kGroup[] = "durable-crash-test";
constexpr char kSecret[] = "s3cret";

struct Chain {
  const CrashPlan* plan;
  CrashWorkload* workload;
  Simulation* sim;
  CrashOutcome* outcome;
  std::vector<ProcessId> ids;
};

std::string CeOf(int generation) { return absl::StrCat("r0/ce", generation); }

asio::awaitable<void> Generation(Process& self, Chain& chain, int generation) {
  Memory& memory = self.memory();
  if (generation > 0) {
    // Watch the predecessor before anything else, so no crash can come first.
    const ProcessId previous = chain.ids[generation - 1];
    const absl::Status registered = self.failures().RegisterStandby(previous);
    if (!registered.ok())
      chain.workload->Violation(absl::StrCat("standby: ", registered.ToString()));
  }
  const absl::Status joined = co_await memory.JoinTrustGroup(kGroup, kSecret);
  if (!joined.ok()) chain.workload->Violation(absl::StrCat("join: ", joined.ToString()));
  if (generation > 0) {
    const ProcessId previous = chain.ids[generation - 1];
    for (;;) {
      const Envelope in = co_await self.Receive();
      if (in.Is<platform::ProcessDeathNotice>() &&
          ProcessId{in.As<platform::ProcessDeathNotice>().process()} == previous) {
        break;
      }
    }
    const Capability capability(kGroup, kSecret);
    absl::StatusOr<std::vector<Region>> stolen =
        co_await memory.Steal(previous, capability, std::nullopt);
    if (!stolen.ok()) {
      chain.workload->Violation(absl::StrCat("steal: ", stolen.status().ToString()));
      co_return;
    }
  }
  const std::optional<Duration> crash =
      generation + 1 < chain.plan->generations &&
              generation < static_cast<int>(chain.plan->crash_after.size())
          ? chain.plan->crash_after[generation]
          : std::nullopt;
  if (crash) {
    const absl::Status scheduled =
        chain.sim->CrashCe(*chain.sim->topology().FindCe(CeOf(generation)), self.Now() + *crash);
    if (!scheduled.ok()) chain.workload->Violation(absl::StrCat("crash: ", scheduled.ToString()));
  }
  RecordingMemory recording(memory, self, generation == 0 ? &chain.outcome->step_times : nullptr);
  recording.set_drop_flushes(generation == 0 && chain.plan->drop_flushes);
  chain.outcome->started = generation + 1;
  co_await chain.workload->Run(self, recording, generation);
  chain.outcome->finished = generation + 1;
  // Stay alive, so that a crash scheduled after the end still kills a running process.
  if (generation + 1 < chain.plan->generations) co_await self.Sleep(Seconds(1));
}

}  // namespace

CrashOutcome RunCrashChain(const CrashPlan& plan, CrashWorkload& workload) {
  CrashOutcome outcome;
  std::unique_ptr<Simulation> sim = NewSim(plan.config_text, plan.seed);
  Chain chain{&plan, &workload, sim.get(), &outcome, {}};
  for (int g = 0; g < plan.generations; ++g) {
    chain.ids.push_back(::ddc::testing_util::MustSpawn(
        *sim, absl::StrCat("generation", g), CeOf(g),
        [&chain, g](Process& self) { return Generation(self, chain, g); }));
  }
  sim->RunUntilIdle();
  outcome.violations = workload.violations();
  outcome.notes = workload.notes();
  return outcome;
}

namespace {

void Record(SweepResult& result, const CrashOutcome& outcome, int expected_finished,
            const std::string& what) {
  ++result.runs;
  for (const auto& [note, count] : outcome.notes) result.notes[note] += count;
  if (outcome.violations.empty() && outcome.finished == expected_finished) return;
  ++result.failed;
  if (result.first_failures.size() >= 5) return;
  std::string report = absl::StrCat(what, ": ", outcome.finished, " of ", expected_finished,
                                    " generations finished");
  for (const std::string& v : outcome.violations) absl::StrAppend(&report, "\n    ", v);
  result.first_failures.push_back(std::move(report));
}

}  // namespace

std::string SweepResult::Summary() const {
  std::string out = absl::StrCat(runs, " runs, ", failed, " failed");
  for (const auto& [note, count] : notes) absl::StrAppend(&out, "\n  ", note, ": ", count);
  for (const std::string& f : first_failures) absl::StrAppend(&out, "\n  FAILED ", f);
  return out;
}

SweepResult SweepEveryCrashPoint(const std::function<std::unique_ptr<CrashWorkload>()>& make,
                                 const std::string& config_text, bool drop_flushes) {
  CrashPlan learn;
  learn.config_text = config_text;
  learn.generations = 1;
  learn.drop_flushes = drop_flushes;
  const CrashOutcome clean = RunCrashChain(learn, *make());
  SweepResult result;
  Record(result, clean, 1, "without a crash");
  for (Time t : CrashPoints(clean.step_times)) {
    CrashPlan plan;
    plan.config_text = config_text;
    plan.generations = 2;
    plan.crash_after = {t};
    plan.drop_flushes = drop_flushes;
    Record(result, RunCrashChain(plan, *make()), 2, absl::StrCat("crash at t=", t));
  }
  return result;
}

SweepResult SweepRandomChains(
    const std::function<std::unique_ptr<CrashWorkload>(uint64_t seed)>& make,
    const std::string& config_text, uint64_t first_seed, int count, Duration horizon) {
  SweepResult result;
  for (uint64_t seed = first_seed; seed < first_seed + static_cast<uint64_t>(count); ++seed) {
    std::mt19937_64 random(seed);
    CrashPlan plan;
    plan.config_text = config_text;
    plan.seed = seed;
    plan.generations = 3;
    plan.crash_after = {1 + static_cast<Duration>(random() % horizon),
                        1 + static_cast<Duration>(random() % horizon)};
    Record(result, RunCrashChain(plan, *make(seed)), 3,
           absl::StrCat("seed ", seed, ", crashes after ", *plan.crash_after[0], " and ",
                        *plan.crash_after[1], " ns"));
  }
  return result;
}

std::vector<Time> CrashPoints(const std::vector<Time>& step_times) {
  std::set<Time> points;
  Time last = 0;
  for (Time t : step_times) {
    for (Time p : {t - 1, t, t + 1}) {
      if (p >= 1) points.insert(p);
    }
    last = std::max(last, t);
  }
  points.insert(last + Microseconds(1));
  return {points.begin(), points.end()};
}

}  // namespace ddc::durable::testing
