// Straggler detection, as a pure function of the map tasks' progress (no I/O, no clock), in the
// manner of Spark's speculation and LATE:
//
//   std::optional<int> task = PickStraggler(policy.speculation, tasks, now);
//
// Contract:
// - Nothing is picked until at least ceil(quantile x tasks) map tasks are done (Spark:
//   spark.speculation.quantile, 0.75).
// - A running task is slow when it has run longer than multiplier x the median duration of the
//   done tasks (Spark: spark.speculation.multiplier, 1.5) and at least min_runtime.
// - Among slow tasks not mitigated yet, the one with the longest estimated time left goes first
//   (LATE): left = (total - processed) / rate, rate = processed / time run; a task that processed
//   nothing counts as having the most left.
// - The caller asks again every `interval` (Spark: spark.speculation.interval, 100 ms) and
//   mitigates at most one task per check.
#ifndef DDC_MAPREDUCE_STRAGGLER_H_
#define DDC_MAPREDUCE_STRAGGLER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "mapreduce/policy.h"
#include "platform/types.h"

namespace ddc::mapreduce {

struct TaskProgress {
  bool done = false;
  bool running = false;
  bool mitigated = false;
  Time started = 0;   // when the task's first attempt started
  Time finished = 0;  // done only
  int64_t processed = 0;
  int64_t total = 0;
};

std::optional<int> PickStraggler(const SpeculationPolicy& policy,
                                 const std::vector<TaskProgress>& tasks, Time now);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_STRAGGLER_H_
