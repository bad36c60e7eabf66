#include "paxos/launch.h"

#include "absl/strings/str_cat.h"
#include "paxos/client.h"
#include "paxos/replica.h"
#include "paxos/standby.h"
#include "platform/status_macros.h"

namespace ddc::paxos {

Placement DefaultPlacement(int replicas) {
  Placement p;
  for (int i = 0; i < replicas; ++i) {
    p.replica_ces.push_back(absl::StrCat("r", i, "/ce0"));
    p.standby_ces.push_back(absl::StrCat("r", i, "/ce1"));
  }
  for (int c = 0; c < 3; ++c) p.client_ces.push_back(absl::StrCat("r", replicas, "/ce", c));
  p.checkpoint_ce = absl::StrCat("r", replicas, "/ce3");
  return p;
}

PlatformConfig StoreConfig(PlatformConfig base, int replicas) {
  base.clear_racks();
  for (int r = 0; r <= replicas; ++r) {
    config::Rack* rack = base.add_racks();
    rack->set_name(absl::StrCat("r", r));
    for (int i = 0; i < 4; ++i) rack->add_compute_elements()->set_name(absl::StrCat("ce", i));
    for (int i = 0; i < 2; ++i) rack->add_memory_elements()->set_name(absl::StrCat("me", i));
  }
  return base;
}

namespace {

absl::StatusOr<CeId> Ce(const Simulation& sim, const std::string& name) {
  std::optional<CeId> ce = sim.topology().FindCe(name);
  if (!ce) return absl::NotFoundError(absl::StrCat("placement: no compute element \"", name, "\""));
  return *ce;
}

}  // namespace

absl::StatusOr<Deployment> Launch(Simulation& sim, const ServiceConfig& config,
                                  const Placement& placement, Outcome* outcome) {
  if (config.replicas < 1 || static_cast<int>(placement.replica_ces.size()) != config.replicas ||
      static_cast<int>(placement.standby_ces.size()) != config.replicas)
    return absl::InvalidArgumentError(
        absl::StrCat("placement: want ", config.replicas, " replica and standby CEs, got ",
                     placement.replica_ces.size(), " and ", placement.standby_ces.size()));
  if (placement.client_ces.empty()) return absl::InvalidArgumentError("placement: no client CE");
  Deployment d;
  for (int m = 0; m < config.replicas; ++m) {
    DDC_ASSIGN_OR_RETURN(const CeId ce, Ce(sim, placement.replica_ces[m]));
    d.replica_ces.push_back(ce);
    DDC_ASSIGN_OR_RETURN(
        const ProcessId id,
        sim.Spawn({.name = ReplicaName(m), .ce = ce, .main = [config, m, outcome](Process& self) {
                     return RunReplica(self, config, m, outcome);
                   }}));
    d.replicas.push_back(id);
  }
  for (int m = 0; m < config.replicas; ++m) {
    DDC_ASSIGN_OR_RETURN(const CeId ce, Ce(sim, placement.standby_ces[m]));
    DDC_ASSIGN_OR_RETURN(
        const ProcessId id,
        sim.Spawn({.name = StandbyName(m), .ce = ce, .main = [config, m, outcome](Process& self) {
                     return RunStandby(self, config, m, outcome);
                   }}));
    d.standbys.push_back(id);
  }
  if (!placement.checkpoint_ce.empty()) {
    DDC_ASSIGN_OR_RETURN(const CeId ce, Ce(sim, placement.checkpoint_ce));
    DDC_RETURN_IF_ERROR(
        sim.Spawn({.name = kCheckpointStoreName,
                   .ce = ce,
                   .main = [config](Process& self) { return RunCheckpointStore(self, config); }})
            .status());
  }
  for (int c = 0; c < config.clients; ++c) {
    DDC_ASSIGN_OR_RETURN(const CeId ce,
                         Ce(sim, placement.client_ces[c % placement.client_ces.size()]));
    DDC_ASSIGN_OR_RETURN(
        const ProcessId id,
        sim.Spawn({.name = ClientName(c), .ce = ce, .main = [config, c, outcome](Process& self) {
                     return RunClient(self, config, c, outcome);
                   }}));
    d.clients.push_back(id);
  }
  return d;
}

}  // namespace ddc::paxos
