// JobContext: what every process of a job is given (internal to the engine). Processes hold it by
// shared_ptr; the outcome it points to is owned by whoever launched the job and outlives the run.
#ifndef DDC_MAPREDUCE_CONTEXT_H_
#define DDC_MAPREDUCE_CONTEXT_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mapreduce/input.h"
#include "mapreduce/launch.h"
#include "mapreduce/outcome.h"
#include "platform/cost_model.h"

namespace ddc::mapreduce {

inline constexpr char kTrustGroup[] = "mapreduce";
inline constexpr char kTrustSecret[] = "mapreduce-workers";

struct JobContext {
  JobOptions options;
  std::vector<InputSplit> splits;
  FailureTimeouts timeouts;  // transparent mode's heartbeat detector
  JobOutcome* outcome = nullptr;
  // Process names (processes find each other with Process::FindProcess).
  std::string orchestrator;
  std::string input_store;  // empty: none
  std::vector<std::string> map_workers;
  std::vector<std::string> reducers;
  std::vector<std::string> spares;
  std::map<std::string, CeId> ce_of;  // every worker's CE, by name

  const JobPlan& plan() const { return options.plan; }
  int maps() const { return options.plan.map_tasks; }
  int reduces() const { return options.plan.reduce_tasks; }
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_CONTEXT_H_
