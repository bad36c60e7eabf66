// OneRackConfig: a platform config with one rack ("r0") of `ces` compute elements (ce0, ce1, ...)
// and `mes` memory elements, in `mode`, with the default cost model. The engine needs one CE for
// the orchestrator plus one per worker it should not share (map workers and spares); tests and
// the experiments size the rack with it.
#ifndef DDC_MAPREDUCE_RACK_CONFIG_H_
#define DDC_MAPREDUCE_RACK_CONFIG_H_

#include "platform/config.h"
#include "platform/process.h"

namespace ddc::mapreduce {

PlatformConfig OneRackConfig(int ces, int mes, Mode mode);

// JobCes is how many CEs give every process of a job its own CE (launch.h, "Placement"):
// 1 (orchestrator and input store) + map workers + spares + reducers.
inline int JobCes(int map_tasks, int spares, int reduce_tasks) {
  return 1 + map_tasks + spares + reduce_tasks;
}

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_RACK_CONFIG_H_
