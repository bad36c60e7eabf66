// The `ddc check` runner: runs check targets (harness/check/check.h) over a range of seeds, in
// both modes, in parallel, reports what failed and shrinks the failures' fault schedules.
//
//   CheckOptions options{.from = 0, .seeds = 200, .threads = 2};
//   absl::StatusOr<CheckSummary> summary = RunCheck(targets, options, std::cout);
//   return summary.ok() && summary->ok() ? 0 : 1;
//
// For each target and each seed in [from, from + seeds) the runner calls Draw(seed) and then
// Run(scenario, mode) for TRANSPARENT and then EXPOSED (the same scenario, only the mode
// differs). Seeds run on `threads` threads; their results are merged by seed, so what is printed
// on `out` (failures and the summary, everything but the wall-time line) depends only on the
// targets and the options, never on the thread count or on timing.
//
// A seed fails when a run reports a violation or returns an error status. For each failing seed
// `out` gets the seed, its drawn options, the violations, and the command that replays it. Then,
// unless shrinking is off, the runner shrinks the seed's fault schedule (ShrinkFaults) against the
// first failure seen (its mode and invariant), writes the shrunk scenario to
// OUT/<target>-seed<S>.textproto (a CheckScenario, check.proto) and prints it with the
// `ddc check --replay FILE` command that replays it. The runner shrinks at most
// kMaxShrunkPerTarget seeds per target (the first ones): more failures of one target are almost
// always the same bug, and each shrink reruns the scenario up to a few dozen times.
#ifndef DDC_HARNESS_CHECK_RUNNER_H_
#define DDC_HARNESS_CHECK_RUNNER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/check/check.h"
#include "harness/check/check.pb.h"

namespace ddc::check {

inline constexpr int kMaxShrunkPerTarget = 3;

struct CheckOptions {
  uint64_t from = 0;
  int seeds = 100;
  int threads = 1;
  bool shrink = true;
  // Progress goes here (null: none): one line redrawn in place when `terminal`, plain lines every
  // few seconds otherwise.
  std::ostream* progress = nullptr;
  bool terminal = false;
  std::string out_dir = "results/check";  // where shrunk scenarios are written
  std::string command = "ddc";            // how printed replay commands start
};

// Failure identifies how a seed failed, which is what shrinking preserves: the mode, and the
// invariant broken (or "error: <code>" when Run returned an error status).
struct Failure {
  Mode mode = Mode::kTransparent;
  std::string invariant;
  bool operator==(const Failure&) const = default;
};

struct SeedFailure {
  std::string target;
  uint64_t seed = 0;
  Failure first;                        // the first failure (transparent before exposed)
  std::vector<std::string> messages;    // every violation / error, "mode: invariant: detail"
  bool shrunk = false;                  // shrinking ran for this seed
  config::FaultSchedule shrunk_faults;  // the minimal schedule that still fails `first`
  int drawn_fault_count = 0;            // FaultCount of the drawn schedule
  std::string replay_file;              // where the shrunk scenario went ("" if not shrunk)
};

struct TargetSummary {
  std::string target;
  int seeds = 0;
  int runs = 0;                                    // seeds x modes that ran
  std::map<std::string, int64_t> faults_injected;  // summed over runs
  std::map<std::string, int64_t> observations;     // summed over runs
  int64_t safety_operations = 0;
  int64_t liveness_operations = 0;
  int64_t violations = 0;  // violations plus error statuses, over runs
  int failed_seeds = 0;
};

struct CheckSummary {
  std::vector<TargetSummary> targets;
  std::vector<SeedFailure> failures;  // by target, then by seed
  double wall_seconds = 0;
  bool ok() const { return failures.empty(); }
};

// RunCheck runs `targets` as the file comment says and prints to `out`. It returns an error only
// for bad options (seeds < 1, threads < 1) or a shrunk scenario it cannot write; failing seeds
// are in the summary.
absl::StatusOr<CheckSummary> RunCheck(const std::vector<const CheckTarget*>& targets,
                                      const CheckOptions& options, std::ostream& out);

// Replay runs the scenario of `scenario` (its seed drawn by the target named scenario.app, its
// faults swapped in when present) in both modes, printing like RunCheck without shrinking.
// NOT_FOUND for an unknown app.
absl::StatusOr<CheckSummary> Replay(const std::vector<const CheckTarget*>& targets,
                                    const CheckScenario& scenario, const CheckOptions& options,
                                    std::ostream& out);

// LoadCheckScenario reads a CheckScenario textproto; errors name the file and what is wrong.
absl::StatusOr<CheckScenario> LoadCheckScenario(const std::string& path);

// ShrinkFaults returns a subset of `faults` on which `fails` still holds, minimal in the sense of
// delta debugging (Zeller's ddmin): removing any single remaining fault makes it pass. It removes
// chunks first, halving their size, then single faults. A removed CRASH takes with it the RESTART
// of the same CE that follows it. `fails(faults)` must hold on entry.
config::FaultSchedule ShrinkFaults(const config::FaultSchedule& faults,
                                   const std::function<bool(const config::FaultSchedule&)>& fails);

}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_RUNNER_H_
