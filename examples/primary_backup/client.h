// The client: `increments` sequential increments, then one read of the final state.
//
// Before each increment it thinks for a time drawn from its own random stream (Process::rng), so
// both modes, on the same seed, send the same requests at the same moments until the crash. Each
// increment carries its sequence number and is retried until it is acknowledged:
//
//   a call fails (no reply within the plan's call timeout, or a reset)
//     transparent: retry at the other replica (the backup may have taken over under its own id)
//     exposed:     retry at the primary's id (a standby that took over answers for it)
//
// The sequence number makes retries safe: a server that already applied the increment answers
// with the current value instead of applying it again (server.h). The wait for an ack is counted
// from the increment's first attempt, so it includes every failed call: the longest such wait is
// what the outage cost the client.
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_CLIENT_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_CLIENT_H_

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "examples/primary_backup/outcome.h"
#include "examples/primary_backup/service.h"
#include "platform/process.h"

namespace ddc::primary_backup {

// RunClient is the client's process; it records what it saw in `*report`.
asio::awaitable<absl::Status> RunClient(Process& self, ServiceConfig config, ClientReport* report);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_CLIENT_H_
