// The backup: it takes over when the primary dies. The mode decides how (recovery.h):
//
// Transparent mode (kReplicateToABackup): the backup keeps a replica of the counter in a cell of
// its own memory. One loop receives both the primary's ReplicateRequests (store, flush, reply) and
// its Heartbeats; when neither has come for the failure timeout, the backup suspects the primary
// dead, stops accepting replication (it simply never receives another ReplicateRequest, so a
// primary that was only slow gets no acknowledgement, steps down and never acknowledges again),
// and serves its replica under its own id.
//
// Exposed mode (kStealFromTheDead): the backup holds nothing; it is a standby. It joins the
// primary's trust group and asks the rack monitor to watch the primary (RegisterStandby). When the
// ProcessDeathNotice comes, it steals all the primary's pages (the ToR now redirects the primary's
// id to it and fences the primary), finds the counter through the rack namespace, takes over the
// primary's identity and serves: the client never learns another id.
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_BACKUP_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_BACKUP_H_

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "examples/primary_backup/outcome.h"
#include "examples/primary_backup/service.h"
#include "platform/process.h"

namespace ddc::primary_backup {

// RunBackup is the backup's process; it records its takeover in `*takeover`.
asio::awaitable<absl::Status> RunBackup(Process& self, ServiceConfig config, Takeover* takeover);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_BACKUP_H_
