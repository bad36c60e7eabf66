// JobOutcome: what a job's processes report, for the caller (tests, the experiments). The
// orchestrator fills `status`, `output` and `counters` only when the job ends: `output` holds the
// committed reducers' records only when the job succeeded, never partial output of a failed job.
// The attempt records are instrumentation (kept outside the simulated rack, like the platform's
// statistics), so they survive the crash of the process that wrote them.
#ifndef DDC_MAPREDUCE_OUTCOME_H_
#define DDC_MAPREDUCE_OUTCOME_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "mapreduce/counters.h"
#include "mapreduce/mapreduce.pb.h"
#include "platform/types.h"

namespace ddc::mapreduce {

using KvPair = std::pair<std::string, std::string>;  // encoded key, encoded value

// AttemptRecord is one map attempt's life.
struct AttemptRecord {
  int task = 0;
  int attempt = 0;
  Origin origin = LOAD;
  std::string worker;
  Time started = 0;
  // ended: when it stopped, or (lost, stolen) when the orchestrator learned it had; -1 while it
  // runs.
  Time ended = -1;
  std::string end;              // "committed", "aborted" (lost a race), "stolen", "lost", "failed"
  Time last_checkpoint = -1;    // when its last checkpoint became durable
  int64_t resumed_from = 0;     // input offset it started at (steal: the victim's checkpoint)
  int64_t input_refetched = 0;  // split bytes copied from the input store
  int64_t processed = 0;        // input bytes mapped when it last reported
};

struct JobPhases {
  Time start = -1;         // every split loaded; first attempts launched
  Time maps_done = -1;     // every map task committed
  Time shuffle_done = -1;  // every reducer holds all its partitions
  Time end = -1;           // every reducer's output durable (or the job failed)
};

struct JobOutcome {
  bool finished = false;
  absl::Status status = absl::UnknownError("the job has not finished");
  // output[p] is reducer p's output, in the order it wrote it (successful jobs only).
  std::vector<std::vector<KvPair>> output;
  Counters counters;
  JobPhases phases;
  std::vector<AttemptRecord> attempts;
  int speculative_launches = 0;
  int steal_launches = 0;
  int relaunches = 0;
  // progress_trace[task]: (time, input bytes mapped) as its attempts reported them.
  std::vector<std::vector<std::pair<Time, int64_t>>> progress_trace;

  // Filled by the reducers as they finish; the orchestrator moves it to `output` on success.
  std::vector<std::vector<KvPair>> staged_output;

  // FindAttempt is the record of map attempt (task, attempt), or null.
  AttemptRecord* FindAttempt(int task, int attempt);

  // AllOutput concatenates output in partition order.
  std::vector<KvPair> AllOutput() const;
  // WastedTaskNs: time attempts spent on work the job did not keep: a losing, failed or lost
  // attempt's whole run; a stolen attempt's run after its last checkpoint.
  Duration WastedTaskNs() const;
  int64_t InputRefetched() const;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_OUTCOME_H_
