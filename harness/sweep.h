// Running a spec's points (harness/spec.h): on this machine in parallel, or as a Slurm job array,
// with the same files either way.
//
// A point runs into its own directory: the experiment's files plus <experiment>.config.txtpb (the
// resolved config, with the command that reruns the point) and headline.txt (the experiment's
// headline; its presence marks the point finished). A spec with one point runs straight into the
// output directory, as `ddc run EXPERIMENT` always has. A spec with several runs point i into
// OUT/points/NNNN/ and then MergePoints writes, into OUT:
//
//   points.csv    <context columns>,headline                one row per point
//   NAME.csv      <context columns>,<NAME's columns>         for every CSV the points wrote
//                 (every point must write the same CSVs with the same header)
//
// in point order, so the merged files depend only on the spec, never on which points ran where or
// when. A local sweep and a Slurm array therefore merge into byte-identical files. Every CSV of a
// run, one point or many, opens with the same context columns (docs/experiments.md, "CSV schema"):
//
//   experiment,point,seed,<each sweep axis's field>,<params.NAME for each param no axis sets>
//
#ifndef DDC_HARNESS_SWEEP_H_
#define DDC_HARNESS_SWEEP_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "harness/experiment.h"
#include "harness/spec.h"

namespace ddc::harness {

// ExperimentFactory makes a fresh experiment by name, or returns null for an unknown name. Each
// point gets its own instance, so points may run on different threads.
using ExperimentFactory = std::function<std::unique_ptr<Experiment>(absl::string_view name)>;

// PointDir is where point `index` of a sweep into `out_dir` runs.
std::string PointDir(absl::string_view out_dir, int index);

// RunPoint runs one point into `dir` (created) and returns the experiment's result (its findings
// also go to findings.csv). An unknown experiment is NOT_FOUND; a param the experiment does not
// read is INVALID_ARGUMENT naming it.
absl::StatusOr<ExperimentResult> RunPoint(const ExperimentSpec& spec, const SweepPoint& point,
                                          const ExperimentFactory& make, const std::string& dir);

struct SweepOptions {
  int jobs = 1;  // points run at once (each on its own thread)
  // on_done is called as each point finishes, from the thread that ran it, one call at a time.
  std::function<void(const SweepPoint&, const absl::StatusOr<ExperimentResult>& result, int done)>
      on_done;
};

// RunSweep runs every point (see the file comment for where) and merges. It stops starting points
// after the first failure and returns the failure of the lowest-numbered failed point, naming it.
absl::Status RunSweep(const ExperimentSpec& spec, const std::vector<SweepPoint>& points,
                      const ExperimentFactory& make, const std::string& out_dir,
                      const SweepOptions& options);

// MergePoints merges the finished points under OUT/points into OUT. A point that has not finished
// (no headline.txt) is FAILED_PRECONDITION naming it.
absl::Status MergePoints(const ExperimentSpec& spec, const std::vector<SweepPoint>& points,
                         const std::string& out_dir);

// EmitSlurm writes DIR/spec.textproto (the spec, with any command-line axes folded in) and
// DIR/sweep.sbatch: a job array with one task per point, each running
//   DDC sweep DIR/spec.textproto --task $SLURM_ARRAY_TASK_ID --out DIR
// After the array, `ddc merge DIR` merges the tasks' points into DIR.
absl::Status EmitSlurm(const ExperimentSpec& spec, int point_count, const std::string& dir,
                       const std::string& ddc_binary);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_SWEEP_H_
