// SimFailures implements the Failures interface for one simulated process. The handler and the
// emergency contacts live in the CE OS: they survive memory failures but not a crash of the CE.
//
// Internal to platform/.
#ifndef DDC_PLATFORM_MEMORY_SIM_FAILURES_H_
#define DDC_PLATFORM_MEMORY_SIM_FAILURES_H_

#include <functional>
#include <set>
#include <vector>

#include "platform/failures.h"

namespace ddc::sim {
class SimProcess;
}

namespace ddc::mem {

class SimFailures final : public Failures {
 public:
  explicit SimFailures(sim::SimProcess& process) : process_(process) {}

  absl::Status SetMemoryFailureHandler(std::function<void(const MemoryFailure&)> handler) override;
  absl::Status SetEmergencyContacts(std::vector<ProcessId> contacts) override;
  absl::Status RegisterStandby(ProcessId watched) override;

  // OnMemoryFailure is the CE OS receiving a memory failure for this process: it runs the
  // handler, or forwards a MemoryFailureNotice to the emergency contacts. Each failed ME is
  // reported once per incarnation.
  void OnMemoryFailure(const MemoryFailure& failure, uint32_t me_index);
  // Reset forgets the OS tables (the CE crashed, or the process ended).
  void Reset();

 private:
  absl::Status ModeAllows(absl::string_view op) const;

  sim::SimProcess& process_;
  std::function<void(const MemoryFailure&)> handler_;
  std::vector<ProcessId> contacts_;
  std::set<uint32_t> reported_;
};

}  // namespace ddc::mem

#endif  // DDC_PLATFORM_MEMORY_SIM_FAILURES_H_
