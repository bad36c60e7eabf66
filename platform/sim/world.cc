#include "platform/sim/world.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "platform/cost_model.h"
#include "platform/memory/sim_failures.h"
#include "platform/notices.pb.h"
#include "platform/sim/sim_process.h"

namespace ddc::sim {

World::World(PlatformConfig config_in, uint64_t seed_in)
    : config(std::move(config_in)),
      seed(seed_in),
      mode(config.mode() == config::PlatformConfig::TRANSPARENT ? Mode::kTransparent
                                                                : Mode::kExposed),
      topology(Topology::FromConfig(config)),
      kernel(seed_in),
      network(topology, config.cost_model(), links),
      fabric(topology, config.cost_model(), links, metrics),
      tracer(topology, config.trace().enabled(), config.trace().max_events()) {
  ces.resize(topology.ces().size());
  for (size_t i = 0; i < ces.size(); ++i) {
    ces[i].core_free_at.assign(topology.ces()[i].cores, 0);
    caches.emplace_back(topology.ces()[i].cache_lines);
  }
  const int64_t page_size = config.memory().page_size();
  for (uint32_t i = 0; i < topology.mes().size(); ++i) {
    const MeInfo& me = topology.mes()[i];
    mes.push_back(
        std::make_unique<mem::MemoryElement>(MeId{i}, me.name, me.capacity_bytes, page_size));
  }
  for (const RackInfo& rack : topology.racks()) {
    std::vector<mem::MemoryElement*> rack_mes;
    for (MeId me : rack.mes) rack_mes.push_back(mes[Index(me)].get());
    mmus.push_back(std::make_unique<mem::RackMmu>(std::move(rack_mes), page_size,
                                                  config.memory().steal_policy()));
  }
  ScheduleFaults(config.faults());
}

World::~World() {
  // Kill every process, then run the coroutine unwinding asio posted for them, while the
  // processes and the world still exist (frame destructors, e.g. a Timer's, call into them).
  for (auto& p : processes_) p->Kill();
  kernel.io_context().restart();
  kernel.io_context().poll();
}

void World::ScheduleFaults(const config::FaultSchedule& faults) {
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
  for (const config::MeFault& f : faults.me_faults()) {
    const MeId me = *topology.FindMe(f.me());
    kernel.At(f.at_ns(), [this, me] { FailMe(me); });
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
    return absl::FailedPreconditionError(absl::StrCat("spawn \"", spec.name, "\": compute element ",
                                                      topology.ce(spec.ce).name, " is down"));
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

absl::StatusOr<SimProcess*> World::RackPeer(const SimProcess& self, ProcessId other,
                                            absl::string_view op) const {
  SimProcess* peer = process(other);
  if (peer == nullptr) {
    return absl::NotFoundError(absl::StrCat(op, ": no process with id ", Index(other)));
  }
  if (other == self.id()) {
    return absl::InvalidArgumentError(absl::StrCat(op, ": a process cannot target itself"));
  }
  if (topology.ce(peer->ce()).rack != topology.ce(self.ce()).rack) {
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
    return absl::NotFoundError(
        absl::StrCat("send from \"", from.name(), "\": no process with id ", Index(to)));
  }
  // ToR rules installed by steals: the victim is fenced, and its traffic goes to the thief.
  if (fenced_.contains(from.id())) {
    metrics.dropped_by_fence++;
    return absl::OkStatus();
  }
  for (auto r = redirects_.find(dst->id()); r != redirects_.end(); r = redirects_.find(dst->id())) {
    dst = process(r->second);
    metrics.redirected++;
  }
  if (message == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("send from \"", from.name(), "\": null message"));
  }
  // A crashed process's coroutine frames are unwound after the event that killed it; nothing
  // their destructors try to send may leave the dead CE.
  if (!from.alive()) {
    metrics.dropped_dead_source++;
    return absl::OkStatus();
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
    // The last copy takes `message`.
    DeliverAt(arrival, *dst,
              Envelope(from.id(), to, now, bytes, i + 1 == copies ? std::move(message) : message));
  }
  return absl::OkStatus();
}

void World::DeliverAt(Time arrival, SimProcess& destination, Envelope envelope) {
  // The envelope waits in a World-owned slab, so the event captures 12 bytes and fits in the
  // callback's inline storage (no allocation per message).
  uint32_t slot;
  if (in_flight_free_.empty()) {
    slot = static_cast<uint32_t>(in_flight_.size());
    in_flight_.emplace_back();
  } else {
    slot = in_flight_free_.back();
    in_flight_free_.pop_back();
  }
  in_flight_[slot] = {&destination, std::move(envelope)};
  kernel.At(arrival, [this, slot] {
    InFlight f = std::move(in_flight_[slot]);
    in_flight_free_.push_back(slot);
    Deliver(*f.dst, std::move(f.envelope));
  });
}

void World::Deliver(SimProcess& dst, Envelope envelope) {
  if (!dst.alive()) {
    metrics.dropped_dead_destination++;
    return;
  }
  metrics.messages_delivered++;
  metrics.bytes_delivered += static_cast<uint64_t>(envelope.wire_bytes());
  if (tracer.enabled()) {
    tracer.Complete(
        dst.track(), envelope.message().GetDescriptor()->name(), envelope.sent_at(),
        kernel.now() - envelope.sent_at(),
        absl::StrCat("\"from\":", Index(envelope.from()), ",\"bytes\":", envelope.wire_bytes()));
  }
  dst.Deliver(std::move(envelope));
}

void World::CrashCe(CeId ce) {
  CeState& state = ces[Index(ce)];
  if (!state.alive) return;
  state.alive = false;
  metrics.ce_crashes++;
  tracer.Instant(tracer.CeTrack(ce), "crash", kernel.now());
  const uint64_t crash = ++state.crashes;
  for (ProcessId id : state.processes) {
    SimProcess& p = *processes_[Index(id)];
    if (p.alive()) p.set_killed_by_crash(crash);
    p.Kill();
  }
  std::fill(state.core_free_at.begin(), state.core_free_at.end(), 0);
  // CE-local memory is gone: cached pages (dirty ones included) and cached V2P entries.
  caches[Index(ce)].Clear();
  // The rack monitor pings every CE at multiples of the interval; a CE that misses
  // `missed_beats` consecutive beats is declared dead once the last ping's reply is overdue
  // (one intra-rack RTT). The verdict time is computed here instead of simulating every beat.
  const int64_t interval = config.monitor().heartbeat_interval_ns();
  const int64_t first_missed = (kernel.now() + interval - 1) / interval;
  const Time verdict = (first_missed + config.monitor().missed_beats() - 1) * interval +
                       config.cost_model().intra_rack_rtt_ns();
  kernel.At(verdict, [this, ce, crash] { MonitorVerdict(ce, crash); });
}

void World::MonitorVerdict(CeId ce, uint64_t crash) {
  const CeState& state = ces[Index(ce)];
  if (state.alive || state.crashes != crash) return;
  metrics.monitor_detections++;
  tracer.Instant(tracer.CeTrack(ce), "declared dead by rack monitor", kernel.now());
  if (mode == Mode::kTransparent) return;
  for (ProcessId id : state.processes) {
    auto it = standbys_.find(id);
    // Only processes this crash killed are announced (not ones that had already exited).
    if (it == standbys_.end() || processes_[Index(id)]->killed_by_crash() != crash) continue;
    platform::ProcessDeathNotice notice;
    notice.set_process(Index(id));
    notice.set_compute_element(topology.ce(ce).name);
    notice.set_detected_at_ns(kernel.now());
    auto shared = std::make_shared<const platform::ProcessDeathNotice>(notice);
    const int64_t bytes = static_cast<int64_t>(shared->ByteSizeLong());
    for (ProcessId standby : it->second) {
      // The monitor sits at the ToR: one intra-rack hop to the standby's CE.
      const Time arrival = kernel.now() + config.cost_model().intra_rack_rtt_ns() / 2 +
                           TransmissionNs(bytes, config.cost_model().nic_bandwidth_gbps());
      metrics.death_notices++;
      DeliverAt(arrival, *process(standby), Envelope(id, standby, kernel.now(), bytes, shared));
    }
  }
}

void World::AddStandby(ProcessId watched, ProcessId standby) {
  std::vector<ProcessId>& list = standbys_[watched];
  if (std::find(list.begin(), list.end(), standby) == list.end()) list.push_back(standby);
}

void World::LiftStealRules(ProcessId process) {
  if (fenced_.erase(process) + redirects_.erase(process) > 0) {
    tracer.Instant(tracer.FabricTrack(), "tor rules lifted", kernel.now(),
                   absl::StrCat("\"process\":", Index(process)));
  }
}

void World::InstallStealRules(ProcessId victim, ProcessId thief) {
  redirects_[victim] = thief;
  redirects_.erase(thief);  // a thief that was itself stolen from is taking its address back
  fenced_.insert(victim);
  fenced_.erase(thief);
  tracer.Instant(tracer.FabricTrack(), "tor redirect+fence", kernel.now(),
                 absl::StrCat("\"victim\":", Index(victim), ",\"thief\":", Index(thief)));
}

std::vector<Region> World::RegionsOn(ProcessId process, MeId me) {
  return mem::CoalescePages(mmus[Index(topology.me(me).rack)]->PagesOn(process, me),
                            config.memory().page_size());
}

void World::ReportMemoryFailure(SimProcess& p, MeId me) {
  if (mode == Mode::kTransparent) return;
  p.failures_impl().OnMemoryFailure(
      {topology.me(me).name, RegionsOn(p.id(), me), mes[Index(me)]->failed_at()}, Index(me));
}

void World::FailMe(MeId me) {
  mem::MemoryElement& element = *mes[Index(me)];
  if (!element.alive()) return;
  // Who used the ME is read before the frames are lost.
  const std::vector<ProcessId> users = mmus[Index(topology.me(me).rack)]->ProcessesUsing(me);
  std::vector<std::vector<Region>> lost;
  for (ProcessId user : users) lost.push_back(RegionsOn(user, me));
  element.Fail(kernel.now());
  metrics.me_failures++;
  tracer.Instant(tracer.MeTrack(me), "failed", kernel.now());
  if (mode == Mode::kTransparent) {
    // LegoOS-like: the OS cannot mask the loss, so the processes using that memory die.
    for (ProcessId user : users) {
      SimProcess& p = *processes_[Index(user)];
      if (!p.alive()) continue;
      p.Kill();
      metrics.processes_killed_by_memory_failure++;
    }
    return;
  }
  if (config.memory().failure_detection() != config::MemoryConfig::ASYNC_LIVENESS) return;
  // The interconnect's liveness reports the failure to every CE mapping that ME, one memory
  // one-way latency later.
  const Time at = kernel.now() + config.cost_model().memory_rtt_ns() / 2;
  for (size_t i = 0; i < users.size(); ++i) {
    SimProcess* p = processes_[Index(users[i])].get();
    kernel.At(at, [this, p, me, regions = std::move(lost[i]), failed = kernel.now()] {
      if (!p->alive() || !ces[Index(p->ce())].alive) return;
      p->failures_impl().OnMemoryFailure({topology.me(me).name, regions, failed}, Index(me));
    });
  }
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
  tracer.Instant(tracer.CeTrack(ce), "slow", kernel.now(), absl::StrCat("\"slowdown\":", slowdown));
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
  row("dropped_dead_source", metrics.dropped_dead_source);
  row("duplicated", metrics.duplicated);
  row("delayed", metrics.delayed);
  row("processes_spawned", metrics.processes_spawned);
  row("process_launches", metrics.process_launches);
  row("process_failures", metrics.process_failures);
  row("ce_crashes", metrics.ce_crashes);
  row("ce_restarts", metrics.ce_restarts);
  row("compute_ns", metrics.compute_ns);
  row("cache_hits", metrics.cache_hits);
  row("cache_misses", metrics.cache_misses);
  row("writebacks", metrics.writebacks);
  row("writeback_failures", metrics.writeback_failures);
  row("memory_round_trips", metrics.memory_round_trips);
  row("memory_bytes", metrics.memory_bytes);
  row("grants", metrics.grants);
  row("pages_granted", metrics.pages_granted);
  row("steals", metrics.steals);
  row("pages_stolen", metrics.pages_stolen);
  row("mmu_pages_updated", metrics.mmu_pages_updated);
  row("me_failures", metrics.me_failures);
  row("processes_killed_by_memory_failure", metrics.processes_killed_by_memory_failure);
  row("memory_failure_reports", metrics.memory_failure_reports);
  row("memory_failure_forwards", metrics.memory_failure_forwards);
  row("monitor_detections", metrics.monitor_detections);
  row("death_notices", metrics.death_notices);
  row("dropped_by_fence", metrics.dropped_by_fence);
  row("redirected", metrics.redirected);
  row("trace_events_dropped", tracer.dropped());
  for (const LinkStats& link : links.stats()) {
    if (link.transfers == 0) continue;
    row(link.name + ".transfers", link.transfers);
    row(link.name + ".bytes", link.bytes);
    row(link.name + ".busy_ns", link.busy_ns);
    row(link.name + ".queued_ns", link.queued_ns);
    row(link.name + ".max_queued_ns", link.max_queued_ns);
  }
  return out;
}

}  // namespace ddc::sim
