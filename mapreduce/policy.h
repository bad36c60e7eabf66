// Policy: the one place where the engine looks at the OS mode. Every process of a job follows
// the Policy the launcher derives here.
//
//                      transparent (LegoOS-like)             exposed
//   shuffle            copy: the map attempt streams each    grant: the map attempt grants each
//                      partition's pages to its reducer in   partition's pages to its reducer and
//                      pipelined chunks (copy_stream.h)      sends one control message
//   straggler          speculation: a second attempt starts  steal-and-resume: a free worker
//   (default)          from scratch on a free worker; the    steals the straggler's memory (its
//                      first to finish wins                  split, output pages and checkpoint),
//                                                            which fences it, and resumes
//   lost attempt       relaunch from scratch, the split      steal the dead attempt's memory and
//                      copied from the input store           resume from its checkpoint
//   detection          heartbeat timeouts (the fair rule,    the rack monitor's death notices
//                      CostModel::AggressiveTimeouts)        (no heartbeats)
//
// Mitigation can also be chosen (the straggler experiment compares them): kNone in either mode,
// kSpeculate in either mode, kStealAndResume in exposed mode only (FAILED_PRECONDITION in
// transparent mode, whose OS refuses steals).
#ifndef DDC_MAPREDUCE_POLICY_H_
#define DDC_MAPREDUCE_POLICY_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/process.h"
#include "platform/types.h"

namespace ddc::mapreduce {

enum class ShuffleMechanism { kCopy, kGrant };
enum class Mitigation { kNone, kSpeculate, kStealAndResume };
enum class Recovery { kRestart, kStealAndResume };

absl::string_view MitigationName(Mitigation mitigation);
absl::StatusOr<Mitigation> ParseMitigation(absl::string_view name);

// SpeculationPolicy: when a running map task is a straggler (straggler.h). The defaults are
// Spark's (spark.speculation.interval, .quantile, .multiplier): every 100 ms of virtual time,
// once 75 % of the map tasks are done, a task running 1.5 x longer than the median is slow.
struct SpeculationPolicy {
  Duration interval = Milliseconds(100);
  double quantile = 0.75;
  double multiplier = 1.5;
  // A task is judged only after it ran this long (Spark: spark.speculation.minTaskRuntime).
  Duration min_runtime = 0;
};

struct Policy {
  ShuffleMechanism shuffle = ShuffleMechanism::kCopy;
  Mitigation mitigation = Mitigation::kSpeculate;
  Recovery recovery = Recovery::kRestart;
  SpeculationPolicy speculation;
};

// PlanPolicy derives the policy for `mode`; `mitigation` overrides the mode's default.
absl::StatusOr<Policy> PlanPolicy(Mode mode, std::optional<Mitigation> mitigation);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_POLICY_H_
