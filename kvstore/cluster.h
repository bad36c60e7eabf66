// LaunchCluster spawns a whole store on a simulation: four shards (the first three, or all four
// for scale in, own the slots at start and preload the records of their slots), the
// coordinator with its rebalancing plan, the YCSB clients and, optionally, a standby for the
// first shard. Everything runs in the first rack, so grants are possible and no message crosses
// racks; placements can be changed with config.placements (roles "kv-shard-<i>",
// "kv-coordinator", "kv-client-<i>", "kv-standby-0").
//
// The outcome (observer, client reports, history) must outlive the simulation's run.
#ifndef DDC_KVSTORE_CLUSTER_H_
#define DDC_KVSTORE_CLUSTER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/lincheck/history.h"
#include "kvstore/coordinator.h"
#include "kvstore/observer.h"
#include "kvstore/ycsb_client.h"
#include "platform/simulation.h"

namespace ddc::kvstore {

inline constexpr int kClusterShards = 4;

struct ClusterOptions {
  int64_t record_count = 1000;
  int64_t value_bytes = 1024;
  Plan plan = Plan::kNone;
  MigrationOptions migration;
  Duration warmup = Milliseconds(5);
  Duration cooldown = Milliseconds(5);
  std::optional<Duration> cancel_after;
  std::optional<ProcessId> target_override;
  // Clients.
  int clients = 2;
  YcsbMix mix = YcsbMix::kA;
  bool open_loop = false;
  double total_rate_per_s = 20000;  // open loop, over all clients
  int outstanding = 4;              // closed loop, per client
  Duration series_interval = Milliseconds(5);
  Duration call_timeout = Milliseconds(50);
  bool record_history = false;
  // verify: after the clients stop, a verifier reads every preloaded record back through the
  // client library (recorded in the history), so that a lost acknowledged write shows up as a
  // non-linearizable read.
  bool verify = false;
  // Failure: a standby for shard 0 (exposed mode steals and takes over).
  bool standby = false;
  Duration command_cpu = Microseconds(1);
};

struct ClusterOutcome {
  ClusterObserver observer;
  // Every client operation, cluster-wide, per interval of ClusterOptions::series_interval.
  std::optional<TimeSeries> series;
  std::vector<ClientReport> clients;
  lincheck::HistoryRecorder history;
  bool verify = false;
  bool verified = false;
  bool Finished() const {
    return observer.stop && observer.clients_done == static_cast<int>(clients.size()) &&
           (!verify || verified);
  }
};

struct ClusterDeployment {
  std::vector<ProcessId> shards;
  std::vector<CeId> shard_ces;
  ProcessId coordinator = kNoProcess;
};

std::string ShardName(int index);

absl::StatusOr<ClusterDeployment> LaunchCluster(Simulation& sim, const ClusterOptions& options,
                                                ClusterOutcome* outcome);

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_CLUSTER_H_
