#include "platform/simulation.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "platform/cost_model.h"
#include "platform/os/sim_process.h"
#include "platform/sim/world.h"
#include "platform/status_macros.h"

namespace ddc {
namespace {

std::unique_ptr<sim::ProcessControl> MakeProcess(sim::World& world, ProcessId id,
                                                 ProcessSpec spec) {
  return std::make_unique<os::SimProcess>(world, id, std::move(spec));
}

void LogToStderr(absl::string_view line) { std::cerr << "ddc-sim: " << line << std::endl; }

absl::Status CheckFaultTarget(const sim::World& world, CeId ce, Time at) {
  if (Index(ce) >= world.topology().ces().size()) {
    return absl::NotFoundError(absl::StrCat("fault: no compute element with id ", Index(ce)));
  }
  if (at < world.kernel().now()) {
    return absl::InvalidArgumentError(
        absl::StrCat("fault: time ", at, " ns is in the past (now ", world.kernel().now(), " ns)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Simulation>> Simulation::Create(PlatformConfig config,
                                                               uint64_t seed) {
  ResolveConfig(config);
  DDC_RETURN_IF_ERROR(ValidateConfig(config));
  auto world = std::make_unique<sim::World>(std::move(config), seed, MakeProcess);
  world->set_log(LogToStderr);
  return std::unique_ptr<Simulation>(new Simulation(std::move(world)));
}

Simulation::Simulation(std::unique_ptr<sim::World> world) : world_(std::move(world)) {}
Simulation::~Simulation() = default;

const PlatformConfig& Simulation::config() const { return world_->config(); }
const Topology& Simulation::topology() const { return world_->topology(); }
Mode Simulation::mode() const { return world_->mode(); }
uint64_t Simulation::seed() const { return world_->seed(); }
Time Simulation::Now() const { return world_->kernel().now(); }
const Metrics& Simulation::metrics() const { return world_->metrics(); }
const StatsRegistry& Simulation::stats() const { return world_->stats(); }
std::string Simulation::MetricsCsv() const { return world_->MetricsCsv(); }
std::string Simulation::TraceJson() const { return world_->tracer().Json(); }
uint64_t Simulation::events_run() const { return world_->kernel().events_run(); }
void Simulation::RunUntil(Time limit) { world_->kernel().RunUntil(limit); }
void Simulation::RunUntilIdle() { world_->kernel().RunUntilIdle(); }

bool Simulation::RunUntil(absl::FunctionRef<bool()> done, Time limit) {
  if (done()) return true;
  world_->kernel().RunUntil(limit, &done);
  return done();
}

absl::StatusOr<ProcessId> Simulation::Spawn(ProcessSpec spec) {
  return world_->Spawn(std::move(spec));
}

std::optional<ProcessId> Simulation::FindProcess(absl::string_view name) const {
  return world_->FindProcess(name);
}

const std::vector<ProcessFailure>& Simulation::ProcessFailures() const {
  return world_->process_failures();
}

void Simulation::SetLog(std::function<void(absl::string_view)> log) {
  world_->set_log(std::move(log));
}

absl::StatusOr<CeId> Simulation::CeForRole(absl::string_view role,
                                           absl::string_view fallback) const {
  absl::string_view name = fallback;
  for (const config::Placement& p : world_->config().placements()) {
    if (p.process() == role) name = p.ce();
  }
  std::optional<CeId> ce = world_->topology().FindCe(name);
  if (!ce) {
    return absl::NotFoundError(
        absl::StrCat("placement of \"", role, "\": no compute element named \"", name, "\""));
  }
  return *ce;
}

ProcessStatus Simulation::Status(ProcessId id) const {
  const sim::ProcessControl* p = world_->process(id);
  if (p == nullptr) return {ProcessState::kFailed, 0, "no such process"};
  return p->status();
}

bool Simulation::CeAlive(CeId ce) const {
  return Index(ce) < world_->topology().ces().size() && world_->CeAlive(ce);
}

absl::Status Simulation::CrashCe(CeId ce, Time at) {
  DDC_RETURN_IF_ERROR(CheckFaultTarget(*world_, ce, at));
  world_->kernel().At(at, [w = world_.get(), ce] { w->CrashCe(ce); });
  return absl::OkStatus();
}

absl::Status Simulation::RestartCe(CeId ce, Time at) {
  DDC_RETURN_IF_ERROR(CheckFaultTarget(*world_, ce, at));
  world_->kernel().At(at, [w = world_.get(), ce] { w->RestartCe(ce); });
  return absl::OkStatus();
}

absl::Status Simulation::SlowCe(CeId ce, double slowdown, Time at) {
  DDC_RETURN_IF_ERROR(CheckFaultTarget(*world_, ce, at));
  if (!(slowdown > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("slow: slowdown must be > 0, got ", slowdown));
  }
  world_->kernel().At(at, [w = world_.get(), ce, slowdown] { w->SlowCe(ce, slowdown); });
  return absl::OkStatus();
}

absl::Status Simulation::PauseCe(CeId ce, Duration duration, Time at) {
  DDC_RETURN_IF_ERROR(CheckFaultTarget(*world_, ce, at));
  // The same bounds as a PAUSE in config.faults (at + duration must not overflow).
  if (duration <= 0 || duration > Seconds(3600)) {
    return absl::InvalidArgumentError(
        absl::StrCat("pause: duration must be in [1, ", Seconds(3600), "] ns, got ", duration));
  }
  if (at > kMaxVirtualTime) {
    return absl::InvalidArgumentError(
        absl::StrCat("pause: time ", at, " ns is beyond ", kMaxVirtualTime, " ns"));
  }
  world_->kernel().At(at, [w = world_.get(), ce, duration] { w->PauseCe(ce, duration); });
  return absl::OkStatus();
}

absl::Status Simulation::InjectFaults(const config::FaultSchedule& faults) {
  DDC_RETURN_IF_ERROR(ValidateFaultSchedule(world_->topology(), faults));
  const Time now = world_->kernel().now();
  auto check = [now](absl::string_view what, int i, Time at) -> absl::Status {
    if (at >= now) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat("faults.", what, "[", i, "]: time ", at,
                                                   " ns is in the past (now ", now, " ns)"));
  };
  for (int i = 0; i < faults.ce_faults_size(); ++i) {
    DDC_RETURN_IF_ERROR(check("ce_faults", i, faults.ce_faults(i).at_ns()));
  }
  for (int i = 0; i < faults.me_faults_size(); ++i) {
    DDC_RETURN_IF_ERROR(check("me_faults", i, faults.me_faults(i).at_ns()));
  }
  for (int i = 0; i < faults.partitions_size(); ++i) {
    DDC_RETURN_IF_ERROR(check("partitions", i, faults.partitions(i).at_ns()));
  }
  for (int i = 0; i < faults.message_faults_size(); ++i) {
    DDC_RETURN_IF_ERROR(check("message_faults", i, faults.message_faults(i).start_ns()));
  }
  world_->ScheduleFaults(faults);
  return absl::OkStatus();
}

absl::Status Simulation::Partition(absl::string_view a, absl::string_view b, Time at,
                                   Time heal_at) {
  std::optional<Endpoint> ea = world_->topology().FindEndpoint(a);
  std::optional<Endpoint> eb = world_->topology().FindEndpoint(b);
  if (!ea) return absl::NotFoundError(absl::StrCat("partition: no rack or element \"", a, "\""));
  if (!eb) return absl::NotFoundError(absl::StrCat("partition: no rack or element \"", b, "\""));
  if (a == b) {
    return absl::InvalidArgumentError(absl::StrCat("partition: a and b are both \"", a, "\""));
  }
  if (at < world_->kernel().now() || heal_at < at) {
    return absl::InvalidArgumentError(
        absl::StrCat("partition: need now <= at <= heal_at, got at=", at, " heal_at=", heal_at));
  }
  world_->AddPartition(*ea, *eb, at, heal_at);
  return absl::OkStatus();
}

}  // namespace ddc
