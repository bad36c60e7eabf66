// Launch: spawning the counter on a simulated rack. This is the only file of the service that
// sees the Simulation (the processes see only their Process): it places the processes, derives
// their timeouts from the cost model, and hands each its part of the Outcome.
//
//   primary_backup::Outcome outcome;  // must outlive the simulation's run
//   DDC_ASSIGN_OR_RETURN(primary_backup::Deployment service,
//                        primary_backup::Launch(*sim, primary_backup::Options(), &outcome));
//   DDC_RETURN_IF_ERROR(sim->CrashCe(service.primary_ce, ddc::Milliseconds(1)));
//   sim->RunUntil([&] { return outcome.client.finished; }, ddc::Seconds(1));
//
// Placement: config.placements may assign the roles "primary", "backup" and "client"; by default
// they run on r0/ce0, r0/ce1 and r0/ce2, one rack (a steal works only within a rack).
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_LAUNCH_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_LAUNCH_H_

#include "absl/status/statusor.h"
#include "examples/primary_backup/outcome.h"
#include "platform/simulation.h"
#include "platform/types.h"

namespace ddc::primary_backup {

struct Options {
  int increments = 100;
  Duration mean_think_time = Microseconds(20);
  Duration backstop_call_timeout = Milliseconds(100);
};

struct Deployment {
  ProcessId primary;
  ProcessId backup;
  ProcessId client;
  CeId primary_ce;  // where a scenario crashes the primary
};

// Launch spawns the primary, the backup and the client. `outcome` must outlive the run.
absl::StatusOr<Deployment> Launch(Simulation& sim, const Options& options, Outcome* outcome);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_LAUNCH_H_
