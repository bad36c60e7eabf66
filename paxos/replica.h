// The replica process: a thin shell around ReplicaCore that does the awaiting. For every Ready it
// persists the records to its ME-resident ReplicaState (flushed), then sends the messages, then
// applies the committed slots to the KV state machine and answers the clients waiting on them.
//
// Inputs: PaxosMessages from peers; ClientRequests (proposed at the leader; elsewhere answered
// UNAVAILABLE with the leader's process id as a hint); SuspectNotice and MemoryFailureNotice
// (failure notification: suspect the member at once); JoinRequest (a caught-up learner asks the
// leader to reconfigure it in); LogSinceRequest (a learner reads the chosen log); and, served by
// a thread of its own, StateChunkRequest (bulk state transfer). A tick every heartbeat interval.
//
// A replica that finds itself fenced (its persist or send refused with PERMISSION_DENIED: its
// memory was stolen while it was paused) or its memory gone (UNAVAILABLE) stops at once and
// returns OK: a zombie never changes state and never gets a reply through.
#ifndef DDC_PAXOS_REPLICA_H_
#define DDC_PAXOS_REPLICA_H_

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "paxos/outcome.h"
#include "paxos/service.h"
#include "platform/process.h"

namespace ddc::paxos {

// RunReplica starts member `member` with fresh state.
asio::awaitable<absl::Status> RunReplica(Process& self, ServiceConfig config, int member,
                                         Outcome* outcome);

// Reincarnate resumes member `member` in the process that stole its memory (exposed mode): it
// opens the state at the published root, restores the core, assumes the victim's identity and
// serves. `victim` is the member's process.
asio::awaitable<absl::Status> Reincarnate(Process& self, ServiceConfig config, int member,
                                          ProcessId victim, Outcome* outcome);

// Replace builds a replacement for member `member` in this process (fresh memory): it copies the
// bulk state from `source` (a live peer or the checkpoint store), catches up on the chosen log as
// a non-voting learner, asks the leader to reconfigure it in, and serves once it votes.
asio::awaitable<absl::Status> Replace(Process& self, ServiceConfig config, int member,
                                      ProcessId source, Outcome* outcome);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_REPLICA_H_
