// The orchestrator: the process that runs a job. It has every first map attempt load its split
// (and sample keys for range partitioning), launches the map attempts, commits the first attempt
// of each map task that finishes, releases the shuffle once every map task committed, releases
// the reducers once every reducer holds all its partitions, and presents the output once every
// reducer's output is durable.
//
// Failures and stragglers (policy.h):
// - Detection of a lost map attempt: transparent, heartbeats with the fair timeout
//   (CostModel::AggressiveTimeouts); exposed, the rack monitor's ProcessDeathNotice (the
//   orchestrator registers as every worker's standby).
// - Recovery: transparent, a new attempt from scratch on a spare (its split copied from the input
//   store); exposed, a spare steals the lost attempt's memory and resumes from its checkpoint. A
//   committed attempt lost before it shipped its output is recovered the same way.
// - Stragglers (straggler.h, checked every speculation.interval): kSpeculate launches a copy from
//   scratch (the first to finish wins, the other is aborted); kStealAndResume has a spare steal
//   the straggler's memory, which fences it, and resume; kNone waits.
// - An error in the job's own code or data (TaskFailed with user_error) fails the job at once,
//   naming the job and the task; no output is presented. So does any reducer failure (reduce
//   tasks are not re-executed: see README, "Not yet done").
#ifndef DDC_MAPREDUCE_ORCHESTRATOR_H_
#define DDC_MAPREDUCE_ORCHESTRATOR_H_

#include <memory>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "mapreduce/context.h"
#include "platform/process.h"

namespace ddc::mapreduce {

asio::awaitable<absl::Status> RunOrchestrator(Process& self, std::shared_ptr<const JobContext> job);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_ORCHESTRATOR_H_
