// Outcome is what the store's processes report while they run, for the experiment, the tests and
// the checks (check.h). The simulator is single-threaded, so processes write into it directly; it
// is owned by whoever spawned them and outlives the run.
#ifndef DDC_PAXOS_OUTCOME_H_
#define DDC_PAXOS_OUTCOME_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/lincheck/history.h"
#include "paxos/service.h"
#include "platform/types.h"

namespace ddc::paxos {

// Ack is one operation a client saw acknowledged.
struct Ack {
  Time at = 0;
  Duration latency = 0;  // from the first attempt
  bool write = false;
};

// MemberRecovery is the life of one failed member's recovery, in virtual time (-1: not yet).
struct MemberRecovery {
  Recovery how = Recovery::kSteal;
  Time detected_at = -1;     // the standby learned of the failure (notice or ReplaceRequest)
  Time suspected_at = -1;    // the first peer suspected it (notice or timeout)
  Time stolen_at = -1;       // exposed: the steal returned (the victim is fenced)
  Time transferred_at = -1;  // transparent: the bulk state was copied
  Time resumed_at = -1;      // the member serves again (reincarnated, or voting learner)
  Time caught_up_at = -1;    // it has applied what the leader had chosen when it resumed
  int64_t bytes_copied = 0;
};

struct Outcome {
  lincheck::HistoryRecorder history;
  std::vector<Ack> acks;
  std::map<int, MemberRecovery> recovery;  // by member index
  int64_t client_retries = 0;
  int clients_done = 0;       // clients that finished their load
  int64_t client_errors = 0;  // replies with an unexpected error (a bug)
  std::vector<std::string> errors;

  // Safety observations, checked by check.h.
  std::map<uint64_t, uint64_t> chosen_hash;        // slot -> hash of its batch
  std::map<uint64_t, uint64_t> digest_at_applied;  // applied slots -> state digest
  std::vector<std::string> violations;
  // fenced_at: process index -> when a steal fenced it. A fenced process (a zombie) must never
  // persist, send or reply successfully afterwards: zombie_effects counts any that did.
  std::map<uint32_t, Time> fenced_at;
  int64_t zombie_effects = 0;
  int64_t zombie_refusals = 0;  // fenced operations the platform refused (expected)
  int64_t stale_messages = 0;   // refused for an old epoch or incarnation
  int64_t elections = 0;
  int64_t leader_changes = 0;
  int64_t snapshots = 0;          // snapshots stored (every replica's), each compacting its log
  int64_t snapshot_installs = 0;  // snapshots a lagging replica or a learner installed
  // member -> (applied slots, digest) of the replica serving it, updated as it applies.
  std::map<int, std::pair<uint64_t, uint64_t>> applied_by_member;
};

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_OUTCOME_H_
