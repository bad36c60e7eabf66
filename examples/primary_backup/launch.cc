#include "examples/primary_backup/launch.h"

#include <initializer_list>
#include <limits>

#include "examples/primary_backup/backup.h"
#include "examples/primary_backup/client.h"
#include "examples/primary_backup/primary.h"
#include "examples/primary_backup/primary_backup.pb.h"
#include "examples/primary_backup/service.h"
#include "platform/cost_model.h"
#include "platform/status_macros.h"

namespace ddc::primary_backup {
namespace {

// LargestMessageBytes is the serialized size of the largest message the service sends: a
// ReplicateRequest or a ReadReply with both numbers at their widest.
int64_t LargestMessageBytes() {
  ReplicateRequest largest;
  largest.mutable_counter()->set_value(std::numeric_limits<uint64_t>::max());
  largest.mutable_counter()->set_last_client_seq(std::numeric_limits<uint64_t>::max());
  return static_cast<int64_t>(largest.ByteSizeLong());
}

// Timeouts applies the fair-timeouts rule (CostModel::AggressiveTimeouts) to the path between two
// CEs.
FailureTimeouts Timeouts(const Simulation& sim, CeId a, CeId b) {
  const Topology& topology = sim.topology();
  const bool same_rack = topology.ce(a).rack == topology.ce(b).rack;
  return CostModel(sim.config().cost_model()).AggressiveTimeouts(same_rack, LargestMessageBytes());
}

FailureTimeouts Slowest(std::initializer_list<FailureTimeouts> paths) {
  FailureTimeouts slowest;
  for (const FailureTimeouts& path : paths) {
    if (path.failure_timeout > slowest.failure_timeout) slowest = path;
  }
  return slowest;
}

}  // namespace

absl::StatusOr<Deployment> Launch(Simulation& sim, const Options& options, Outcome* outcome) {
  DDC_ASSIGN_OR_RETURN(const CeId primary_ce, sim.CeForRole(kPrimaryName, "r0/ce0"));
  DDC_ASSIGN_OR_RETURN(const CeId backup_ce, sim.CeForRole(kBackupName, "r0/ce1"));
  DDC_ASSIGN_OR_RETURN(const CeId client_ce, sim.CeForRole(kClientName, "r0/ce2"));
  ServiceConfig config;
  config.increments = options.increments;
  config.mean_think_time = options.mean_think_time;
  config.backstop_call_timeout = options.backstop_call_timeout;
  config.replica_timeouts = Timeouts(sim, primary_ce, backup_ce);
  // A call from the client may cross two paths (to the primary, which replicates to the backup
  // before it answers), and the client may call either replica: it allows for the slowest path.
  config.client_timeouts = Slowest({Timeouts(sim, client_ce, primary_ce),
                                    Timeouts(sim, client_ce, backup_ce), config.replica_timeouts});

  // Each main is a lambda that returns a call to a free coroutine, which copies `config` into its
  // own frame: nothing refers to this function's variables once it returns.
  Deployment deployment;
  deployment.primary_ce = primary_ce;
  DDC_ASSIGN_OR_RETURN(
      deployment.primary,
      sim.Spawn({.name = kPrimaryName, .ce = primary_ce, .main = [config](Process& self) {
                   return RunPrimary(self, config);
                 }}));
  Takeover* takeover = &outcome->takeover;
  DDC_ASSIGN_OR_RETURN(
      deployment.backup,
      sim.Spawn({.name = kBackupName, .ce = backup_ce, .main = [config, takeover](Process& self) {
                   return RunBackup(self, config, takeover);
                 }}));
  ClientReport* report = &outcome->client;
  DDC_ASSIGN_OR_RETURN(
      deployment.client,
      sim.Spawn({.name = kClientName, .ce = client_ce, .main = [config, report](Process& self) {
                   return RunClient(self, config, report);
                 }}));
  return deployment;
}

}  // namespace ddc::primary_backup
