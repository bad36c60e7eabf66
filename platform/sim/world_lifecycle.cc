// CE lifecycle (crash, restart, slowdown, pause) and the rack monitor.
//
// The rack monitor pings every CE at multiples of heartbeat_interval_ns. A CE that stops
// answering at time t (it crashed or paused) misses the beats from ceil(t / interval) on; after
// `missed_beats` missed beats the monitor declares it dead once the reply to the last one is
// overdue (one intra-rack RTT). The verdict time is computed when the outage begins instead of
// simulating every beat, which keeps idle runs idle. If the CE answers again before the verdict
// (it restarted, or its pause ended), there is no verdict.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "platform/cost_model.h"
#include "platform/notices.pb.h"
#include "platform/sim/process_control.h"
#include "platform/sim/world.h"

namespace ddc::sim {

void World::BeginOutage(CeId ce) {
  CeState& state = ces_[Index(ce)];
  if (state.in_outage) return;  // e.g. a crash during a pause: the CE was already silent
  state.in_outage = true;
  const uint64_t outage = ++state.outages;
  const int64_t interval = config_.monitor().heartbeat_interval_ns();
  const int64_t first_missed = (kernel_.now() + interval - 1) / interval;
  const Time verdict = (first_missed + config_.monitor().missed_beats() - 1) * interval +
                       config_.cost_model().intra_rack_rtt_ns();
  kernel_.At(verdict, [this, ce, outage] { MonitorVerdict(ce, outage); });
}

void World::CrashCe(CeId ce) {
  CeState& state = ces_[Index(ce)];
  if (!state.alive) return;
  BeginOutage(ce);
  state.alive = false;
  state.paused = false;
  state.paused_until = 0;  // a pause after the restart must not inherit this one's end
  metrics_.ce_crashes++;
  tracer_.Instant(tracer_.CeTrack(ce), "crash", kernel_.now());
  for (ProcessId id : state.processes) {
    ProcessRecord& record = processes_[Index(id)];
    if (record.control->alive()) record.killed_in_outage = state.outages;
    record.control->Kill();
  }
  std::fill(state.core_free_at.begin(), state.core_free_at.end(), 0);
  // CE-local memory is gone: cached lines (dirty ones included) and cached V2P entries.
  caches_[Index(ce)].Clear();
}

void World::RestartCe(CeId ce) {
  CeState& state = ces_[Index(ce)];
  if (state.alive) return;
  state.alive = true;
  state.in_outage = false;
  state.slowdown = 1.0;
  metrics_.ce_restarts++;
  tracer_.Instant(tracer_.CeTrack(ce), "restart", kernel_.now());
  // Launch runs each main inline, and a main may spawn onto this CE (state.processes grows):
  // walk a copy.
  const std::vector<ProcessId> processes = state.processes;
  for (ProcessId id : processes) {
    ProcessControl& p = *processes_[Index(id)].control;
    if (p.restart_on_reboot() && p.status().state == ProcessState::kCrashed) Launch(id);
  }
}

void World::SlowCe(CeId ce, double slowdown) {
  ces_[Index(ce)].slowdown = slowdown;
  tracer_.Instant(tracer_.CeTrack(ce), "slow", kernel_.now(),
                  absl::StrCat("\"slowdown\":", slowdown));
}

void World::PauseCe(CeId ce, Duration duration) {
  CeState& state = ces_[Index(ce)];
  if (!state.alive || duration <= 0) return;
  const Time until = kernel_.now() + duration;
  // A pause during a pause extends it.
  const Duration added =
      state.paused ? std::max<Duration>(until - state.paused_until, 0) : duration;
  if (added == 0) return;
  BeginOutage(ce);
  state.paused = true;
  state.paused_until = std::max(state.paused_until, until);
  metrics_.ce_pauses++;
  tracer_.Complete(tracer_.CeTrack(ce), "paused", kernel_.now(), added);
  // The cores stand still: work booked past now finishes `added` later.
  for (Time& free_at : state.core_free_at) {
    if (free_at > kernel_.now()) free_at += added;
  }
  for (ProcessId id : state.processes) processes_[Index(id)].control->OnPause(added);
  kernel_.At(state.paused_until, [this, ce] { EndPause(ce); });
}

void World::EndPause(CeId ce) {
  CeState& state = ces_[Index(ce)];
  if (!state.alive || !state.paused || state.paused_until > kernel_.now()) return;
  state.paused = false;
  state.in_outage = false;
  tracer_.Instant(tracer_.CeTrack(ce), "resume", kernel_.now());
  // OnResume runs application code inline, which may spawn onto this CE: walk a copy.
  const std::vector<ProcessId> processes = state.processes;
  for (ProcessId id : processes) processes_[Index(id)].control->OnResume();
}

void World::MonitorVerdict(CeId ce, uint64_t outage) {
  const CeState& state = ces_[Index(ce)];
  if (!state.in_outage || state.outages != outage) return;
  metrics_.monitor_detections++;
  tracer_.Instant(tracer_.CeTrack(ce), "declared dead by rack monitor", kernel_.now());
  if (mode_ == Mode::kTransparent) return;
  for (ProcessId id : state.processes) {
    auto it = standbys_.find(id);
    if (it == standbys_.end()) continue;
    // Announced: processes this outage's crash killed, and processes still frozen by a pause
    // (not ones that had already exited or failed).
    const ProcessRecord& record = processes_[Index(id)];
    const bool lost =
        record.killed_in_outage == outage || (state.paused && record.control->alive());
    if (!lost) continue;
    platform::ProcessDeathNotice notice;
    notice.set_process(Index(id));
    notice.set_compute_element(topology_.ce(ce).name);
    notice.set_detected_at_ns(kernel_.now());
    auto shared = std::make_shared<const platform::ProcessDeathNotice>(notice);
    const int64_t bytes = static_cast<int64_t>(shared->ByteSizeLong());
    for (ProcessId standby : it->second) {
      // The monitor sits at the ToR: one intra-rack hop to the standby's CE.
      const Time arrival = kernel_.now() + config_.cost_model().intra_rack_rtt_ns() / 2 +
                           TransmissionNs(bytes, config_.cost_model().nic_bandwidth_gbps());
      metrics_.death_notices++;
      DeliverAt(arrival, *process(standby),
                Envelope(id, standby, record.incarnation, Envelope::Kind::kOneWay, 0, kernel_.now(),
                         bytes, shared));
    }
  }
}

void World::AddStandby(ProcessId watched, ProcessId standby) {
  std::vector<ProcessId>& list = standbys_[watched];
  if (std::find(list.begin(), list.end(), standby) == list.end()) list.push_back(standby);
}

}  // namespace ddc::sim
