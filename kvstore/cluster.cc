#include "kvstore/cluster.h"

#include "absl/strings/str_cat.h"
#include "kvstore/client.h"
#include "kvstore/command.h"
#include "kvstore/shard.h"
#include "kvstore/ycsb.h"
#include "platform/status_macros.h"

namespace ddc::kvstore {

namespace {

// Verify waits for the clients to finish, then reads every preloaded record.
asio::awaitable<absl::Status> Verify(Process& self, KvClientOptions kv, int64_t records,
                                     int clients, ClusterOutcome* outcome) {
  KvClient client(self, kv);
  DDC_CO_RETURN_IF_ERROR(co_await client.FetchTable());
  while (!outcome->observer.stop || outcome->observer.clients_done < clients) {
    co_await self.Sleep(Milliseconds(1));
  }
  for (int64_t record = 0; record < records; ++record) {
    absl::StatusOr<KvReply> reply = co_await client.Run(Get(RecordKey(record)));
    if (!reply.ok() && !absl::IsDeadlineExceeded(reply.status()) &&
        !absl::IsUnavailable(reply.status())) {
      co_return reply.status();
    }
  }
  outcome->verified = true;
  co_return absl::OkStatus();
}

}  // namespace

std::string ShardName(int index) { return absl::StrCat("kv-shard-", index); }

absl::StatusOr<ClusterDeployment> LaunchCluster(Simulation& sim, const ClusterOptions& options,
                                                ClusterOutcome* outcome) {
  if (options.record_count < 0 || options.value_bytes < 0 || options.clients < 0) {
    return absl::InvalidArgumentError("cluster: negative record count, value size or clients");
  }
  if (options.value_bytes > kMaxValueBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("cluster: value_bytes ", options.value_bytes, " exceeds ", kMaxValueBytes));
  }
  DDC_RETURN_IF_ERROR(ValidateMigrationOptions(options.migration));
  ClusterDeployment deployment;
  std::vector<std::string> names;
  for (int i = 0; i < kClusterShards; ++i) names.push_back(ShardName(i));
  const std::string coordinator_name = "kv-coordinator";

  ShardConfig shard;
  shard.shard_names = names;
  shard.coordinator = coordinator_name;
  shard.initial_shards = InitialShards(options.plan);
  shard.record_count = options.record_count;
  shard.value_bytes = options.value_bytes;
  shard.command_cpu = options.command_cpu;
  shard.call_timeout = options.migration.call_timeout;
  shard.give_up_after = options.migration.give_up_after;
  ClusterObserver* observer = &outcome->observer;
  for (int i = 0; i < kClusterShards; ++i) {
    DDC_ASSIGN_OR_RETURN(const CeId ce, sim.CeForRole(names[i], absl::StrCat("r0/ce", i)));
    ShardConfig config = shard;
    config.name = names[i];
    DDC_ASSIGN_OR_RETURN(
        const ProcessId id,
        sim.Spawn({.name = names[i], .ce = ce, .main = [config, observer](Process& self) {
                     return RunShard(self, config, observer);
                   }}));
    deployment.shards.push_back(id);
    deployment.shard_ces.push_back(ce);
  }
  if (options.standby) {
    ShardConfig config = shard;
    config.name = names[0];
    DDC_ASSIGN_OR_RETURN(const CeId ce, sim.CeForRole("kv-standby-0", "r0/ce3"));
    DDC_RETURN_IF_ERROR(
        sim.Spawn({.name = "kv-standby-0",
                   .ce = ce,
                   .main = [config, observer](
                               Process& self) { return RunShardStandby(self, config, observer); }})
            .status());
  }

  CoordinatorConfig coordinator;
  coordinator.shard_names = names;
  coordinator.plan = options.plan;
  coordinator.migration = options.migration;
  coordinator.warmup = options.warmup;
  coordinator.cooldown = options.cooldown;
  coordinator.cancel_after = options.cancel_after;
  coordinator.target_override = options.target_override;
  DDC_ASSIGN_OR_RETURN(const CeId coordinator_ce, sim.CeForRole(coordinator_name, "r0/ce3"));
  DDC_ASSIGN_OR_RETURN(deployment.coordinator,
                       sim.Spawn({.name = coordinator_name,
                                  .ce = coordinator_ce,
                                  .main = [coordinator, observer](Process& self) {
                                    return RunCoordinator(self, coordinator, observer);
                                  }}));

  outcome->clients.assign(options.clients, ClientReport());
  DDC_ASSIGN_OR_RETURN(TimeSeries series, TimeSeries::Create(options.series_interval));
  outcome->series = std::move(series);
  for (int i = 0; i < options.clients; ++i) {
    YcsbClientConfig config;
    config.ycsb = {.mix = options.mix,
                   .record_count = std::max<int64_t>(options.record_count, 1),
                   .value_bytes = options.value_bytes};
    config.client_index = i;
    config.client_count = options.clients;
    config.open_loop = options.open_loop;
    config.rate_per_s = options.total_rate_per_s / options.clients;
    config.outstanding = options.outstanding;
    config.series_interval = options.series_interval;
    config.kv.coordinator = coordinator_name;
    config.kv.call_timeout = options.call_timeout;
    config.kv.client_id = i;
    config.series = &*outcome->series;
    config.kv.history = options.record_history ? &outcome->history : nullptr;
    const std::string name = absl::StrCat("kv-client-", i);
    DDC_ASSIGN_OR_RETURN(const CeId ce, sim.CeForRole(name, absl::StrCat("r0/ce", 3 - i % 3)));
    ClientReport* report = &outcome->clients[i];
    DDC_RETURN_IF_ERROR(sim.Spawn({.name = name,
                                   .ce = ce,
                                   .main =
                                       [config, observer, report](Process& self) {
                                         return RunYcsbClient(self, config, observer, report);
                                       }})
                            .status());
  }
  if (options.record_history) {
    // The preload happens before any client starts: recorded as writes completed at time 0.
    for (int64_t record = 0; record < options.record_count; ++record) {
      const std::string key = RecordKey(record);
      lincheck::CallHandle put =
          outcome->history.Call(-1,
                                {.type = lincheck::OpType::kPut,
                                 .key = key,
                                 .value = RecordValue(key, 0, options.value_bytes),
                                 .expected = std::nullopt},
                                0);
      DDC_RETURN_IF_ERROR(outcome->history.Return(put, {}, 0));
    }
  }
  outcome->verify = options.verify;
  if (options.verify) {
    KvClientOptions kv;
    kv.coordinator = coordinator_name;
    kv.call_timeout = options.call_timeout;
    kv.client_id = options.clients;
    kv.history = options.record_history ? &outcome->history : nullptr;
    const int64_t records = options.record_count;
    const int clients = options.clients;
    DDC_ASSIGN_OR_RETURN(const CeId ce, sim.CeForRole("kv-verifier", "r0/ce3"));
    DDC_RETURN_IF_ERROR(sim.Spawn({.name = "kv-verifier",
                                   .ce = ce,
                                   .main =
                                       [kv, records, clients, outcome](Process& self) {
                                         return Verify(self, kv, records, clients, outcome);
                                       }})
                            .status());
  }
  return deployment;
}

}  // namespace ddc::kvstore
