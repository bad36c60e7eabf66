// Launch: running a MapReduce job on a simulated rack.
//
//   JobOptions options;
//   options.plan = WordCount(...);                  // jobs/wordcount.h, or a Job<...>::Compile()
//   options.policy = *PlanPolicy(sim.mode(), std::nullopt);
//   JobOutcome outcome;
//   DDC_ASSIGN_OR_RETURN(Deployment d, Launch(sim, options, &outcome));
//   sim.RunUntil([&] { return outcome.finished; }, Seconds(60));
//   // outcome.status, outcome.output (only when OK), outcome.phases, outcome.attempts
//
// Placement. Every process runs on a CE of one rack (options.rack): the orchestrator and, when
// the policy needs one, the input store on the rack's first CE; then, on the rack's other CEs (the
// W worker CEs, taken in order and wrapping around), the map workers, the spares and the
// reducers: a rack of 1 + maps + spares + reduces CEs (rack_config.h) gives each its own CE. Map
// task m's first attempt runs on map worker m, which loads split m into its own memory before the
// job starts: the task is scheduled where its input is (in a disaggregated rack every ME is one
// memory round trip from every CE, so "near" means owned: the attempt reads its input through its
// own mappings, with no copy over the network).
//
// Errors: ValidatePlan's errors (naming the job), INVALID_ARGUMENT for a rack with fewer than two
// CEs, zero spares when the policy needs one, or bad engine options; the job's own errors (a
// mapper that fails, bad input) arrive in outcome->status, naming the job and the task.
#ifndef DDC_MAPREDUCE_LAUNCH_H_
#define DDC_MAPREDUCE_LAUNCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mapreduce/outcome.h"
#include "mapreduce/plan.h"
#include "mapreduce/policy.h"
#include "platform/simulation.h"

namespace ddc::mapreduce {

// CopyTuning: the transparent shuffle's copy pipeline (copy_stream.h): chunk bytes and reads in
// flight. The experiment sets them with the `transfer` experiment's copy tuner.
struct CopyTuning {
  int64_t chunk = 256 * 1024;
  int window = 4;
};

struct EngineOptions {
  int64_t read_chunk_bytes = 256 * 1024;  // a map attempt maps its input in chunks of this size
  int64_t spill_bytes = 2 * 1024 * 1024;  // the sort buffer; every spill is a checkpoint
  int64_t merge_readahead_pages = 64;     // a reducer reads each run this many pages at a time
  int64_t reduce_batch_records = 4096;    // reduce CPU is charged per batch of this many records
  CopyTuning copy;
};

struct JobOptions {
  JobPlan plan;
  Policy policy;
  EngineOptions engine;
  std::string rack = "r0";
  int spares = 1;  // idle workers for speculative, resumed and relaunched attempts
};

struct Deployment {
  ProcessId orchestrator;
  std::vector<ProcessId> map_workers;
  std::vector<CeId> map_ces;
  std::vector<ProcessId> reducers;
  std::vector<ProcessId> spares;
  std::vector<CeId> spare_ces;
};

absl::StatusOr<Deployment> Launch(Simulation& sim, const JobOptions& options, JobOutcome* outcome);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_LAUNCH_H_
