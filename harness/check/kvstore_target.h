// The "kvstore" check target: the sharded store of kvstore/ under swarm-drawn faults.
//
// Each seed draws a rack (one rack, 6 to 8 CEs), a store (records, value size, YCSB mix, open or
// closed loop, client count, call timeout), a rebalancing plan (scale out, scale in, split) and
// its migration knobs, and a fault schedule. Run launches the cluster of kvstore/cluster.h with a
// standby for shard 0, moves the plan's slots during the safety phase (by GRANT in exposed mode,
// by the drawn copy method, LEGACY or SNAPSHOT, in transparent mode: each mode's own mechanism,
// as the application runs them), keeps the clients running through the liveness phase, then
// reads every preloaded record back and checks:
//
//   no acknowledged write lost   the final read of every key returns the value of a write that
//                                no later acknowledged write overwrote (CheckNoLostWrite)
//   no stale read                every client operation is linearizable per key (CheckNoStaleRead)
//   one owner per slot per epoch every acquisition of a slot has a newer epoch than the last
//                                (CheckOneOwnerPerEpoch, from the shards' ownership records)
//   progress                     operations complete in the liveness phase, and every final read
//                                gets an answer unless the mode lost that slot (CheckProgress)
//   no unexpected failure        no process fails except as a documented consequence of a fault
//
// Each invariant is a function of recorded data, so a test can feed it a tampered record and
// see it fail. docs/checking.md ("## kvstore") gives the ranges and the fault plan's reasons.
#ifndef DDC_HARNESS_CHECK_KVSTORE_TARGET_H_
#define DDC_HARNESS_CHECK_KVSTORE_TARGET_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/lincheck/operation.h"
#include "harness/check/check.h"
#include "kvstore/coordinator.h"
#include "kvstore/kvstore.pb.h"
#include "kvstore/observer.h"
#include "kvstore/ycsb.h"

namespace ddc::check {

// KvKnobs are the store's drawn options; Scenario::options holds them as text (KvKnobsToOptions)
// and Run reads them back (KvKnobsFromOptions), so a scenario printed with a failing seed is the
// whole input of its replay.
struct KvKnobs {
  int64_t records = 200;
  int64_t value_bytes = 64;
  int clients = 2;
  kvstore::YcsbMix mix = kvstore::YcsbMix::kA;
  bool open_loop = false;
  double rate_per_s = 20000;  // open loop, all clients together
  int outstanding = 2;        // closed loop, per client
  Duration call_timeout = Milliseconds(5);
  kvstore::Plan plan = kvstore::Plan::kScaleOut;
  kvstore::Method copy_method = kvstore::LEGACY;  // the transparent run's method
  int keys_per_batch = 10;
  int slots_per_batch = 64;
  int64_t bytes_per_chunk = 64 << 10;
  Duration warmup = Milliseconds(1);
  // crash_after_rebalance, when set, crashes shard 0's CE that long after the rebalancing ends,
  // if that is still inside the safety phase (the target injects it: see Draw).
  std::optional<Duration> crash_after_rebalance;
  // crash_during_rebalance, when set, crashes shard 0's CE that long after the rebalancing
  // starts, if it is still running then and inside the safety phase (the target injects it).
  std::optional<Duration> crash_during_rebalance;
};

std::vector<std::pair<std::string, std::string>> KvKnobsToOptions(const KvKnobs& knobs);
// KvKnobsFromOptions parses what KvKnobsToOptions wrote; INVALID_ARGUMENT naming the option for a
// missing or malformed one.
absl::StatusOr<KvKnobs> KvKnobsFromOptions(
    const std::vector<std::pair<std::string, std::string>>& options);

// The invariants, as functions of what a run recorded. `history` is the cluster's client history
// (the preload as puts at time 0, client -1); `final_reader` is the client id of the verifier that
// reads every record after the clients stopped.
std::vector<Violation> CheckNoLostWrite(absl::Span<const lincheck::Operation> history,
                                        int64_t final_reader);
std::vector<Violation> CheckNoStaleRead(absl::Span<const lincheck::Operation> history);
std::vector<Violation> CheckOneOwnerPerEpoch(const kvstore::ClusterObserver& observer);
// CheckProgress: at least one operation completed in (safety_end, liveness_end], and every final
// read of a key got an answer, except for keys in `lost_slots` (slots a mode is documented to
// lose: a crashed shard's, in transparent mode).
std::vector<Violation> CheckProgress(absl::Span<const lincheck::Operation> history,
                                     int64_t final_reader, Time safety_end, Time liveness_end,
                                     const std::set<int>& lost_slots);

class KvstoreTarget : public CheckTarget {
 public:
  absl::string_view name() const override { return "kvstore"; }
  std::vector<std::string> invariants() const override;
  absl::StatusOr<Scenario> Draw(uint64_t seed) const override;
  absl::StatusOr<RunReport> Run(const Scenario& scenario, Mode mode) const override;
};

std::unique_ptr<CheckTarget> MakeKvstoreTarget();

}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_KVSTORE_TARGET_H_
