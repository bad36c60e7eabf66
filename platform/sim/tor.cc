#include "platform/sim/tor.h"

namespace ddc::sim {

void TorRules::Install(ProcessId victim, ProcessId thief) {
  redirects_[victim] = thief;
  redirects_.erase(thief);  // a thief that was itself stolen from is taking its address back
  fenced_.insert(victim);
  fenced_.erase(thief);
}

bool TorRules::Lift(ProcessId process) {
  return fenced_.erase(process) + redirects_.erase(process) > 0;
}

ProcessId TorRules::Resolve(ProcessId process) const {
  // Install keeps the redirects acyclic: a thief never keeps a redirect of its own.
  for (auto it = redirects_.find(process); it != redirects_.end(); it = redirects_.find(process)) {
    process = it->second;
  }
  return process;
}

bool TorRules::SpeaksFor(ProcessId thief, ProcessId victim) const {
  return victim != thief && redirects_.contains(victim) && Resolve(victim) == thief;
}

}  // namespace ddc::sim
