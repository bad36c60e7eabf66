// The standby of a member: a process on another compute element of the member's rack that waits
// to bring the member back. What it does depends on the mode and on the failure (recovery.md in
// README.md has the table):
//
//   exposed, the member's CE dies        the rack monitor's ProcessDeathNotice: tell the other
//   (or pauses past the verdict)          replicas to suspect it, steal its memory (fencing it),
//                                         and Reincarnate it from its ME-resident state
//   exposed, the member's memory dies    the OS forwards the MemoryFailureNotice (the standby is
//                                         an emergency contact): Replace it
//   transparent, any failure             the leader's ReplaceRequest after an election timeout
//                                         of silence: Replace it (from a peer, or from the
//                                         checkpoint store)
#ifndef DDC_PAXOS_STANDBY_H_
#define DDC_PAXOS_STANDBY_H_

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "paxos/outcome.h"
#include "paxos/service.h"
#include "platform/process.h"

namespace ddc::paxos {

asio::awaitable<absl::Status> RunStandby(Process& self, ServiceConfig config, int member,
                                         Outcome* outcome);

// RunCheckpointStore serves a checkpoint of the bulk state (config.state_bytes) from its own
// memory, in another rack, for the checkpoint-restore baseline.
asio::awaitable<absl::Status> RunCheckpointStore(Process& self, ServiceConfig config);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_STANDBY_H_
