// Test support: run a job on a fresh one-rack simulation and compare its output with the
// reference.
#ifndef DDC_MAPREDUCE_MAPREDUCE_TEST_UTIL_H_
#define DDC_MAPREDUCE_MAPREDUCE_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <optional>

#include "absl/status/statusor.h"
#include "mapreduce/launch.h"
#include "mapreduce/outcome.h"
#include "mapreduce/rack_config.h"
#include "mapreduce/reference.h"
#include "platform/simulation.h"

namespace ddc::mapreduce::testing {

struct TestRun {
  std::unique_ptr<Simulation> sim;
  std::unique_ptr<JobOutcome> outcome;
  Deployment deployment;
};

using Faults = std::function<absl::Status(Simulation&, const Deployment&)>;

// RunJobFor runs `options` in `mode` (the policy derived with `mitigation`) on a rack with a CE
// per worker, with `faults` scheduled after launch, until the job finishes or `limit`.
inline absl::StatusOr<TestRun> RunJobFor(Mode mode, JobOptions options,
                                         std::optional<Mitigation> mitigation = std::nullopt,
                                         const Faults& faults = {}, uint64_t seed = 1,
                                         Time limit = Seconds(60)) {
  absl::StatusOr<Policy> policy = PlanPolicy(mode, mitigation);
  if (!policy.ok()) return policy.status();
  const SpeculationPolicy speculation = options.policy.speculation;
  options.policy = *policy;
  options.policy.speculation = speculation;
  TestRun run;
  PlatformConfig config = OneRackConfig(
      JobCes(options.plan.map_tasks, options.spares, options.plan.reduce_tasks), 2, mode);
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(config, seed);
  if (!sim.ok()) return sim.status();
  run.sim = *std::move(sim);
  run.sim->SetLog(nullptr);
  run.outcome = std::make_unique<JobOutcome>();
  absl::StatusOr<Deployment> deployment = Launch(*run.sim, options, run.outcome.get());
  if (!deployment.ok()) return deployment.status();
  run.deployment = *deployment;
  if (faults) {
    absl::Status scheduled = faults(*run.sim, run.deployment);
    if (!scheduled.ok()) return scheduled;
  }
  JobOutcome* outcome = run.outcome.get();
  run.sim->RunUntil([outcome] { return outcome->finished; }, limit);
  return run;
}

// ChaosRun is one seeded run of a small job under one random fault: a crash, a pause or a
// slowdown of a map worker's or spare's CE, or the failure of a memory element, at a random time,
// in a random mode with a random mitigation. CheckChaos runs it and checks that no record was lost
// or duplicated: a job that succeeded has exactly the reference output; a job that failed (or,
// after an ME failure took down a process it cannot do without, never finished) presents none.
struct ChaosReport {
  std::string description;
  bool finished = false;
  absl::Status status;
};

absl::StatusOr<ChaosReport> CheckChaos(uint64_t seed);

}  // namespace ddc::mapreduce::testing

#endif  // DDC_MAPREDUCE_MAPREDUCE_TEST_UTIL_H_
