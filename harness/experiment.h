// Experiment is one reproducible measurement that `ddc run` executes and writes into an output
// directory. Each experiment runs workloads (harness/workload.h) on simulations built from the
// context's config and seed, so a run is a function of (config, seed), and writes CSV files with
// measured values next to the cost model's predictions.
#ifndef DDC_HARNESS_EXPERIMENT_H_
#define DDC_HARNESS_EXPERIMENT_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/config.h"

namespace ddc::harness {

struct ExperimentContext {
  PlatformConfig config;  // resolved and validated
  uint64_t seed = 1;
  std::string out_dir;  // exists when Run is called
  // params are experiment knobs from `ddc run ... --set name=value`, e.g. transfer.max_bytes.
  std::map<std::string, std::string> params;

  // IntParam returns params[name] as an integer, `fallback` when absent, and INVALID_ARGUMENT
  // naming the parameter when it is not an integer.
  absl::StatusOr<int64_t> IntParam(const std::string& name, int64_t fallback) const;
};

// A Finding is one measured comparison of the two modes that bears on a claim of the paper
// (docs/claims.md). `ddc reproduce` puts findings in results/summary.json and results/REPORT.md,
// and every run writes them to findings.csv. Values are what the simulation measured, never
// constants: `holds` is computed from them.
struct Finding {
  std::string claim;  // "C1"
  std::string what;   // the measured quantity, e.g. "time to move 1 GiB between two processes"
  std::string unit;   // "ns", "us", "ms", "bytes", ...
  double transparent = 0;
  double exposed = 0;
  // holds says whether the claim's stated effect shows in this measurement; why says in one
  // sentence what produces the difference, or its absence, under this cost model.
  bool holds = false;
  std::string why;
};

// ExperimentResult is what an experiment tells the user when it finishes.
struct ExperimentResult {
  // headline is the experiment's main figure in one line, e.g. "intra-rack RTT 2002 ns
  // (model 2002 ns), cross-rack 45002 ns (model 45002 ns)".
  std::string headline;
  std::vector<Finding> findings;
};

class Experiment {
 public:
  virtual ~Experiment() = default;
  virtual absl::string_view name() const = 0;
  virtual absl::string_view description() const = 0;
  // parameters lists the `--set` names the experiment reads (e.g. "transfer.max_bytes").
  virtual std::vector<std::string> parameters() const { return {}; }
  virtual absl::StatusOr<ExperimentResult> Run(const ExperimentContext& context) = 0;
};

// AllExperiments lists every experiment, in the order `ddc run all` runs them.
std::vector<std::unique_ptr<Experiment>> AllExperiments();

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENT_H_
