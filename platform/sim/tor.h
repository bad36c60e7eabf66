// TorRules are the rules a steal installs at a rack's top-of-rack switch: traffic addressed to
// the victim is redirected to the thief, and traffic the victim sends is dropped (a fence).
//
// Internal to platform/.
//
// A thief that is itself stolen from takes its own address back: its redirect and its fence are
// lifted when it steals. Relaunching a process as a new incarnation lifts its rules.
#ifndef DDC_PLATFORM_SIM_TOR_H_
#define DDC_PLATFORM_SIM_TOR_H_

#include <map>
#include <optional>
#include <set>

#include "platform/types.h"

namespace ddc::sim {

class TorRules {
 public:
  // Install redirects `victim` to `thief` and fences `victim`.
  void Install(ProcessId victim, ProcessId thief);
  // Lift removes the rules about `process`; it returns whether there were any.
  bool Lift(ProcessId process);

  bool Fenced(ProcessId process) const { return fenced_.contains(process); }
  // Resolve returns the process that traffic addressed to `process` reaches, following
  // redirects (a thief that was itself stolen from forwards again).
  ProcessId Resolve(ProcessId process) const;
  // SpeaksFor reports whether `thief` is where traffic for `victim` ends up through at least one
  // redirect: after a chain of steals (a thief stolen from in turn) the last thief speaks for all.
  bool SpeaksFor(ProcessId thief, ProcessId victim) const;

 private:
  std::map<ProcessId, ProcessId> redirects_;  // victim -> thief
  std::set<ProcessId> fenced_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_TOR_H_
