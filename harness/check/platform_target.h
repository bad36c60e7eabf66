// The "platform" check target: swarm testing of the memory primitives themselves, under faults.
//
// Each seed draws a rack (harness/check/swarm.h), a CE cache line size and capacity (small caches
// evict, so unflushed writes reach MEs at random instants), one worker process per CE, the
// workers' operation mix, and a fault schedule over every CE and ME. Each worker loops over
// random operations on its memory until the run ends: allocate, write a page of random bytes,
// flush, read back, free, grant a region to a peer in its rack, steal from a peer (a region or
// the whole address space, with the right capability or a wrong one), and malformed calls. A
// shared ledger (checker state outside the simulated system) records, for every page, its owner
// and the checksums of what was acknowledged durable (a flush or grant returned) and of what was
// written since. At the safety phase's end a probe process starts on a live CE; it must get
// memory work done in the liveness phase.
//
// BUGGIFY (in half of the seeds): at a random allocate, flush, grant or steal call (one in 20 or
// one in 200, at most 3 per run, safety phase only) the caller's own CE crashes (1 in 4) or
// pauses for up to 1 ms, either during the call (the fault is scheduled at the call's instant, so
// it strikes at the call's first suspension, after its instantaneous state changes) or just
// after it returns. The draws come from the run's own stream Rng::ForStream(seed, "check",
// "platform", "buggify"), in event order. They are counted in faults_injected as buggify_crash
// and buggify_pause; the shrinker does not remove them (they are not in the schedule).
//
// Invariants (docs/checking.md, "The platform target"):
//   tables agree         Simulation::CheckMemoryInvariants is empty at random instants and at
//                        the end: no page owned twice, no frame backing two pages, V2P maps,
//                        owner index, ME page tables (owners, epochs) and CE V2P caches agree
//   stolen pages verify  every page a steal returns either matches a checksum the ledger knows
//                        for it, or, when the victim had unacknowledged writes, is reported torn
//                        and rewritten by the thief before use; a page acknowledged durable and
//                        not written since never comes back different
//   reads return writes  a read of one's own page returns the last bytes written to it
//   zombies are fenced   after a steal from a process returned, no operation that process starts
//                        succeeds
//   bad input refused    malformed calls (zero-size allocation, unaligned free, an unmapped
//                        address, stealing from oneself) return an error
//   primitives refused   in transparent mode grant, steal and trust groups return
//                        FAILED_PRECONDITION
//   addresses fresh      an allocation never returns a page the ledger already knows
//   no unexpected error  every error is one the operation documents for the situation
//   no process fails     no worker or probe returns an error
//   progress resumes     the probe completes allocate/write/flush/read rounds in the liveness
//                        phase (unless no memory element of its rack is left)
#ifndef DDC_HARNESS_CHECK_PLATFORM_TARGET_H_
#define DDC_HARNESS_CHECK_PLATFORM_TARGET_H_

#include <memory>

#include "harness/check/check.h"

namespace ddc::check {

std::unique_ptr<CheckTarget> NewPlatformTarget();

}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_PLATFORM_TARGET_H_
