// The Paxos check target ("paxos"): a Multi-Paxos group of 3 or 5 replicas (paxos/), each with a
// standby in its rack, spread over 1 to 3 racks, with closed-loop clients issuing get, put,
// delete and CAS through the store's client library, under a drawn fault schedule that stays
// within what the store is built to survive (docs/checking.md, "## paxos"): faults on the CEs
// of at most a minority of replicas (crash, restart, pause, slowdown), the failure of an ME whose
// rack holds only those replicas, and message drop/delay/duplication and partitions anywhere.
//
// Invariants, each a function of recorded data so that a test can feed it tampered data and see
// it fail (paxos_target_test.cc):
//   linearizable           the clients' history is linearizable under the KV model
//   one value per slot     no two replica lives (originals, reincarnations, replacements, dead
//                          ones included, and what each persisted as chosen) know different
//                          values for a slot
//   equal digests          lives at the same applied index have equal state digests
//   zombies fenced         a life fenced by a steal had no persist, send or reply that began at
//                          or after the steal; no life acted on a message of an older epoch
//                          than its own, or of an older incarnation of a member once it had
//                          acted on a newer one
//   progress               clients completed operations in the liveness phase
//   exactly once           replaying the agreed log with a reference client table (first
//                          (client, seq) executes, retries do not), every acknowledged reply
//                          equals its one execution's result
//   clients see no error   no client got an unexpected error status
//   no process failure     no process of the store failed (returned an error)
//   store self-check       the store's own inline checks (paxos/check.h) found nothing
#ifndef DDC_HARNESS_CHECK_PAXOS_TARGET_H_
#define DDC_HARNESS_CHECK_PAXOS_TARGET_H_

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "common/lincheck/operation.h"
#include "harness/check/check.h"
#include "paxos/outcome.h"
#include "platform/simulation.h"

namespace ddc::check {

std::unique_ptr<CheckTarget> MakePaxosTarget();

namespace paxos_invariants {

inline constexpr char kLinearizable[] = "linearizable";
inline constexpr char kOneValuePerSlot[] = "one value per slot";
inline constexpr char kEqualDigests[] = "equal digests";
inline constexpr char kZombiesFenced[] = "zombies fenced";
inline constexpr char kProgress[] = "progress";
inline constexpr char kExactlyOnce[] = "exactly once";
inline constexpr char kClientErrors[] = "clients see no error";
inline constexpr char kNoProcessFailure[] = "no process failure";
inline constexpr char kSelfCheck[] = "store self-check";

// ClientTag ties a history operation (by its id) to the store command that carried it.
struct ClientTag {
  uint64_t client_id = 0;
  uint64_t seq = 0;
};

void CheckLinearizable(const std::vector<lincheck::Operation>& history,
                       std::vector<Violation>& out);
void CheckOneValuePerSlot(const std::vector<paxos::ReplicaLife>& lives,
                          std::vector<Violation>& out);
void CheckEqualDigests(const std::vector<paxos::ReplicaLife>& lives, std::vector<Violation>& out);
void CheckZombiesFenced(const std::vector<paxos::ReplicaLife>& lives,
                        const std::map<uint32_t, Time>& fenced_at, std::vector<Violation>& out);
void CheckProgress(int64_t liveness_operations, std::vector<Violation>& out);
void CheckExactlyOnce(const std::map<uint64_t, paxos::Batch>& chosen_log,
                      const std::vector<lincheck::Operation>& history,
                      const std::map<int64_t, ClientTag>& tags, std::vector<Violation>& out);
void CheckNoProcessFailure(const std::vector<ProcessFailure>& failures,
                           std::vector<Violation>& out);

}  // namespace paxos_invariants
}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_PAXOS_TARGET_H_
