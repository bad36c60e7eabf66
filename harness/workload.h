// Workload is one run of an experiment, in the shape of FoundationDB's workloads: setup, start,
// check and metrics. A run is (config with its mode, seed, workload); a failure replays from
// them.
//
//   setup    Setup(sim) spawns the workload's processes (and may schedule its faults) before
//            virtual time starts; the processes do their own preparation in virtual time.
//   start    the runner runs virtual time until Finished() holds (checked after every event) or
//            until time_limit() passes. Processes record what they measure.
//   check    Check(sim) verifies the outcome (data intact, histories linearizable, ...); an error
//            fails the experiment. Before it, the runner fails the run if any process failed
//            that ExpectedFailure() does not excuse, naming the process and its error.
//   metrics  Metrics() returns the run's figures as rows of (column, value) pairs, every row with
//            the same columns in a fixed order (most workloads have one row).
//
// RunWorkload runs one workload; RunInBothModes runs the same workload in transparent and in
// exposed mode on the same seed and renders one CSV with a `mode` column, so the two modes are
// compared like for like: same processes, same seed, same fault schedule, different mechanism.
#ifndef DDC_HARNESS_WORKLOAD_H_
#define DDC_HARNESS_WORKLOAD_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "harness/experiment.h"
#include "harness/output.h"
#include "platform/simulation.h"

namespace ddc::harness {

// A Metric is one named figure of a run, already formatted; a MetricRow is one CSV row.
using Metric = std::pair<std::string, std::string>;
using MetricRow = std::vector<Metric>;

class Workload {
 public:
  virtual ~Workload() = default;
  virtual absl::Status Setup(Simulation& sim) = 0;
  virtual bool Finished() const = 0;
  virtual Time time_limit() const { return Seconds(3600); }
  virtual absl::Status Check(const Simulation& sim) = 0;
  virtual std::vector<MetricRow> Metrics() const = 0;
  // ExpectedFailure excuses a process failure the workload provokes on purpose.
  virtual bool ExpectedFailure(const ProcessFailure& /*failure*/) const { return false; }
};

struct RunOptions {
  // artifacts, when set, writes <artifacts>.metrics.csv and <artifacts>.trace.json of the run.
  std::string artifacts;
};

// RunWorkload runs `workload` on a fresh simulation of `config` in `mode` with `seed`.
absl::Status RunWorkload(const PlatformConfig& config, Mode mode, uint64_t seed, Workload& workload,
                         const std::string& out_dir, const RunOptions& options = {});

// RunAndTabulate runs `workload` in `mode` on the context's config and seed and adds its metric
// rows to `table`, each prefixed with the mode (the header comes from the first row).
absl::Status RunAndTabulate(const ExperimentContext& context, Mode mode, Workload& workload,
                            CsvTable& table, const RunOptions& options = {});

// BothModes holds the two finished workloads of RunInBothModes, for their headline figures.
template <typename W>
struct BothModes {
  std::unique_ptr<W> transparent;
  std::unique_ptr<W> exposed;
};

// RunInBothModes runs make_workload(mode) in transparent and then exposed mode on the same seed
// and tabulates both (RunAndTabulate); artifacts, if asked for, are named <artifacts>.<mode>.
template <typename W>
absl::StatusOr<BothModes<W>> RunInBothModes(
    const ExperimentContext& context, const std::function<std::unique_ptr<W>(Mode)>& make_workload,
    CsvTable& table, const RunOptions& options = {}) {
  BothModes<W> runs{make_workload(Mode::kTransparent), make_workload(Mode::kExposed)};
  for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
    RunOptions moded = options;
    if (!moded.artifacts.empty())
      moded.artifacts = absl::StrCat(moded.artifacts, ".", ModeName(mode));
    W& workload = mode == Mode::kExposed ? *runs.exposed : *runs.transparent;
    absl::Status status = RunAndTabulate(context, mode, workload, table, moded);
    if (!status.ok()) return status;
  }
  return runs;
}

}  // namespace ddc::harness

#endif  // DDC_HARNESS_WORKLOAD_H_
