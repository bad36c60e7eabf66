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
#include "paxos/paxos.pb.h"
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

// ReplicaLife is what one replica instance (a process serving a member: the original, a
// reincarnation or a replacement) saw and did, kept for the fault campaign's checks
// (harness/check/paxos_target.h), which compare every life's log with every other's, including
// lives that died. It is observation only: the store never reads it.
struct ReplicaLife {
  int member = -1;
  std::string process;         // the process's own name (a reincarnation runs in its standby)
  uint32_t process_index = 0;  // Index of the process's own id
  Time started_at = 0;
  // applied: slot -> hash of the batch this life applied there (every slot it applied).
  std::map<uint64_t, uint64_t> applied;
  // digest_at: applied index (slot + 1) -> the state digest after applying it.
  std::map<uint64_t, uint64_t> digest_at;
  // persisted_chosen: slot -> hash of a chosen value this life persisted to its ME log (learned
  // through FETCHED), so a dead life's last persisted state is compared as well.
  std::map<uint64_t, uint64_t> persisted_chosen;
  // last_effect_started: when the latest successful persist, send or reply of this life began
  // (-1: none). A life fenced by a steal (Outcome::fenced_at) must have none at or after it.
  Time last_effect_started = -1;
  // acted: the peer messages this life acted on, as one entry per change of (epoch, sender
  // incarnation) for a sender member: a fenced incarnation's messages must never be acted on
  // once a newer one of the same member was (nor any from an epoch older than the receiver's).
  struct Acted {
    Time at = 0;
    uint32_t from = 0;  // sender member
    uint64_t epoch = 0;
    uint32_t incarnation = 0;
    uint64_t receiver_epoch = 0;
  };
  std::vector<Acted> acted;
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
  // A learner's log catch-up (LogSinceRequests sent, most in flight at once).
  int64_t log_requests = 0;
  int64_t log_requests_in_flight_max = 0;
  // Every replica instance, in the order they started (ReplicaLife), and the batch first applied
  // at every slot (for the client-table check: replies must match one execution of the log).
  std::vector<ReplicaLife> lives;
  std::map<uint64_t, Batch> chosen_log;
  int64_t snapshots = 0;          // snapshots stored (every replica's), each compacting its log
  int64_t snapshot_installs = 0;  // snapshots a lagging replica or a learner installed
  // member -> (applied slots, digest) of the replica serving it, updated as it applies.
  std::map<int, std::pair<uint64_t, uint64_t>> applied_by_member;
};

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_OUTCOME_H_
