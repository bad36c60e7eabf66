// ServeCounter: the request loop shared by the primary and by a backup that has taken over.
//
// Requests are taken from the mailbox and handled one at a time, so no two increments interleave
// and no lock is needed (Process::Serve would run each request in a thread of its own). For an
// IncrementRequest with client sequence number s, when the state's last applied number is a:
//
//   s == a + 1   a new increment: store the new state, make it durable, then reply
//   s <= a       a retry of an increment already applied (its first reply was lost with a crash,
//                or never came in time): reply with the current value, apply nothing
//   s >  a + 1   a gap: the client never sends increment s before s - 1 is acknowledged, so this
//                is a bug, and the server fails loudly
//
// "Durable" is where recovery will look for it: in exposed mode the server's own ME pages (it
// flushes them); in transparent mode the backup's memory (it replicates the new state and waits
// for the backup's acknowledgement). Only then does the client hear "done".
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_SERVER_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_SERVER_H_

#include <optional>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "examples/primary_backup/counter_cell.h"
#include "platform/process.h"

namespace ddc::primary_backup {

// Replication is where a transparent-mode primary copies each new state before acknowledging it.
struct Replication {
  ProcessId backup;
  Duration call_timeout;  // for each ReplicateRequest
};

// ServeCounter serves IncrementRequest and ReadRequest with the state `state` held in `cell`,
// until the process dies. Without `replication` it flushes `cell` before every acknowledgement.
//
// It returns OK only to step down, when someone else may be serving already, so that this server
// must never acknowledge again: a replication call failed (no reply in time, or a reset: the
// backup may have taken over), or its own memory refused a write with PERMISSION_DENIED (a standby
// stole the pages while this process was paused). Any other error (a failed memory element, a
// gap in sequence numbers) fails the process.
asio::awaitable<absl::Status> ServeCounter(Process& self, CounterCell cell, CounterState state,
                                           std::optional<Replication> replication);

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_SERVER_H_
