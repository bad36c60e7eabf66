// The primary: it keeps the counter and answers the client.
//
//   1. allocate a cell for the counter in ME pages;
//   2. (exposed) join the trust group, so that the standby may steal the pages later, and publish
//      the cell's address in the rack namespace (kRootName), where the thief will look for it;
//   3. (transparent) start a thread that sends the backup a heartbeat every heartbeat interval;
//   4. serve increments (server.h): exposed, flushing its own pages before every acknowledgement;
//      transparent, replicating every new state to the backup first.
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_PRIMARY_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_PRIMARY_H_

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "examples/primary_backup/service.h"
#include "platform/process.h"

namespace ddc::primary_backup {

// kTrustGroup and kTrustSecret authorize the standby's steal (exposed mode).
inline constexpr char kTrustGroup[] = "primary-backup";
inline constexpr char kTrustSecret[] = "counter-secret";

asio::awaitable<absl::Status> RunPrimary(Process& self, ServiceConfig config);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_PRIMARY_H_
