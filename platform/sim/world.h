// World is the kernel side of a Simulation: the clock, the topology and its live state, the
// network, the processes, the fault rules, metrics and the trace. Simulation (public) forwards
// to it; SimProcess calls into it.
//
// Internal to platform/.
#ifndef DDC_PLATFORM_SIM_WORLD_H_
#define DDC_PLATFORM_SIM_WORLD_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "platform/config.h"
#include "platform/metrics.h"
#include "platform/process.h"
#include "platform/sim/kernel.h"
#include "platform/sim/network.h"
#include "platform/sim/trace.h"
#include "platform/topology.h"

namespace ddc::sim {

class SimProcess;

struct CeState {
  bool alive = true;
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
  bool Partitioned(CeId a, CeId b, Time at) const;

  SimProcess* process(ProcessId id) const;
  std::optional<ProcessId> FindProcess(absl::string_view name) const;
  std::string MetricsCsv() const;

  const PlatformConfig config;
  const uint64_t seed;
  const Mode mode;
  const Topology topology;
  Kernel kernel;
  Network network;
  Tracer tracer;
  Metrics metrics;
  std::vector<CeState> ces;
  std::vector<PartitionRule> partitions;
  std::vector<MessageRule> message_rules;

 private:
  void ScheduleConfiguredFaults();
  void Deliver(Envelope envelope);
  bool Matches(const std::optional<Endpoint>& e, CeId ce) const;

  std::vector<std::unique_ptr<SimProcess>> processes_;  // indexed by ProcessId
  std::map<std::string, ProcessId, std::less<>> by_name_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_WORLD_H_
