// Recovery: how the counter survives the death of its primary. This is the one place where the
// service looks at the OS mode; every process asks PlanRecovery and follows the plan.
//
//                      transparent (LegoOS-like)            exposed
//   durable before     in the backup's memory: the primary  in the primary's own memory: it
//   an ack             replicates every increment           flushes its ME pages
//   detection          the backup's heartbeat timeout       the rack monitor's ProcessDeathNotice
//   takeover           the backup serves its replica under  the standby steals the primary's
//                      its own id                           pages and takes over its id
//   client on failure  retries at the other replica         retries at the same id
//   client timeout     the fair rule (detection)            a backstop (the platform resets the
//                                                            call when the id moves)
//
// Fair timeouts: transparent mode has nothing but timeouts to detect a death, so its timeouts
// follow the project's one rule, CostModel::AggressiveTimeouts: a heartbeat every round trip r,
// suspicion after 10 r of silence. With the default cost model that is about 20 us within a rack,
// while the rack monitor declares a CE dead after 5 missed beats of 2 ms, about 10 ms. So with
// default settings transparent mode *detects faster*. What exposed mode saves is the replica (a
// round trip to the backup on every increment, and the backup's copy of the state) and the
// guesswork: a timeout only suspects, so a transparent primary that was merely slow must notice
// on its own that it lost its backup and step down, while the monitor's verdict comes with a
// fence (the steal), so the old primary's memory and messages are refused if it ever wakes up.
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_RECOVERY_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_RECOVERY_H_

#include "examples/primary_backup/service.h"
#include "platform/process.h"

namespace ddc::primary_backup {

enum class Recovery {
  // Transparent mode: replicate every increment to a backup; detect a death by timeouts.
  kReplicateToABackup,
  // Exposed mode: keep the state in the primary's memory; a standby steals it when the rack
  // monitor reports the primary dead.
  kStealFromTheDead,
};

struct RecoveryPlan {
  Recovery recovery;
  // client_call_timeout is how long the client waits for one call before it retries.
  Duration client_call_timeout;
};

// PlanRecovery chooses the recovery for `mode`.
RecoveryPlan PlanRecovery(Mode mode, const ServiceConfig& config);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_RECOVERY_H_
