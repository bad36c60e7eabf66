#include "platform/sim/world.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "platform/cost_model.h"
#include "platform/sim/process_control.h"

namespace ddc::sim {

World::World(PlatformConfig config, uint64_t seed, ProcessFactory factory)
    : config_(std::move(config)),
      seed_(seed),
      mode_(config_.mode() == config::PlatformConfig::TRANSPARENT ? Mode::kTransparent
                                                                  : Mode::kExposed),
      topology_(Topology::FromConfig(config_)),
      factory_(std::move(factory)),
      network_(topology_, config_.cost_model(), links_),
      fabric_(topology_, config_.cost_model(), links_, metrics_),
      tracer_(topology_, config_.trace().enabled(), config_.trace().max_events()) {
  ces_.resize(topology_.ces().size());
  const int64_t line = config_.memory().cache_line_bytes();
  for (size_t i = 0; i < ces_.size(); ++i) {
    ces_[i].core_free_at.assign(topology_.ces()[i].cores, 0);
    caches_.emplace_back(topology_.ces()[i].cache_lines, line);
  }
  const int64_t page_size = config_.memory().page_size();
  for (uint32_t i = 0; i < topology_.mes().size(); ++i) {
    const MeInfo& me = topology_.mes()[i];
    mes_.push_back(
        std::make_unique<mem::MemoryElement>(MeId{i}, me.name, me.capacity_bytes, page_size));
  }
  for (const RackInfo& rack : topology_.racks()) {
    std::vector<mem::MemoryElement*> rack_mes;
    for (MeId me : rack.mes) rack_mes.push_back(mes_[Index(me)].get());
    mmus_.push_back(std::make_unique<mem::RackMmu>(std::move(rack_mes), page_size,
                                                   config_.memory().steal_policy()));
  }
  ScheduleFaults(config_.faults());
}

World::~World() {
  // Kill every process, then run the coroutine unwinding asio posted for them, while the
  // processes and the world still exist (frame destructors, e.g. a Timer's, call into them).
  for (ProcessRecord& p : processes_) p.control->Kill();
  kernel_.io_context().restart();
  kernel_.io_context().poll();
}

absl::StatusOr<ProcessId> World::Spawn(ProcessSpec spec) {
  if (spec.name.empty()) return absl::InvalidArgumentError("spawn: process name is empty");
  if (by_name_.contains(spec.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("spawn: a process named \"", spec.name, "\" already exists"));
  }
  if (!spec.main) {
    return absl::InvalidArgumentError(absl::StrCat("spawn \"", spec.name, "\": main is empty"));
  }
  if (Index(spec.ce) >= ces_.size()) {
    return absl::NotFoundError(
        absl::StrCat("spawn \"", spec.name, "\": no compute element with id ", Index(spec.ce)));
  }
  if (!ces_[Index(spec.ce)].alive) {
    return absl::FailedPreconditionError(absl::StrCat("spawn \"", spec.name, "\": compute element ",
                                                      topology_.ce(spec.ce).name, " is down"));
  }
  const ProcessId id{static_cast<uint32_t>(processes_.size())};
  by_name_.emplace(spec.name, id);
  ces_[Index(spec.ce)].processes.push_back(id);
  const std::string name = spec.name;
  processes_.push_back(
      {factory_(*this, id, std::move(spec)), Rng::ForStream(seed_, "network", name)});
  metrics_.processes_spawned++;
  // The first launch, unless a crash and restart at this same instant already launched it
  // (RestartCe relaunches a process killed before its first launch).
  kernel_.After(0, [this, id] {
    if (!processes_[Index(id)].launched) Launch(id);
  });
  return id;
}

void World::Launch(ProcessId id) {
  ProcessRecord& record = processes_[Index(id)];
  if (!ces_[Index(record.control->ce())].alive) return;
  if (record.launched) {
    // A new incarnation: whoever spoke for the old one stops, and open calls are reset.
    ++record.incarnation;
    LiftStealRules(id);
    ResetCalls(id, "relaunched as a new incarnation", /*addressed_too=*/true);
  }
  record.launched = true;
  record.killed_in_outage = 0;
  metrics_.process_launches++;
  record.control->Launch(record.incarnation);
}

ProcessControl* World::process(ProcessId id) const {
  if (Index(id) >= processes_.size()) return nullptr;
  return processes_[Index(id)].control.get();
}

absl::StatusOr<ProcessControl*> World::RackPeer(ProcessId self, ProcessId other,
                                                absl::string_view op) const {
  ProcessControl* peer = process(other);
  if (peer == nullptr) {
    return absl::NotFoundError(absl::StrCat(op, ": no process with id ", Index(other)));
  }
  if (other == self) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": a process cannot target itself"));
  }
  if (topology_.ce(peer->ce()).rack != topology_.ce(process(self)->ce()).rack) {
    return absl::FailedPreconditionError(absl::StrCat(
        op, ": \"", peer->name(), "\" is in another rack; ", op, " works only within a rack"));
  }
  return peer;
}

std::optional<ProcessId> World::FindProcess(absl::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

void World::ReportProcessFailure(ProcessId id, const std::string& error) {
  const ProcessControl& p = *process(id);
  // The incarnation the process was launched as: the identity's own may have moved on to a
  // thief since (a zombie failing after a steal).
  const uint32_t incarnation = p.status().incarnation;
  metrics_.process_failures++;
  failures_.push_back({p.name(), incarnation, kernel_.now(), error});
  tracer_.Instant(p.track(), "failed", kernel_.now(),
                  absl::StrCat("\"error\":\"", JsonEscape(error), "\""));
  if (log_) {
    log_(absl::StrCat("process \"", p.name(), "\" (", topology_.ce(p.ce()).name, ", incarnation ",
                      incarnation, ") failed at ", kernel_.now(), " ns: ", error));
  }
  ResetCalls(id, "failed", /*addressed_too=*/false);
}

void World::ReportProcessExit(ProcessId id) {
  ResetCalls(id, "exited", /*addressed_too=*/false);
}

Duration World::ScaleCompute(CeId ce, Duration cost) const {
  const double factor = ces_[Index(ce)].slowdown / topology_.ce(ce).speed_factor;
  const double scaled = std::ceil(static_cast<double>(cost) * factor - 1e-9);
  // A cost beyond the cost model's range saturates like every other duration (cost_model.h).
  if (!(scaled < static_cast<double>(kMaxDuration))) return kMaxDuration;
  return std::max<Duration>(static_cast<Duration>(scaled), 0);
}

Time World::ReserveCore(CeId ce, Duration cost) {
  std::vector<Time>& cores = ces_[Index(ce)].core_free_at;
  auto core = std::min_element(cores.begin(), cores.end());
  const Time start = std::max(kernel_.now(), *core);
  *core = start + cost;
  return *core;
}

}  // namespace ddc::sim
