// RunReference runs a job in one process, outside the simulator, as the ground truth the engine's
// output is compared with: every record of the input through the mapper (no combiner), every
// emitted pair sorted by (key, value), the reducer once per key. It returns the output pairs in
// key order, or the first error, naming the job and the record's offset.
#ifndef DDC_MAPREDUCE_REFERENCE_H_
#define DDC_MAPREDUCE_REFERENCE_H_

#include <vector>

#include "absl/status/statusor.h"
#include "mapreduce/outcome.h"
#include "mapreduce/plan.h"

namespace ddc::mapreduce {

absl::StatusOr<std::vector<KvPair>> RunReference(const JobPlan& plan);

// SortedPairs returns `pairs` sorted by (key, value): the order-free form of a job's output.
std::vector<KvPair> SortedPairs(std::vector<KvPair> pairs);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_REFERENCE_H_
