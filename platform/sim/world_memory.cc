// Memory-element failure and how it reaches processes: in transparent mode the OS cannot mask
// the loss, so the processes using that memory die; in exposed mode it is reported to the CE OS
// on access, or to every user at once under ASYNC_LIVENESS.
#include "absl/strings/str_cat.h"
#include "platform/sim/process_control.h"
#include "platform/sim/world.h"

namespace ddc::sim {

std::vector<Region> World::RegionsOn(ProcessId process, MeId me) {
  return mem::CoalescePages(mmus_[Index(topology_.me(me).rack)]->PagesOn(process, me),
                            config_.memory().page_size());
}

void World::ReportMemoryFailure(ProcessId process, MeId me) {
  if (mode_ == Mode::kTransparent) return;
  this->process(process)->OnMemoryFailure(
      {topology_.me(me).name, RegionsOn(process, me), mes_[Index(me)]->failed_at()}, me);
}

void World::FailMe(MeId me) {
  mem::MemoryElement& element = *mes_[Index(me)];
  if (!element.alive()) return;
  // Who used the ME is read before the frames are lost.
  const std::vector<ProcessId> users = mmus_[Index(topology_.me(me).rack)]->ProcessesUsing(me);
  std::vector<std::vector<Region>> lost;
  for (ProcessId user : users) lost.push_back(RegionsOn(user, me));
  element.Fail(kernel_.now());
  metrics_.me_failures++;
  tracer_.Instant(tracer_.MeTrack(me), "failed", kernel_.now());
  if (mode_ == Mode::kTransparent) {
    for (ProcessId user : users) {
      ProcessControl& p = *process(user);
      if (!p.alive()) continue;
      p.Kill();
      metrics_.processes_killed_by_memory_failure++;
    }
    return;
  }
  if (config_.memory().failure_detection() != config::MemoryConfig::ASYNC_LIVENESS) return;
  // The interconnect's liveness reports the failure to every CE mapping that ME, one memory
  // one-way latency later.
  const Time at = kernel_.now() + config_.cost_model().memory_rtt_ns() / 2;
  for (size_t i = 0; i < users.size(); ++i) {
    ProcessControl* p = process(users[i]);
    kernel_.At(at, [this, p, me, regions = std::move(lost[i]), failed = kernel_.now()] {
      if (!p->alive() || !ces_[Index(p->ce())].alive) return;
      p->OnMemoryFailure({topology_.me(me).name, regions, failed}, me);
    });
  }
}

}  // namespace ddc::sim
