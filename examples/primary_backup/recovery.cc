#include "examples/primary_backup/recovery.h"

namespace ddc::primary_backup {

RecoveryPlan PlanRecovery(Mode mode, const ServiceConfig& config) {
  switch (mode) {
    case Mode::kTransparent:
      // The client, like the backup, can only guess from silence, so it waits as long as the fair
      // rule says a peer may be silent and then tries the other replica.
      return {Recovery::kReplicateToABackup, config.client_timeouts.failure_timeout};
    case Mode::kExposed:
      // The client need not guess: when the standby takes over the primary's id, the platform
      // resets the client's call to it (UNAVAILABLE). The timeout only bounds a call in case no
      // standby ever takes over.
      return {Recovery::kStealFromTheDead, config.backstop_call_timeout};
  }
  return {Recovery::kReplicateToABackup, config.client_timeouts.failure_timeout};
}

}  // namespace ddc::primary_backup
