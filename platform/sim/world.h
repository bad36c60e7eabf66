// World is the kernel side of a Simulation: the clock, the topology and its live state, the
// memory hardware, the data network with its ToR rules, the process table, CE lifecycle and the
// rack monitor, metrics and the trace. Simulation (public) forwards to it; the per-process OS
// services (platform/os/) call into it through the methods below, never through its fields.
//
// Internal to platform/.
//
// The implementation is split by concern:
//   world.cc            construction, the process table, compute cores, failures of processes
//   world_faults.cc     scheduling a fault schedule
//   world_network.cc    sending and delivering messages, partitions, message faults, ToR rules,
//                       open calls and connection resets
//   world_lifecycle.cc  CE crash, restart, slowdown and pause; the rack monitor
//   world_memory.cc     memory-element failure and how it is reported
//   world_metrics.cc    the metrics CSV
#ifndef DDC_PLATFORM_SIM_WORLD_H_
#define DDC_PLATFORM_SIM_WORLD_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "platform/config.h"
#include "platform/memory/ce_cache.h"
#include "platform/memory/memory_element.h"
#include "platform/memory/rack_mmu.h"
#include "platform/metrics.h"
#include "platform/process.h"
#include "platform/random.h"
#include "platform/sim/kernel.h"
#include "platform/sim/links.h"
#include "platform/sim/memory_fabric.h"
#include "platform/sim/network.h"
#include "platform/sim/process_control.h"
#include "platform/sim/tor.h"
#include "platform/sim/trace.h"
#include "platform/simulation.h"
#include "platform/stats.h"
#include "platform/topology.h"

namespace ddc::sim {

// Outgoing is one message a process hands to the network.
struct Outgoing {
  ProcessId as = kNoProcess;  // the identity to send as (the sender's own id when kNoProcess)
  ProcessId to = kNoProcess;
  Envelope::Kind kind = Envelope::Kind::kOneWay;
  uint64_t call_id = 0;
  std::shared_ptr<const google::protobuf::Message> message;
};

class World {
 public:
  World(PlatformConfig config, uint64_t seed, ProcessFactory factory);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // ---- The rack ----
  const PlatformConfig& config() const { return config_; }
  uint64_t seed() const { return seed_; }
  Mode mode() const { return mode_; }
  const Topology& topology() const { return topology_; }
  Kernel& kernel() { return kernel_; }
  const Kernel& kernel() const { return kernel_; }
  Tracer& tracer() { return tracer_; }
  const Tracer& tracer() const { return tracer_; }
  Metrics& metrics() { return metrics_; }
  const Metrics& metrics() const { return metrics_; }
  StatsRegistry& stats() { return stats_; }
  const StatsRegistry& stats() const { return stats_; }
  MemoryFabric& fabric() { return fabric_; }
  Network& network() { return network_; }
  // cache is a CE's local cache (lines and cached V2P entries).
  mem::CeCache& cache(CeId ce) { return caches_[Index(ce)]; }
  mem::MemoryElement& me(MeId me) { return *mes_[Index(me)]; }
  const mem::MemoryElement& me(MeId me) const { return *mes_[Index(me)]; }
  // mmu is the Rack MMU of the rack `ce` belongs to.
  mem::RackMmu& mmu(CeId ce) { return *mmus_[Index(topology_.ce(ce).rack)]; }
  mem::RackMmu& rack_mmu(RackId rack) { return *mmus_[Index(rack)]; }

  // ---- Processes ----
  absl::StatusOr<ProcessId> Spawn(ProcessSpec spec);
  ProcessControl* process(ProcessId id) const;
  int num_processes() const { return static_cast<int>(processes_.size()); }
  std::optional<ProcessId> FindProcess(absl::string_view name) const;
  // RackPeer finds `other` for an operation `op` of `self` that works only within one rack
  // (grant, steal, standby registration): NOT_FOUND for an unknown id, INVALID_ARGUMENT when
  // `other` is `self`, FAILED_PRECONDITION when it runs in another rack.
  absl::StatusOr<ProcessControl*> RackPeer(ProcessId self, ProcessId other,
                                           absl::string_view op) const;
  // incarnation is the current incarnation of an identity (see Process::incarnation).
  uint32_t incarnation(ProcessId id) const { return processes_[Index(id)].incarnation; }
  // ReportProcessFailure records that a process failed (a thread returned an error or threw);
  // ReportProcessExit that all its threads returned. Calls in flight to it are reset.
  void ReportProcessFailure(ProcessId id, const std::string& error);
  void ReportProcessExit(ProcessId id);
  const std::vector<ProcessFailure>& process_failures() const { return failures_; }
  void set_log(std::function<void(absl::string_view)> log) { log_ = std::move(log); }

  // ---- Compute ----
  // ReserveCore books `cost` (already scaled) on the CE's earliest-free core and returns when the
  // work completes (before any later pause).
  Time ReserveCore(CeId ce, Duration cost);
  Duration ScaleCompute(CeId ce, Duration cost) const;
  bool CeAlive(CeId ce) const { return ces_[Index(ce)].alive; }
  // CePaused: the CE is alive but stands still (a PAUSE fault).
  bool CePaused(CeId ce) const { return ces_[Index(ce)].alive && ces_[Index(ce)].paused; }

  // ---- Data network (world_network.cc) ----
  // Send puts a message from `from` on the network. Errors: NOT_FOUND (unknown destination),
  // INVALID_ARGUMENT (no message), PERMISSION_DENIED (`from` is fenced, or may not send as
  // `out.as`). A send from a dead process's unwinding frames is dropped silently.
  absl::Status Send(ProcessControl& from, Outgoing out);
  // OpenCall and CloseCall track calls the callee has not answered yet, so that its failure,
  // exit, steal or relaunch resets them (see process.h). Send opens a call when a request leaves
  // and closes it when the reply leaves; the caller closes calls it stops waiting for. A call is
  // recorded under the identity it was addressed to and under its holder, the process the ToR
  // delivers it to (a thief, for a stolen identity). Call ids are unique in the run.
  uint64_t NextCallId() { return ++last_call_id_; }
  void OpenCall(uint64_t call_id, ProcessId callee, ProcessId caller);
  void CloseCall(uint64_t call_id);
  bool Partitioned(CeId a, CeId b, Time at) const;
  void AddPartition(Endpoint a, Endpoint b, Time at, Time heal_at);
  // InstallStealRules makes the ToR deliver traffic addressed to `victim` to `thief` and drop
  // traffic sent by `victim`; calls in flight to the victim are reset.
  void InstallStealRules(ProcessId victim, ProcessId thief);
  // LiftStealRules removes them when `process` is relaunched as a new incarnation.
  void LiftStealRules(ProcessId process);
  // SpeaksFor reports whether the ToR redirects `victim`'s traffic to `thief` (see TorRules).
  bool SpeaksFor(ProcessId thief, ProcessId victim) const { return tor_.SpeaksFor(thief, victim); }

  // ---- CE lifecycle and the rack monitor (world_lifecycle.cc) ----
  void CrashCe(CeId ce);
  void RestartCe(CeId ce);
  void SlowCe(CeId ce, double slowdown);
  void PauseCe(CeId ce, Duration duration);
  // AddStandby registers `standby` with the rack monitor for `watched`.
  void AddStandby(ProcessId watched, ProcessId standby);

  // ---- Memory-element failure (world_memory.cc) ----
  // FailMe loses every frame of an ME. Transparent mode kills the processes that used it;
  // exposed mode reports it on access, or to every user at once under ASYNC_LIVENESS.
  void FailMe(MeId me);
  // ReportMemoryFailure hands an access of `process` that found `me` dead to its CE OS.
  void ReportMemoryFailure(ProcessId process, MeId me);

  // ---- Faults (world_faults.cc) ----
  // ScheduleFaults schedules a validated fault schedule (the config's, or one injected later).
  void ScheduleFaults(const config::FaultSchedule& faults);

  // ---- Metrics (world_metrics.cc) ----
  std::string MetricsCsv() const;

 private:
  struct CeState {
    bool alive = true;
    bool paused = false;
    Time paused_until = 0;
    // An outage lasts from the moment the CE stops answering the rack monitor (it crashes or
    // pauses) until it answers again; outages are numbered so that a verdict can tell whether
    // the outage it was scheduled for is still going on.
    uint64_t outages = 0;
    bool in_outage = false;
    double slowdown = 1.0;
    std::vector<Time> core_free_at;
    std::vector<ProcessId> processes;  // in spawn order
  };
  struct ProcessRecord {
    std::unique_ptr<ProcessControl> control;
    // Message faults on what this process sends draw from a stream of their own, derived from
    // (seed, "network", name): one sender's traffic never shifts another's draws.
    Rng network_faults;
    uint32_t incarnation = 0;
    bool launched = false;
    uint64_t killed_in_outage = 0;  // the outage of its CE whose crash killed it (0: none)
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
  struct InFlight {
    ProcessControl* dst = nullptr;
    Envelope envelope;
  };

  // Launch starts the next incarnation of a process (world.cc).
  void Launch(ProcessId id);
  // ResetCalls fails every open call held by `process` and, with `addressed_too`, every open
  // call addressed to its identity (world_network.cc). A failure or an exit resets what the
  // process holds; a steal or a relaunch also what its identity was sent (the new owner of the
  // identity has no state for it).
  void ResetCalls(ProcessId process, absl::string_view why, bool addressed_too);
  void Deliver(ProcessControl& destination, Envelope envelope);
  // DeliverAt schedules Deliver at `arrival` (every message in flight goes through it).
  void DeliverAt(Time arrival, ProcessControl& destination, Envelope envelope);
  bool Matches(const std::optional<Endpoint>& e, CeId ce) const;
  // BeginOutage starts an outage of a responsive CE and schedules the monitor's verdict.
  void BeginOutage(CeId ce);
  // MonitorVerdict is the rack monitor declaring a CE dead, if outage `outage` still goes on.
  void MonitorVerdict(CeId ce, uint64_t outage);
  void EndPause(CeId ce);
  std::vector<Region> RegionsOn(ProcessId process, MeId me);

  const PlatformConfig config_;
  const uint64_t seed_;
  const Mode mode_;
  const Topology topology_;
  const ProcessFactory factory_;
  Kernel kernel_;
  Links links_;
  Network network_;
  Metrics metrics_;
  StatsRegistry stats_;
  MemoryFabric fabric_;
  Tracer tracer_;
  std::vector<CeState> ces_;
  std::vector<std::unique_ptr<mem::MemoryElement>> mes_;  // by MeId
  std::vector<std::unique_ptr<mem::RackMmu>> mmus_;       // by RackId
  std::vector<mem::CeCache> caches_;                      // by CeId

  std::vector<ProcessRecord> processes_;  // indexed by ProcessId
  std::map<std::string, ProcessId, std::less<>> by_name_;
  std::vector<ProcessFailure> failures_;
  std::function<void(absl::string_view)> log_;

  TorRules tor_;
  std::vector<PartitionRule> partitions_;
  std::vector<MessageRule> message_rules_;
  std::vector<InFlight> in_flight_;
  std::vector<uint32_t> in_flight_free_;
  // Calls not answered yet, by call id, and indexed by identity and by holder.
  struct OpenCallRecord {
    ProcessId identity;  // the process the request was addressed to
    ProcessId holder;    // the process the ToR delivers it to
    ProcessId caller;
  };
  std::map<uint64_t, OpenCallRecord> open_calls_;
  std::map<ProcessId, std::set<uint64_t>> open_calls_by_identity_;
  std::map<ProcessId, std::set<uint64_t>> open_calls_by_holder_;
  uint64_t last_call_id_ = 0;
  std::map<ProcessId, std::vector<ProcessId>> standbys_;  // watched -> standbys
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_WORLD_H_
