// The client library: a closed-loop client that issues gets and puts through the leader,
// discovers the leader from replies' hints, retries on a timeout or a reset at the next replica
// with the same (client id, sequence) (so a retry executes exactly once), and records every
// operation in the outcome's lincheck HistoryRecorder.
#ifndef DDC_PAXOS_CLIENT_H_
#define DDC_PAXOS_CLIENT_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "paxos/outcome.h"
#include "paxos/paxos.pb.h"
#include "paxos/service.h"
#include "platform/process.h"

namespace ddc::paxos {

// StoreClient sends commands to the store and retries them until they are answered.
class StoreClient {
 public:
  StoreClient(Process& self, const ServiceConfig& config, uint64_t client_id,
              std::vector<ProcessId> candidates);

  // Execute runs `command` (its client id and sequence are filled in) until a replica answers
  // it, or until `give_up_at` (DEADLINE_EXCEEDED: the outcome is unknown). A reply with an
  // error status (a bad request) is returned as that status.
  asio::awaitable<absl::StatusOr<ClientReply>> Execute(Command command, Time give_up_at);

  int64_t retries() const { return retries_; }

 private:
  ProcessId NextCandidate();

  Process& self_;
  ServiceConfig config_;
  uint64_t client_id_;
  uint64_t next_seq_ = 1;
  std::vector<ProcessId> candidates_;  // replicas and standbys, tried in turn
  size_t next_candidate_ = 0;
  ProcessId target_;
  int64_t retries_ = 0;
  size_t unhinted_ = 0;  // consecutive "not the leader" replies without a hint
};

// RunClient is one load client: operations until config.load_until, recorded in `outcome`.
asio::awaitable<absl::Status> RunClient(Process& self, ServiceConfig config, int client,
                                        Outcome* outcome);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_CLIENT_H_
