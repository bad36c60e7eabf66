// `ddc check` is swarm testing in the manner of TigerBeetle's VOPR and FoundationDB's simulation:
// every seed draws its own options (topology, cost model within documented ranges, workload,
// fault rates) and a fault schedule, runs the schedule in both modes, first a safety phase with
// faults and then a liveness phase without new faults, and checks the application's invariants.
// A failing seed replays from its seed alone; the runner then shrinks its fault schedule.
//
// This header is the contract between the runner (harness/check/runner.h) and the per-application
// check targets (harness/check/*_target.cc):
//
//   Draw(seed)            -> Scenario   pure function of the seed; every random choice is drawn
//                                       from Rng::ForStream(seed, "check", <target>, <what>)
//   Run(scenario, mode)   -> RunReport  pure function of (scenario, mode): the shrinker reruns it
//                                       with fewer faults and expects the same behaviour
//
// A violation is a broken invariant of the system under test. A Status error from Run is a
// broken harness (a scenario the platform rejects, say); the runner reports it as a failure of
// the seed too, never as a pass.
#ifndef DDC_HARNESS_CHECK_CHECK_H_
#define DDC_HARNESS_CHECK_CHECK_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/config.h"
#include "platform/process.h"
#include "platform/types.h"

namespace ddc::check {

// Scenario is everything one seed drew. `config` is a complete, valid platform config (without a
// mode: Run sets it); config.faults() is the safety phase's fault schedule, every fault at a time
// in [0, safety_end). The liveness phase runs from safety_end to liveness_end with no new fault
// (a partition or a message fault drawn in the safety phase heals by safety_end; a crashed CE stays
// down unless the schedule restarts it).
struct Scenario {
  std::string target;  // "paxos", "mapreduce", "kvstore", "platform"
  uint64_t seed = 0;
  PlatformConfig config;
  // options are the target's own drawn knobs as (name, value), printed with a failing seed so a
  // reader sees what the seed chose (e.g. {"replicas", "5"}, {"client_rate", "2000/s"}).
  std::vector<std::pair<std::string, std::string>> options;
  Time safety_end = 0;
  Time liveness_end = 0;
};

// Violation is one broken invariant: `invariant` is its short name as in docs/checking.md
// ("linearizable", "one value per slot", ...), `detail` says what was seen.
struct Violation {
  std::string invariant;
  std::string detail;
};

// RunReport is the outcome of one scenario in one mode.
struct RunReport {
  std::vector<Violation> violations;  // empty: every invariant held
  // operations the workload completed, in each phase; the liveness check of most targets is
  // "liveness_operations > 0", and the runner prints both in its summary.
  int64_t safety_operations = 0;
  int64_t liveness_operations = 0;
  // faults_injected counts, by kind (FaultKindName), the faults that took effect in this run
  // (scheduled ones and those the target injected itself, e.g. a BUGGIFY point).
  std::map<std::string, int64_t> faults_injected;
  // observations counts what the target saw that is neither a fault nor a violation but shows
  // the checks had something to check (e.g. {"stolen pages verified", 12}, {"torn pages
  // reported", 1}); the runner sums and prints them.
  std::map<std::string, int64_t> observations;
};

class CheckTarget {
 public:
  virtual ~CheckTarget() = default;
  virtual absl::string_view name() const = 0;
  // invariants lists the invariant names Run checks, for `ddc check --list` and the docs.
  virtual std::vector<std::string> invariants() const = 0;
  // Draw builds the scenario of `seed`.
  virtual absl::StatusOr<Scenario> Draw(uint64_t seed) const = 0;
  // Run runs `scenario` in `mode`: Setup, the safety phase to scenario.safety_end with the faults
  // of scenario.config.faults(), the liveness phase to scenario.liveness_end, then the checks.
  virtual absl::StatusOr<RunReport> Run(const Scenario& scenario, Mode mode) const = 0;
};

// AllCheckTargets lists every target in the order `ddc check --app all` runs them.
std::vector<std::unique_ptr<CheckTarget>> AllCheckTargets();

}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_CHECK_H_
