// The seeded fault runs of mapreduce_test_util.h (CheckChaos), shared by the unit and slow tests.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mapreduce/jobs/gensort.h"
#include "mapreduce/jobs/jobs.h"
#include "mapreduce/jobs/zipf_text.h"
#include "mapreduce/mapreduce_test_util.h"
#include "platform/random.h"

namespace ddc::mapreduce::testing {

absl::StatusOr<ChaosReport> CheckChaos(uint64_t seed) {
  Rng rng = Rng::ForStream(seed, "mapreduce-chaos");
  auto pick = [&](int64_t lo, int64_t hi) { return UniformInt::Create(lo, hi)->Next(rng); };
  ChaosReport report;
  const Mode mode = pick(0, 1) == 0 ? Mode::kTransparent : Mode::kExposed;
  std::vector<Mitigation> mitigations{Mitigation::kNone, Mitigation::kSpeculate};
  if (mode == Mode::kExposed) mitigations.push_back(Mitigation::kStealAndResume);
  const Mitigation mitigation = mitigations[static_cast<size_t>(pick(0, mitigations.size() - 1))];
  JobOptions options;
  if (pick(0, 1) == 0) {
    GensortOptions g;
    g.records = 20000;
    g.block_records = 500;
    g.skewed = pick(0, 1) == 1;
    g.seed = seed;
    options.plan = TeraSortJob({*GensortDataset::Create(g), 4, 3});
  } else {
    ZipfTextOptions z;
    z.bytes = 1 << 20;
    z.block_bytes = 32 * 1024;
    z.seed = seed;
    options.plan = WordCountJob({*ZipfTextDataset::Create(z), 4, 3}, /*combiner=*/true);
  }
  options.engine.spill_bytes = 128 * 1024;
  options.engine.read_chunk_bytes = 32 * 1024;
  options.policy.speculation.interval = Microseconds(300);
  options.spares = 2;
  const int kind = static_cast<int>(pick(0, 3));
  const int worker = static_cast<int>(pick(0, options.plan.map_tasks + options.spares - 1));
  const Time at = pick(Microseconds(300), Milliseconds(4));
  const int64_t factor = pick(2, 10);
  const int me = static_cast<int>(pick(0, 1));
  const char* kinds[] = {"crash", "pause", "slow", "ME failure"};
  report.description = absl::StrCat(
      "seed ", seed, ": ", options.plan.name, " in ", ModeName(mode), " mode, mitigation ",
      MitigationName(mitigation), ", ", kinds[kind], " of ",
      kind == 3 ? absl::StrCat("me", me) : absl::StrCat("worker ", worker), " at ", at, " ns");
  const Faults faults = [&](Simulation& sim, const Deployment& d) -> absl::Status {
    std::vector<CeId> ces = d.map_ces;
    ces.insert(ces.end(), d.spare_ces.begin(), d.spare_ces.end());
    const CeId ce = ces[static_cast<size_t>(worker)];
    switch (kind) {
      case 0:
        return sim.CrashCe(ce, at);
      case 1:
        return sim.PauseCe(ce, Milliseconds(20), at);
      case 2:
        return sim.SlowCe(ce, static_cast<double>(factor), at);
      default: {
        config::FaultSchedule schedule;
        config::MeFault* fault = schedule.add_me_faults();
        fault->set_me(absl::StrCat("r0/me", me));
        fault->set_at_ns(at);
        return sim.InjectFaults(schedule);
      }
    }
  };
  absl::StatusOr<TestRun> run = RunJobFor(mode, options, mitigation, faults, seed, Seconds(5));
  if (!run.ok()) return run.status();
  const JobOutcome& outcome = *run->outcome;
  report.finished = outcome.finished;
  report.status = outcome.status;
  if (outcome.finished && outcome.status.ok()) {
    absl::StatusOr<std::vector<KvPair>> reference = RunReference(options.plan);
    if (!reference.ok()) return reference.status();
    if (SortedPairs(outcome.AllOutput()) != SortedPairs(*reference)) {
      return absl::DataLossError(
          absl::StrCat(report.description, ": the output differs from the reference"));
    }
    return report;
  }
  if (!outcome.output.empty() || !outcome.AllOutput().empty()) {
    return absl::DataLossError(
        absl::StrCat(report.description, ": a job that did not succeed presented output"));
  }
  if (!outcome.finished && kind != 3) {
    return absl::DeadlineExceededError(
        absl::StrCat(report.description, ": the job neither finished nor failed"));
  }
  return report;
}

}  // namespace ddc::mapreduce::testing
