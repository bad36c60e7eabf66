// Test support: run a whole store on a fresh simulation and check what the tests check in every
// run (the history per key, the ownership audit). Header-only, for kvstore's tests and the
// harness's.
#ifndef DDC_KVSTORE_CLUSTER_TESTING_H_
#define DDC_KVSTORE_CLUSTER_TESTING_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/kv_model.h"
#include "kvstore/cluster.h"
#include "platform/config.h"
#include "platform/simulation.h"

namespace ddc::kvstore::testing {

struct StoreRun {
  std::unique_ptr<Simulation> sim;
  std::unique_ptr<ClusterOutcome> outcome;
  ClusterDeployment deployment;
  bool finished = false;
};

// RunStore runs `options` in `mode` with `seed` until the outcome is finished or `limit`;
// crash_shard0_after crashes shard 0's CE that long after every shard is ready; `faults` is the
// platform's fault schedule.
inline absl::StatusOr<StoreRun> RunStore(Mode mode, uint64_t seed, const ClusterOptions& options,
                                         std::optional<Duration> crash_shard0_after = std::nullopt,
                                         Time limit = Seconds(5),
                                         const config::FaultSchedule& faults = {}) {
  PlatformConfig config = DefaultConfig();
  *config.mutable_faults() = faults;
  config.set_mode(mode == Mode::kExposed ? config::PlatformConfig::EXPOSED
                                         : config::PlatformConfig::TRANSPARENT);
  config.mutable_trace()->set_enabled(false);
  StoreRun run;
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(config, seed);
  if (!sim.ok()) return sim.status();
  run.sim = *std::move(sim);
  run.sim->SetLog({});
  run.outcome = std::make_unique<ClusterOutcome>();
  absl::StatusOr<ClusterDeployment> deployment =
      LaunchCluster(*run.sim, options, run.outcome.get());
  if (!deployment.ok()) return deployment.status();
  run.deployment = *deployment;
  ClusterOutcome* outcome = run.outcome.get();
  if (crash_shard0_after) {
    if (!run.sim->RunUntil([outcome] { return outcome->observer.ready_at >= 0; }, limit)) {
      return absl::DeadlineExceededError("the cluster never got ready");
    }
    absl::Status crashed =
        run.sim->CrashCe(run.deployment.shard_ces[0], run.sim->Now() + *crash_shard0_after);
    if (!crashed.ok()) return crashed;
  }
  run.finished = run.sim->RunUntil([outcome] { return outcome->Finished(); }, limit);
  return run;
}

// CheckRun verifies a finished run: no process failed, the ownership audit holds and the history
// is linearizable per key.
inline absl::Status CheckRun(const StoreRun& run) {
  if (!run.finished) return absl::DeadlineExceededError("the run did not finish");
  for (const ProcessFailure& failure : run.sim->ProcessFailures()) {
    return absl::InternalError(absl::StrCat(failure.process, " failed: ", failure.error));
  }
  if (!run.outcome->observer.ownership.ok()) return run.outcome->observer.ownership;
  absl::StatusOr<lincheck::CheckResult> result =
      lincheck::Check(lincheck::KvModel(), run.outcome->history.Operations());
  if (!result.ok()) return result.status();
  if (result->verdict != lincheck::Verdict::kOk) {
    std::string why;
    for (const lincheck::PartitionResult& partition : result->partitions) {
      if (partition.verdict != lincheck::Verdict::kOk) {
        why = partition.explanation;
        break;
      }
    }
    return absl::DataLossError(absl::StrCat("history not linearizable (",
                                            lincheck::VerdictName(result->verdict), "): ", why));
  }
  return absl::OkStatus();
}

}  // namespace ddc::kvstore::testing

#endif  // DDC_KVSTORE_CLUSTER_TESTING_H_
