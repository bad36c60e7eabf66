// PaxosRecoveryWorkload runs the Multi-Paxos store of paxos/ under a client load with one
// failure, for the `paxos-recovery` experiment.
//
//   setup    Launch the replicas (one per rack), their standbys, the checkpoint store and the
//            clients; schedule the scenario's fault.
//   finished when the clients are done and the failed member is back and caught up (or at the
//            horizon: a recovery that never completes is reported as such, not hidden).
//   check    CheckOutcome: one value per slot, equal digests at equal applied indexes, no zombie
//            effect, the history linearizable.
//   metrics  one row: the phases of the recovery (from the fault), the longest gap between
//            acknowledged writes, throughput and latency; IntervalRows gives one row per fixed
//            interval of virtual time.
#ifndef DDC_HARNESS_EXPERIMENTS_PAXOS_RECOVERY_WORKLOAD_H_
#define DDC_HARNESS_EXPERIMENTS_PAXOS_RECOVERY_WORKLOAD_H_

#include <string>
#include <vector>

#include "harness/workload.h"
#include "paxos/launch.h"
#include "paxos/outcome.h"
#include "paxos/service.h"
#include "platform/stats.h"

namespace ddc::harness {

// PaxosScenario is the failure of a run.
enum class PaxosScenario {
  kNone,
  kFollowerCrash,  // (a) a follower's compute element dies
  kLeaderCrash,    // (b) the leader's compute element dies
  kMemoryFailure,  // (c) the memory element under a live follower dies
  kPauseZombie,    // (d) a follower pauses past the monitor's verdict, then wakes as a zombie
};
const char* PaxosScenarioName(PaxosScenario scenario);

struct PaxosRecoveryOptions {
  paxos::ServiceConfig service;
  PaxosScenario scenario = PaxosScenario::kLeaderCrash;
  Time fault_at = Milliseconds(20);
  Duration pause = Milliseconds(30);             // scenario (d)
  Duration interval = Milliseconds(1);           // IntervalRows granularity
  Duration load_after_fault = Milliseconds(30);  // clients stop this long after the fault
  Duration recovery_budget = Milliseconds(500);  // horizon after the fault
  std::string label;                             // the sweep point, copied into every row
};

class PaxosRecoveryWorkload final : public Workload {
 public:
  explicit PaxosRecoveryWorkload(PaxosRecoveryOptions options) : options_(std::move(options)) {}

  absl::Status Setup(Simulation& sim) override;
  bool Finished() const override;
  Time time_limit() const override { return Horizon() + Seconds(1); }
  absl::Status Check(const Simulation& sim) override;
  std::vector<MetricRow> Metrics() const override;
  // The failed ME kills the replica's process in transparent mode; nothing else may fail.
  bool ExpectedFailure(const ProcessFailure& failure) const override;

  // IntervalRows: one row per interval of virtual time: acks, throughput, p50/p99 latency.
  std::vector<MetricRow> IntervalRows() const;
  // Latencies holds the latency of every acknowledged operation issued before the fault
  // (after_fault false) or at or after it (true), for the CDF file.
  absl::StatusOr<Histogram> Latencies(bool after_fault) const;
  const paxos::Outcome& outcome() const { return outcome_; }
  const PaxosRecoveryOptions& options() const { return options_; }
  // The member the scenario fails (-1 for none).
  int FailedMember() const;
  // LongestWriteGap is the longest time between two consecutive acknowledged writes.
  Duration LongestWriteGap() const;
  // FullHealthAt: when the failed member was caught up again (-1: never).
  Time FullHealthAt() const;

 private:
  Time Horizon() const { return options_.fault_at + options_.recovery_budget; }

  PaxosRecoveryOptions options_;
  paxos::Outcome outcome_;
  const Simulation* sim_ = nullptr;
};

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENTS_PAXOS_RECOVERY_WORKLOAD_H_
