// SimFailures is the failure-notification service of one simulated process's OS: it implements
// the Failures interface (platform/failures.h). The handler and the emergency contacts live in
// the CE OS: they survive memory failures but not a crash of the CE.
//
// Internal to platform/.
#ifndef DDC_PLATFORM_OS_SIM_FAILURES_H_
#define DDC_PLATFORM_OS_SIM_FAILURES_H_

#include <functional>
#include <set>
#include <vector>

#include "platform/failures.h"

namespace ddc::sim {
class World;
}

namespace ddc::os {

class SimProcess;

class SimFailures final : public Failures {
 public:
  SimFailures(SimProcess& process, sim::World& world) : process_(process), world_(world) {}

  absl::Status SetMemoryFailureHandler(std::function<void(const MemoryFailure&)> handler) override;
  absl::Status SetEmergencyContacts(std::vector<ProcessId> contacts) override;
  absl::Status RegisterStandby(ProcessId watched) override;

  // OnMemoryFailure is the CE OS receiving a memory failure for this process: it runs the
  // handler, or forwards a MemoryFailureNotice to the emergency contacts. Each failed ME is
  // reported once per incarnation.
  void OnMemoryFailure(const MemoryFailure& failure, MeId me);
  // Reset forgets the OS tables (the CE crashed, or the process ended).
  void Reset();

 private:
  absl::Status ModeAllows(absl::string_view op) const;

  SimProcess& process_;
  sim::World& world_;
  std::function<void(const MemoryFailure&)> handler_;
  std::vector<ProcessId> contacts_;
  std::set<uint32_t> reported_;  // by MeId
};

}  // namespace ddc::os

#endif  // DDC_PLATFORM_OS_SIM_FAILURES_H_
