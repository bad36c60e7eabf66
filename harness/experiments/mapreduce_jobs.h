// The jobs the MapReduce experiments run, built from a size and a seed, and the check each run's
// output must pass: TeraSort's validates like valsort (sorted, same count, same checksum as the
// input); the other jobs' output equals the single-process reference (mapreduce/reference.h).
#ifndef DDC_HARNESS_EXPERIMENTS_MAPREDUCE_JOBS_H_
#define DDC_HARNESS_EXPERIMENTS_MAPREDUCE_JOBS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "harness/experiments/mapreduce_workload.h"
#include "mapreduce/plan.h"

namespace ddc::harness {

// MakePlan builds job `name` ("terasort", "terasort-skewed", "wordcount", "wordcount-combiner"
// or "grep") over `bytes` of generated input, with `tasks` maps and `tasks` reduces. The input
// depends on (name, bytes, seed) only, never on `tasks`.
absl::StatusOr<mapreduce::JobPlan> MakePlan(const std::string& name, int64_t bytes, int tasks,
                                            uint64_t seed);

// MakeVerifier computes what `plan`'s output must be (once) and returns the check.
absl::StatusOr<JobVerifier> MakeVerifier(const mapreduce::JobPlan& plan);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENTS_MAPREDUCE_JOBS_H_
