// Simulation is the public facade of the simulated rack runtime (SimGrid's s4u is the model): it
// builds a data center from a PlatformConfig and a seed, spawns application processes on compute
// elements, injects faults, runs virtual time forward, and exposes metrics, statistics, process
// failures and the trace.
//
//   auto sim = ddc::Simulation::Create(ddc::DefaultConfig(), /*seed=*/7).value();
//   absl::StatusOr<ddc::ProcessId> pong =
//       sim->Spawn({.name = "pong", .ce = *sim->topology().FindCe("r0/ce1"), .main = Pong});
//   sim->RunUntilIdle();
//   for (const ddc::ProcessFailure& f : sim->ProcessFailures()) ...  // nothing failed, one hopes
//
// A run is a function of (config, seed): the same pair gives byte-identical metrics and trace.
// Faults listed in config.faults are scheduled at creation; the fault methods below add more.
//
// Running time forward: processes run only inside RunUntil, RunFor and RunUntilIdle. A process
// spawned here begins at the current virtual time, when the simulation next runs. RunUntilIdle
// returns when no event is left, so it never returns while some process loops forever (a
// heartbeat thread that sleeps and beats, say): run such worlds with RunUntil(limit), or with
// RunUntil(done, limit), which stops as soon as `done()` holds.
//
// Failures are loud: a process that fails (returns an error status or throws) is logged, with
// its name, CE, incarnation and error, to the log (stderr unless SetLog changes it), counted in
// the metrics, and listed by ProcessFailures().
#ifndef DDC_PLATFORM_SIMULATION_H_
#define DDC_PLATFORM_SIMULATION_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "platform/config.h"
#include "platform/metrics.h"
#include "platform/process.h"
#include "platform/stats.h"
#include "platform/topology.h"

namespace ddc {

namespace sim {
class World;
}
class SimulationTestPeer;

// ProcessState is what the harness can observe of a process.
enum class ProcessState { kStarting, kRunning, kExited, kFailed, kCrashed };

struct ProcessStatus {
  ProcessState state;
  uint32_t incarnation;
  std::string error;  // why, when state is kFailed
};

// ProcessFailure records one process that failed: it returned an error status or threw.
struct ProcessFailure {
  std::string process;
  uint32_t incarnation = 0;
  Time at = 0;
  std::string error;
};

class Simulation {
 public:
  // Create validates `config` (resolving defaults first) and builds the data center.
  static absl::StatusOr<std::unique_ptr<Simulation>> Create(PlatformConfig config, uint64_t seed);
  ~Simulation();

  const PlatformConfig& config() const;
  const Topology& topology() const;
  Mode mode() const;
  uint64_t seed() const;
  Time Now() const;

  // Spawn starts a process at the current virtual time (it runs when the simulation next runs).
  // Errors: INVALID_ARGUMENT for an empty or duplicate name or a missing main, NOT_FOUND for an
  // unknown CE, FAILED_PRECONDITION for a crashed CE.
  absl::StatusOr<ProcessId> Spawn(ProcessSpec spec);
  // CeForRole returns the CE that config.placements assigns to `role`, else `fallback`
  // (a "rack/ce" name).
  absl::StatusOr<CeId> CeForRole(absl::string_view role, absl::string_view fallback) const;
  // FindProcess returns the id of the process spawned under `name`.
  std::optional<ProcessId> FindProcess(absl::string_view name) const;
  // Status reports a process's state; an id no process has reports kFailed, "no such process".
  ProcessStatus Status(ProcessId id) const;
  // ProcessFailures lists every process failure so far, in the order they happened.
  const std::vector<ProcessFailure>& ProcessFailures() const;
  // SetLog replaces where failures are logged (stderr by default); an empty function silences
  // the log (failures are still recorded).
  void SetLog(std::function<void(absl::string_view)> log);

  // RunUntil runs every event up to virtual time `limit`, then sets the clock to `limit`.
  void RunUntil(Time limit);
  // RunUntil(done, limit) also stops as soon as `done()` holds (checked after every event); it
  // returns whether `done()` held.
  bool RunUntil(absl::FunctionRef<bool()> done, Time limit);
  void RunFor(Duration d) { RunUntil(Now() + d); }
  void RunUntilIdle();

  // Faults, effective at virtual time `at` (>= now). They return INVALID_ARGUMENT for a time in
  // the past or a bad factor or duration, and NOT_FOUND for unknown elements. A fault at time t
  // runs after the events already scheduled for t. RestartCe brings the CE back at full speed (a
  // SlowCe factor does not survive the reboot). PauseCe stops the CE for `duration`: its
  // processes run no code and it misses the rack monitor's heartbeats, then everything resumes
  // (see docs/architecture.md, "Pause"). A partition drops messages *sent* while it is in force;
  // a message already on the wire when it starts still arrives.
  absl::Status CrashCe(CeId ce, Time at);
  absl::Status RestartCe(CeId ce, Time at);
  absl::Status SlowCe(CeId ce, double slowdown, Time at);
  absl::Status PauseCe(CeId ce, Duration duration, Time at);
  absl::Status Partition(absl::string_view a, absl::string_view b, Time at, Time heal_at);
  // InjectFaults adds a whole schedule (any kind of fault, as in config.faults) through the same
  // validation and scheduling as the config's own. Every time in it must be >= now.
  absl::Status InjectFaults(const config::FaultSchedule& faults);
  bool CeAlive(CeId ce) const;

  // CheckMemoryInvariants checks the platform's own memory tables against each other and returns
  // every inconsistency, one sentence each, in a deterministic order (empty: all agree): no page
  // is owned by two processes, no frame backs two pages, each rack MMU's V2P maps agree with its
  // owner index and with the page tables of the (live) MEs, including owner epochs, every frame
  // an ME counts as used is mapped, and every V2P entry a CE has cached matches its rack MMU.
  // For checkers (harness/check/platform_target.h) and tests; it changes nothing and costs no
  // virtual time.
  std::vector<std::string> CheckMemoryInvariants() const;

  const Metrics& metrics() const;
  // stats holds what processes recorded through Process::stats(), by (process, name).
  const StatsRegistry& stats() const;
  // MetricsCsv renders the counters and per-link statistics as "metric,value" rows.
  std::string MetricsCsv() const;
  // TraceJson renders the Chrome trace-event timeline.
  std::string TraceJson() const;
  uint64_t events_run() const;

 private:
  friend class SimulationTestPeer;  // platform tests reach the kernel side (platform/testing)
  explicit Simulation(std::unique_ptr<sim::World> world);
  std::unique_ptr<sim::World> world_;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_SIMULATION_H_
