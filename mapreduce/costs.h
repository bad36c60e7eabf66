// TaskCosts: the CPU time the engine charges for map and reduce work, through Process::Compute,
// on the reference core of the cost model. Nothing is measured at run time: the real C++ work
// runs (the output is real), and the virtual time it takes is this model. The defaults and their
// rationale are in mapreduce/README.md ("CPU model"); each job sets its own map costs
// (jobs/jobs.cc).
//
// What is charged, and when (map_worker.cc, spill.cc, reducer.cc):
//   map, per input chunk      records x map_per_record + bytes x map_per_byte
//                             + emitted pairs x emit_per_pair
//   spill                     pairs x log2(pairs) x compare (the sort)
//                             + pairs x combine_per_pair (only with a combiner)
//                             + written bytes x serialize_per_byte
//   reduce, per batch         merged records x log2(runs) x compare (the k-way merge)
//                             + groups x reduce_per_group + records x reduce_per_record
//                             + output bytes x serialize_per_byte
// Costs are charged in batches (one Compute per input chunk, per spill, per merged batch), so a
// slowed compute element slows a task from the next batch on.
#ifndef DDC_MAPREDUCE_COSTS_H_
#define DDC_MAPREDUCE_COSTS_H_

#include <cmath>
#include <cstdint>

#include "platform/types.h"

namespace ddc::mapreduce {

struct TaskCosts {
  double map_per_record_ns = 20;
  double map_per_byte_ns = 1.0;
  double emit_per_pair_ns = 20;
  double compare_ns = 6;
  double combine_per_pair_ns = 10;
  double serialize_per_byte_ns = 0.1;
  double reduce_per_group_ns = 20;
  double reduce_per_record_ns = 5;
};

// ChargeNs rounds a modelled cost to whole nanoseconds (at least 0).
inline Duration ChargeNs(double ns) {
  return ns <= 0 ? 0 : static_cast<Duration>(std::llround(ns));
}

// SortNs is the cost of sorting `n` items: n log2 n comparisons.
inline double SortNs(const TaskCosts& costs, int64_t n) {
  return n < 2 ? 0 : costs.compare_ns * static_cast<double>(n) * std::log2(static_cast<double>(n));
}

// MergeNs is the cost of merging `n` items from `ways` sorted runs: n log2 ways comparisons.
inline double MergeNs(const TaskCosts& costs, int64_t n, int64_t ways) {
  return ways < 2
             ? 0
             : costs.compare_ns * static_cast<double>(n) * std::log2(static_cast<double>(ways));
}

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_COSTS_H_
