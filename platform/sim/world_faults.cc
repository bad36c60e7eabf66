// Scheduling a validated fault schedule: each fault becomes an event (or a rule the network
// consults on every send).
#include "platform/sim/world.h"

namespace ddc::sim {

void World::ScheduleFaults(const config::FaultSchedule& faults) {
  for (const config::CeFault& f : faults.ce_faults()) {
    const CeId ce = *topology_.FindCe(f.ce());
    switch (f.kind()) {
      case config::CeFault::CRASH:
        kernel_.At(f.at_ns(), [this, ce] { CrashCe(ce); });
        break;
      case config::CeFault::RESTART:
        kernel_.At(f.at_ns(), [this, ce] { RestartCe(ce); });
        break;
      case config::CeFault::SLOW:
        kernel_.At(f.at_ns(), [this, ce, s = f.slowdown()] { SlowCe(ce, s); });
        break;
      case config::CeFault::PAUSE:
        kernel_.At(f.at_ns(), [this, ce, d = f.duration_ns()] { PauseCe(ce, d); });
        break;
    }
  }
  for (const config::MeFault& f : faults.me_faults()) {
    const MeId me = *topology_.FindMe(f.me());
    kernel_.At(f.at_ns(), [this, me] { FailMe(me); });
  }
  for (const config::Partition& p : faults.partitions()) {
    partitions_.push_back({*topology_.FindEndpoint(p.a()), *topology_.FindEndpoint(p.b()),
                           p.at_ns(), p.heal_at_ns()});
  }
  for (const config::MessageFault& m : faults.message_faults()) {
    MessageRule rule{std::nullopt, std::nullopt, m};
    if (!m.from().empty()) rule.from = topology_.FindEndpoint(m.from());
    if (!m.to().empty()) rule.to = topology_.FindEndpoint(m.to());
    message_rules_.push_back(std::move(rule));
  }
}

}  // namespace ddc::sim
