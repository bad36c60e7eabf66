// What every process of the primary-backup counter is given when it is spawned.
//
// The service has three processes, spawned under fixed names (placements in the config may move
// them; see launch.h):
//
//   primary   keeps the counter and answers the client
//   backup    takes over when the primary dies: in transparent mode it holds a replica of the
//             counter; in exposed mode it holds nothing and is only a standby
//   client    increments the counter `increments` times, one at a time, retrying until each
//             increment is acknowledged
//
// A process finds the others by name (Process::FindProcess), so they can be spawned in any order.
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_SERVICE_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_SERVICE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/cost_model.h"
#include "platform/process.h"
#include "platform/types.h"

namespace ddc::primary_backup {

inline constexpr char kPrimaryName[] = "primary";
inline constexpr char kBackupName[] = "backup";
inline constexpr char kClientName[] = "client";

// ServiceConfig is copied into every process (a coroutine's parameters live in its frame, so a
// process must not hold references to its spawner's variables).
struct ServiceConfig {
  // The client's workload: `increments` sequential increments, each after a think time drawn
  // from an exponential distribution of this mean (from the client's own random stream, so both
  // modes draw the same think times).
  int increments = 100;
  Duration mean_think_time = Microseconds(20);

  // Timeouts derived from the cost model by the launcher, which knows every role's placement (a
  // process sees the rule through self.cost_model(), but not where the other roles run).
  // replica_timeouts are the fair rule's for the path between the primary and the backup;
  // client_timeouts are those of the slowest path a client's call may take. See recovery.h for
  // which mode uses which.
  FailureTimeouts replica_timeouts;
  FailureTimeouts client_timeouts;
  // backstop_call_timeout bounds a client call in exposed mode, where the platform, not a timeout,
  // tells the client that the primary is gone.
  Duration backstop_call_timeout = Milliseconds(100);
};

// FindPeer returns the id of the process named `name`, NOT_FOUND if none was spawned.
absl::StatusOr<ProcessId> FindPeer(const Process& self, absl::string_view name);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_SERVICE_H_
