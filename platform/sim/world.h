// World is the kernel side of a Simulation: the clock, the topology and its live state, the
// network, the processes, the fault rules, metrics and the trace. Simulation (public) forwards
// to it; SimProcess calls into it.
//
// Internal to platform/.
#ifndef DDC_PLATFORM_SIM_WORLD_H_
#define DDC_PLATFORM_SIM_WORLD_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "platform/config.h"
#include "platform/memory/memory_element.h"
#include "platform/memory/page_cache.h"
#include "platform/memory/rack_mmu.h"
#include "platform/metrics.h"
#include "platform/process.h"
#include "platform/sim/kernel.h"
#include "platform/sim/links.h"
#include "platform/sim/memory_fabric.h"
#include "platform/sim/network.h"
#include "platform/sim/trace.h"
#include "platform/topology.h"

namespace ddc::sim {

class SimProcess;

struct CeState {
  bool alive = true;
  uint64_t crashes = 0;  // lets a scheduled monitor verdict see whether the CE came back
  double slowdown = 1.0;
  std::vector<Time> core_free_at;
  std::vector<ProcessId> processes;  // in spawn order
};

struct PartitionRule {
  Endpoint a;
  Endpoint b;
  Time at;
  Time heal_at;
};

struct MessageRule {
  std::optional<Endpoint> from;
  std::optional<Endpoint> to;
  config::MessageFault spec;
};

class World {
 public:
  World(PlatformConfig config, uint64_t seed);
  ~World();

  absl::StatusOr<ProcessId> Spawn(ProcessSpec spec);
  absl::Status Send(SimProcess& from, ProcessId to,
                    std::shared_ptr<const google::protobuf::Message> message);
  // ReserveCore books `cost` (already scaled) on the CE's earliest-free core and returns when the
  // work completes.
  Time ReserveCore(CeId ce, Duration cost);
  Duration ScaleCompute(CeId ce, Duration cost) const;

  void CrashCe(CeId ce);
  void RestartCe(CeId ce);
  void SlowCe(CeId ce, double slowdown);
  // FailMe loses every frame of an ME. Transparent mode kills the processes that used it;
  // exposed mode reports it on access, or to every user at once under ASYNC_LIVENESS.
  void FailMe(MeId me);
  bool Partitioned(CeId a, CeId b, Time at) const;

  mem::RackMmu& mmu(CeId ce) { return *mmus[Index(topology.ce(ce).rack)]; }
  // InstallStealRules makes the ToR deliver traffic addressed to `victim` to `thief` and drop
  // traffic sent by `victim`.
  void InstallStealRules(ProcessId victim, ProcessId thief);
  // LiftStealRules removes them when the victim is relaunched as a new incarnation.
  void LiftStealRules(ProcessId process);
  // ReportMemoryFailure hands an access that found `me` dead to the process's CE OS.
  void ReportMemoryFailure(SimProcess& process, MeId me);
  // AddStandby registers `standby` with the rack monitor for `watched`.
  void AddStandby(ProcessId watched, ProcessId standby);

  // ScheduleFaults schedules a validated fault schedule (the config's, or one injected later).
  void ScheduleFaults(const config::FaultSchedule& faults);

  SimProcess* process(ProcessId id) const;
  // RackPeer finds `other` for an operation `op` of `self` that works only within one rack
  // (grant, steal, standby registration): NOT_FOUND for an unknown id, INVALID_ARGUMENT when
  // `other` is `self`, FAILED_PRECONDITION when it runs in another rack.
  absl::StatusOr<SimProcess*> RackPeer(const SimProcess& self, ProcessId other,
                                       absl::string_view op) const;
  std::optional<ProcessId> FindProcess(absl::string_view name) const;
  std::string MetricsCsv() const;

  const PlatformConfig config;
  const uint64_t seed;
  const Mode mode;
  const Topology topology;
  Kernel kernel;
  Links links;
  Network network;
  MemoryFabric fabric;
  Tracer tracer;
  Metrics metrics;
  std::vector<CeState> ces;
  std::vector<std::unique_ptr<mem::MemoryElement>> mes;  // by MeId
  std::vector<std::unique_ptr<mem::RackMmu>> mmus;       // by RackId
  std::vector<mem::PageCache> caches;                    // by CeId
  std::vector<PartitionRule> partitions;
  std::vector<MessageRule> message_rules;

 private:
  void Deliver(SimProcess& destination, Envelope envelope);
  // DeliverAt schedules Deliver at `arrival` (every message in flight goes through it).
  void DeliverAt(Time arrival, SimProcess& destination, Envelope envelope);
  struct InFlight {
    SimProcess* dst = nullptr;
    Envelope envelope;
  };
  std::vector<InFlight> in_flight_;
  std::vector<uint32_t> in_flight_free_;
  // MonitorVerdict is the rack monitor declaring a CE dead, if it has stayed down since `crash`.
  void MonitorVerdict(CeId ce, uint64_t crash);
  std::vector<Region> RegionsOn(ProcessId process, MeId me);
  bool Matches(const std::optional<Endpoint>& e, CeId ce) const;

  std::vector<std::unique_ptr<SimProcess>> processes_;  // indexed by ProcessId
  std::map<std::string, ProcessId, std::less<>> by_name_;
  std::map<ProcessId, ProcessId> redirects_;  // victim -> thief
  std::set<ProcessId> fenced_;
  std::map<ProcessId, std::vector<ProcessId>> standbys_;  // watched -> standbys
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_WORLD_H_
