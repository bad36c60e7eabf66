// Outcome: what the backup and the client report about a run, for the example's story, the tests
// and the `primary-backup` experiment.
//
// The spawner owns an Outcome and hands each process a pointer to its part. Times are virtual
// times (ns since the run began). The client also records its figures in Process::stats()
// (histogram "ack_latency_ns", counters "acks" and "failed_calls"), which the harness writes to
// <run>.histograms.csv and <run>.counters.csv.
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_OUTCOME_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_OUTCOME_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "examples/primary_backup/counter_cell.h"
#include "platform/types.h"

namespace ddc::primary_backup {

// Role names the replica a client call was addressed to: the primary's id (which, in exposed
// mode, the standby answers after it took over) or the backup's.
enum class Role { kPrimary, kBackup };

// FailedCall is one client call that got no reply: DEADLINE_EXCEEDED (silence) or UNAVAILABLE (a
// reset: the callee died, exited, or its id moved to a thief).
struct FailedCall {
  uint64_t seq = 0;  // the increment it carried (0 for the final read)
  Role target = Role::kPrimary;
  Time sent_at = 0;
  Time failed_at = 0;
  absl::StatusCode code = absl::StatusCode::kOk;
};

// Ack is one acknowledged increment.
struct Ack {
  uint64_t seq = 0;
  uint64_t value = 0;  // the counter's value in the acknowledgement
  Role target = Role::kPrimary;
  Time first_sent_at = 0;  // the first attempt: the wait includes every retry
  Time acked_at = 0;
  Duration wait() const { return acked_at - first_sent_at; }
};

struct ClientReport {
  std::vector<Ack> acks;  // in sequence order
  std::vector<FailedCall> failed_calls;
  uint64_t last_sent_seq = 0;  // the highest increment sent at least once
  // final_state is the counter as the serving replica's memory held it after the last increment.
  std::optional<CounterState> final_state;
  bool finished = false;

  // LongestWait is the acknowledgement the client waited longest for (its view of the outage),
  // or null when there is none.
  const Ack* LongestWait() const;
  // MedianWaitBefore is the median wait of the acknowledgements received before `t` (what an
  // increment costs while the primary lives, when t is the crash), 0 when there are none.
  Duration MedianWaitBefore(Time t) const;
};

// Takeover is what the backup reports when it takes over; nothing when the primary never died.
struct Takeover {
  // detected_at is when the backup learned (exposed: the rack monitor's notice arrived) or decided
  // (transparent: a failure timeout of silence passed) that the primary is dead.
  std::optional<Time> detected_at;
  // serving_at is when it began to serve, from `resumed_from`.
  std::optional<Time> serving_at;
  CounterState resumed_from;
};

struct Outcome {
  ClientReport client;
  Takeover takeover;
};

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_OUTCOME_H_
