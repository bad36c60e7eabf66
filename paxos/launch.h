// Launch spawns the store on a Simulation: member i's replica on `replica_ces[i]` and its standby
// on `standby_ces[i]` (same rack), the clients, and the checkpoint store. It is the only file of
// the store that sees the Simulation.
#ifndef DDC_PAXOS_LAUNCH_H_
#define DDC_PAXOS_LAUNCH_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "paxos/outcome.h"
#include "paxos/service.h"
#include "platform/simulation.h"

namespace ddc::paxos {

struct Placement {
  std::vector<std::string> replica_ces;  // "rack/ce", one per member
  std::vector<std::string> standby_ces;  // same racks
  std::vector<std::string> client_ces;   // clients are spread over these
  std::string checkpoint_ce;
};

// DefaultPlacement: member i on r<i>/ce0 with its standby on r<i>/ce1; clients on r<n>/ce0..;
// the checkpoint store on r<n>/ce3. Needs n + 1 racks of 4 CEs (StoreConfig builds them).
Placement DefaultPlacement(int replicas);

// StoreConfig returns `base` with the racks the default placement needs (n + 1 racks of 4 CEs
// and 2 MEs), replacing base's racks.
PlatformConfig StoreConfig(PlatformConfig base, int replicas);

struct Deployment {
  std::vector<ProcessId> replicas;
  std::vector<ProcessId> standbys;
  std::vector<CeId> replica_ces;
  std::vector<ProcessId> clients;
};

absl::StatusOr<Deployment> Launch(Simulation& sim, const ServiceConfig& config,
                                  const Placement& placement, Outcome* outcome);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_LAUNCH_H_
