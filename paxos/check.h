// CheckOutcome verifies what a run of the store must guarantee, from the processes' reports:
//   - at most one value chosen per slot, and equal state digests at equal applied indexes
//     (every replica, reincarnated or replaced, checked as it applies);
//   - no zombie effect: a process fenced by a steal never persisted, sent or replied afterwards;
//   - no client saw an unexpected error;
//   - the client history is linearizable under the KV model (so no acknowledged write is lost
//     and no retried write applied twice: either would make some get's answer impossible).
#ifndef DDC_PAXOS_CHECK_H_
#define DDC_PAXOS_CHECK_H_

#include "absl/status/status.h"
#include "paxos/outcome.h"

namespace ddc::paxos {

absl::Status CheckOutcome(const Outcome& outcome);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_CHECK_H_
