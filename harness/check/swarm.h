// Swarm draws: the pieces of a Scenario that every check target draws the same way, so that "a
// seed's options" mean one thing across applications. Swarm testing (Groce et al., ISSTA 2012)
// varies not only the faults but which kinds of fault a run has at all, and how many: a seed with
// only pauses finds different bugs than a seed with everything at once.
//
// Ranges (docs/checking.md lists them with their reasons):
//   racks                  shape.min_racks .. shape.max_racks
//   CEs per rack           shape.min_ces .. shape.max_ces;  MEs per rack shape.min_mes .. max_mes
//   intra-rack RTT         1 .. 5 us          cross-rack RTT   10 .. 100 us
//   memory RTT             1 .. 5 us          NIC / memory bandwidth 25 .. 400 Gb/s
//   monitor heartbeat      0.5 .. 4 ms        missed beats     2 .. 8
//   page size              4 KiB (3 in 4 seeds) or 2 MiB when shape.allow_huge_pages
//   steal policy           TRUSTED_GROUP or GROUP_SECRET;  ME failure detection ON_ACCESS or
//                          ASYNC_LIVENESS
// Every draw comes from the Rng passed in, so a target derives it from (seed, target, what) and a
// change in one target's draws never shifts another's.
#ifndef DDC_HARNESS_CHECK_SWARM_H_
#define DDC_HARNESS_CHECK_SWARM_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/config.h"
#include "platform/random.h"
#include "platform/types.h"

namespace ddc::check {

struct PlatformShape {
  int min_racks = 1;
  int max_racks = 3;
  int min_ces = 2;
  int max_ces = 6;
  int min_mes = 1;
  int max_mes = 3;
  bool allow_huge_pages = false;
};

// DrawPlatform returns a valid config (ValidateConfig passes) with racks r0..r{n-1}, CEs ce0..,
// MEs me0.., and a cost model, monitor and memory policy drawn from the ranges above. It sets no
// mode, placement or fault.
PlatformConfig DrawPlatform(Rng& rng, const PlatformShape& shape);

// Draw helpers every target uses for its own knobs, over closed ranges with constant bounds:
// DrawBetween is uniform in [lo, hi] (lo <= hi), DrawCoin is true with probability p in [0, 1].
int64_t DrawBetween(Rng& rng, int64_t lo, int64_t hi);
bool DrawCoin(Rng& rng, double p);

// FaultPlan says which elements a target lets faults hit and how many of each kind at most. The
// number of each kind is drawn uniformly in [0, max] and then, swarm-style, each kind is left out
// entirely with probability 1/2. Every fault falls in [start, end); partitions and message faults
// heal by `end`, pauses end by `end`. A crashed CE is restarted, at a time drawn in (crash, end),
// with probability restart_probability.
struct FaultPlan {
  std::vector<std::string> ces;        // "rack/ce" names faults may hit
  std::vector<std::string> mes;        // "rack/me" names ME failures may hit
  std::vector<std::string> endpoints;  // racks or elements partitions and message faults use
  Time start = 0;
  Time end = 0;
  int max_ce_crashes = 1;
  double restart_probability = 0.5;
  int max_ce_pauses = 2;
  Duration max_pause = Milliseconds(50);
  int max_ce_slowdowns = 1;
  double max_slowdown = 10;
  int max_me_failures = 0;
  int max_message_faults = 2;  // windows of drop / duplicate / delay
  Duration max_message_delay = Milliseconds(5);
  int max_partitions = 1;
};

config::FaultSchedule DrawFaultSchedule(Rng& rng, const FaultPlan& plan);

// Fault kind names used in RunReport::faults_injected and in the summary.
inline constexpr char kCeCrash[] = "ce_crash";
inline constexpr char kCeRestart[] = "ce_restart";
inline constexpr char kCePause[] = "ce_pause";
inline constexpr char kCeSlow[] = "ce_slow";
inline constexpr char kMeFailure[] = "me_failure";
inline constexpr char kMessageFault[] = "message_fault";
inline constexpr char kPartition[] = "partition";

// CountFaults counts the faults of `schedule` by kind (the names above; kinds with no fault are
// absent).
std::map<std::string, int64_t> CountFaults(const config::FaultSchedule& schedule);

// FaultCount is the number of entries in `schedule`, the unit the shrinker removes.
int FaultCount(const config::FaultSchedule& schedule);

// WithoutFault returns `schedule` with its `index`-th entry removed, counting entries in the
// order ce_faults, message_faults, partitions, me_faults.
config::FaultSchedule WithoutFault(const config::FaultSchedule& schedule, int index);

}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_SWARM_H_
