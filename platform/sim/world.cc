#include "platform/sim/world.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "platform/sim/sim_process.h"

namespace ddc::sim {

World::World(PlatformConfig config_in, uint64_t seed_in)
    : config(std::move(config_in)),
      seed(seed_in),
      mode(config.mode() == config::PlatformConfig::TRANSPARENT ? Mode::kTransparent
                                                                  : Mode::kExposed),
      topology(Topology::FromConfig(config)),
      kernel(seed_in),
      network(topology, config.cost_model()),
      tracer(topology, config.trace().enabled(), config.trace().max_events()) {
  ces.resize(topology.ces().size());
  for (size_t i = 0; i < ces.size(); ++i) ces[i].core_free_at.assign(topology.ces()[i].cores, 0);
  ScheduleConfiguredFaults();
}

World::~World() {
  // Kill every process first so that coroutine frames unwind while the world is intact.
  for (auto& p : processes_) p->Kill();
}

void World::ScheduleConfiguredFaults() {
  const config::FaultSchedule& faults = config.faults();
  for (const config::CeFault& f : faults.ce_faults()) {
    const CeId ce = *topology.FindCe(f.ce());
    switch (f.kind()) {
      case config::CeFault::CRASH:
        kernel.At(f.at_ns(), [this, ce] { CrashCe(ce); });
        break;
      case config::CeFault::RESTART:
        kernel.At(f.at_ns(), [this, ce] { RestartCe(ce); });
        break;
      case config::CeFault::SLOW:
        kernel.At(f.at_ns(), [this, ce, s = f.slowdown()] { SlowCe(ce, s); });
        break;
    }
  }
  for (const config::Partition& p : faults.partitions()) {
    partitions.push_back(
        {*topology.FindEndpoint(p.a()), *topology.FindEndpoint(p.b()), p.at_ns(), p.heal_at_ns()});
  }
  for (const config::MessageFault& m : faults.message_faults()) {
    MessageRule rule{std::nullopt, std::nullopt, m};
    if (!m.from().empty()) rule.from = topology.FindEndpoint(m.from());
    if (!m.to().empty()) rule.to = topology.FindEndpoint(m.to());
    message_rules.push_back(std::move(rule));
  }
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
  if (Index(spec.ce) >= ces.size()) {
    return absl::NotFoundError(
        absl::StrCat("spawn \"", spec.name, "\": no compute element with id ", Index(spec.ce)));
  }
  if (!ces[Index(spec.ce)].alive) {
    return absl::FailedPreconditionError(absl::StrCat(
        "spawn \"", spec.name, "\": compute element ", topology.ce(spec.ce).name, " is down"));
  }
  const ProcessId id{static_cast<uint32_t>(processes_.size())};
  by_name_.emplace(spec.name, id);
  ces[Index(spec.ce)].processes.push_back(id);
  processes_.push_back(std::make_unique<SimProcess>(*this, id, std::move(spec)));
  metrics.processes_spawned++;
  SimProcess* p = processes_.back().get();
  kernel.After(0, [p] { p->Launch(); });
  return id;
}

SimProcess* World::process(ProcessId id) const {
  if (Index(id) >= processes_.size()) return nullptr;
  return processes_[Index(id)].get();
}

std::optional<ProcessId> World::FindProcess(absl::string_view name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

Duration World::ScaleCompute(CeId ce, Duration cost) const {
  const double factor = ces[Index(ce)].slowdown / topology.ce(ce).speed_factor;
  return static_cast<Duration>(std::ceil(static_cast<double>(cost) * factor - 1e-9));
}

Time World::ReserveCore(CeId ce, Duration cost) {
  std::vector<Time>& cores = ces[Index(ce)].core_free_at;
  auto core = std::min_element(cores.begin(), cores.end());
  const Time start = std::max(kernel.now(), *core);
  *core = start + cost;
  return *core;
}

bool World::Matches(const std::optional<Endpoint>& e, CeId ce) const {
  return !e || topology.Covers(*e, ce);
}

bool World::Partitioned(CeId a, CeId b, Time at) const {
  for (const PartitionRule& p : partitions) {
    if (at < p.at || at >= p.heal_at) continue;
    if ((topology.Covers(p.a, a) && topology.Covers(p.b, b)) ||
        (topology.Covers(p.a, b) && topology.Covers(p.b, a))) {
      return true;
    }
  }
  return false;
}

absl::Status World::Send(SimProcess& from, ProcessId to,
                         std::shared_ptr<const google::protobuf::Message> message) {
  SimProcess* dst = process(to);
  if (dst == nullptr) {
    return absl::NotFoundError(absl::StrCat("send from \"", from.name(), "\": no process with id ",
                                            Index(to)));
  }
  if (message == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("send from \"", from.name(), "\": null message"));
  }
  const int64_t bytes = static_cast<int64_t>(message->ByteSizeLong());
  const Time now = kernel.now();
  const CeId src_ce = from.ce();
  const CeId dst_ce = dst->ce();
  metrics.messages_sent++;
  metrics.bytes_sent += static_cast<uint64_t>(bytes);
  if (Partitioned(src_ce, dst_ce, now)) {
    metrics.dropped_by_partition++;
    return absl::OkStatus();
  }
  bool drop = false;
  bool duplicate = false;
  Duration extra_delay = 0;
  for (const MessageRule& rule : message_rules) {
    if (now < rule.spec.start_ns() || now >= rule.spec.end_ns()) continue;
    if (!Matches(rule.from, src_ce) || !Matches(rule.to, dst_ce)) continue;
    drop = kernel.Bernoulli(rule.spec.drop_probability()) || drop;
    duplicate = kernel.Bernoulli(rule.spec.duplicate_probability()) || duplicate;
    if (kernel.Bernoulli(rule.spec.delay_probability())) extra_delay += rule.spec.delay_ns();
  }
  if (drop) {
    metrics.dropped_by_fault++;
    return absl::OkStatus();
  }
  if (extra_delay > 0) metrics.delayed++;
  const int copies = duplicate ? 2 : 1;
  if (duplicate) metrics.duplicated++;
  for (int i = 0; i < copies; ++i) {
    const Time arrival = network.Transmit(src_ce, dst_ce, bytes, now) + extra_delay;
    kernel.At(arrival, [this, envelope = Envelope(from.id(), to, now, bytes, message)]() mutable {
      Deliver(std::move(envelope));
    });
  }
  return absl::OkStatus();
}

void World::Deliver(Envelope envelope) {
  SimProcess& dst = *processes_[Index(envelope.to())];
  if (!dst.alive()) {
    metrics.dropped_dead_destination++;
    return;
  }
  metrics.messages_delivered++;
  metrics.bytes_delivered += static_cast<uint64_t>(envelope.wire_bytes());
  if (tracer.enabled()) {
    tracer.Complete(dst.track(), envelope.message().GetDescriptor()->name(), envelope.sent_at(),
                    kernel.now() - envelope.sent_at(),
                    absl::StrCat("\"from\":", Index(envelope.from()),
                                 ",\"bytes\":", envelope.wire_bytes()));
  }
  dst.Deliver(std::move(envelope));
}

void World::CrashCe(CeId ce) {
  CeState& state = ces[Index(ce)];
  if (!state.alive) return;
  state.alive = false;
  metrics.ce_crashes++;
  tracer.Instant(tracer.CeTrack(ce), "crash", kernel.now());
  for (ProcessId id : state.processes) processes_[Index(id)]->Kill();
  std::fill(state.core_free_at.begin(), state.core_free_at.end(), 0);
}

void World::RestartCe(CeId ce) {
  CeState& state = ces[Index(ce)];
  if (state.alive) return;
  state.alive = true;
  state.slowdown = 1.0;
  metrics.ce_restarts++;
  tracer.Instant(tracer.CeTrack(ce), "restart", kernel.now());
  for (ProcessId id : state.processes) {
    SimProcess& p = *processes_[Index(id)];
    if (p.restart_on_reboot() && p.status().state == ProcessState::kCrashed) p.Launch();
  }
}

void World::SlowCe(CeId ce, double slowdown) {
  ces[Index(ce)].slowdown = slowdown;
  tracer.Instant(tracer.CeTrack(ce), "slow", kernel.now(),
                 absl::StrCat("\"slowdown\":", slowdown));
}

std::string World::MetricsCsv() const {
  std::string out = "metric,value\n";
  auto row = [&out](absl::string_view name, auto value) {
    absl::StrAppend(&out, name, ",", value, "\n");
  };
  row("virtual_time_ns", kernel.now());
  row("events", kernel.events_run());
  row("messages_sent", metrics.messages_sent);
  row("messages_delivered", metrics.messages_delivered);
  row("bytes_sent", metrics.bytes_sent);
  row("bytes_delivered", metrics.bytes_delivered);
  row("dropped_by_fault", metrics.dropped_by_fault);
  row("dropped_by_partition", metrics.dropped_by_partition);
  row("dropped_dead_destination", metrics.dropped_dead_destination);
  row("duplicated", metrics.duplicated);
  row("delayed", metrics.delayed);
  row("processes_spawned", metrics.processes_spawned);
  row("process_launches", metrics.process_launches);
  row("process_failures", metrics.process_failures);
  row("ce_crashes", metrics.ce_crashes);
  row("ce_restarts", metrics.ce_restarts);
  row("compute_ns", metrics.compute_ns);
  row("trace_events_dropped", tracer.dropped());
  for (const LinkStats& link : network.links()) {
    if (link.messages == 0) continue;
    row(link.name + ".messages", link.messages);
    row(link.name + ".bytes", link.bytes);
    row(link.name + ".busy_ns", link.busy_ns);
    row(link.name + ".queued_ns", link.queued_ns);
    row(link.name + ".max_queued_ns", link.max_queued_ns);
  }
  return out;
}

}  // namespace ddc::sim
