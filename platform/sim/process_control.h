// ProcessControl is the world's handle on a process, its process control block: what the rack
// (kernel, network, rack monitor, memory hardware) needs in order to launch, kill, pause and
// deliver to a process, without knowing how the per-process OS (platform/os/) implements the
// Process interface. The world owns every ProcessControl; a ProcessFactory makes them.
//
// Internal to platform/.
#ifndef DDC_PLATFORM_SIM_PROCESS_CONTROL_H_
#define DDC_PLATFORM_SIM_PROCESS_CONTROL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "platform/failures.h"
#include "platform/process.h"
#include "platform/sim/trace.h"
#include "platform/simulation.h"
#include "platform/types.h"

namespace ddc::sim {

class World;

class ProcessControl {
 public:
  virtual ~ProcessControl() = default;

  virtual ProcessId id() const = 0;
  virtual const std::string& name() const = 0;
  virtual CeId ce() const = 0;
  virtual Track track() const = 0;
  virtual bool alive() const = 0;
  virtual ProcessStatus status() const = 0;
  virtual bool restart_on_reboot() const = 0;
  // fenced reports whether a steal has bumped this process's owner epoch since it launched.
  virtual bool fenced() const = 0;

  // Launch starts incarnation `incarnation` of the process's main at the current virtual time.
  virtual void Launch(uint32_t incarnation) = 0;
  // Kill ends the current incarnation: no coroutine of it runs again, its mailbox is lost.
  virtual void Kill() = 0;
  // Deliver hands an arrived message to the process's OS.
  virtual void Deliver(Envelope envelope) = 0;
  // ResetCall ends the process's pending call `call_id` with `status` (a connection reset).
  virtual void ResetCall(uint64_t call_id, absl::Status status) = 0;
  // OnMemoryFailure is the CE OS learning that `failure` hit this process.
  virtual void OnMemoryFailure(const MemoryFailure& failure, MeId me) = 0;
  // OnPause: the CE stands still from now on for `duration` more; OnResume: it runs again.
  virtual void OnPause(Duration duration) = 0;
  virtual void OnResume() = 0;
};

// ProcessFactory makes the control block of a newly spawned process.
using ProcessFactory =
    std::function<std::unique_ptr<ProcessControl>(World& world, ProcessId id, ProcessSpec spec)>;

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_PROCESS_CONTROL_H_
