// KvRebalanceWorkload runs the sharded store of kvstore/ through one rebalancing (or none, to
// measure capacity) under YCSB load, for the `kv-rebalance` experiment.
//
//   setup    Launch the cluster (kvstore::LaunchCluster): four shards preload their records,
//            the coordinator runs the plan with the chosen method after a warm-up, the clients
//            run closed loop (capacity) or open loop at a given rate.
//   finished when the coordinator's schedule is over and every client has stopped.
//   check    the ownership audit (no slot owned by two shards at one epoch) and, with
//            histories, per-key linearizability of every client operation.
//   metrics  one row: the case, the method, the rebalancing's time, bytes, round trips (and the
//            analytic count), pauses, peak mapped memory, redirects seen by clients, and
//            throughput and latency before and during the rebalancing.
#ifndef DDC_HARNESS_EXPERIMENTS_KV_REBALANCE_WORKLOAD_H_
#define DDC_HARNESS_EXPERIMENTS_KV_REBALANCE_WORKLOAD_H_

#include <optional>
#include <string>
#include <vector>

#include "harness/workload.h"
#include "kvstore/cluster.h"
#include "platform/metrics.h"

namespace ddc::harness {

struct KvRebalanceCase {
  std::string name;  // e.g. "scale-out/A/50%"
  kvstore::ClusterOptions cluster;
  double load_fraction = 0;  // 0: closed loop
  std::string history_path;  // JSONL of every client operation, when not empty
};

class KvRebalanceWorkload final : public Workload {
 public:
  explicit KvRebalanceWorkload(KvRebalanceCase c) : case_(std::move(c)) {}

  absl::Status Setup(Simulation& sim) override;
  bool Finished() const override { return outcome_.Finished(); }
  Time time_limit() const override { return Seconds(3600); }
  absl::Status Check(const Simulation& sim) override;
  std::vector<MetricRow> Metrics() const override;

  // Throughput is the client operations per second of virtual time from the first operation to
  // the end of the run (capacity runs) or before the rebalancing.
  double ThroughputBefore() const;
  double ThroughputDuring() const;
  Duration RebalanceTime() const;
  // Latencies merges the clients' operation latencies before and during the rebalance; nullopt if
  // two clients' histograms could not merge (different precisions, which the clients never use).
  struct Latencies {
    Histogram before;
    Histogram during;
  };
  std::optional<Latencies> ClientLatencies() const;
  const kvstore::ClusterOutcome& outcome() const { return outcome_; }
  const KvRebalanceCase& spec() const { return case_; }

 private:
  KvRebalanceCase case_;
  kvstore::ClusterOutcome outcome_;
  ddc::Metrics at_start_;
  ddc::Metrics at_end_;
  Time ended_at_ = 0;
  bool checked_history_ = false;
};

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENTS_KV_REBALANCE_WORKLOAD_H_
