// Failures is the failure-notification interface a process sees (exposed mode only; in
// transparent mode every call returns FAILED_PRECONDITION and failures are visible only through
// the application's own timeouts).
//
// - Memory failures (the SIGBUS analogue): when an access finds its memory element dead (or, with
//   memory.failure_detection = ASYNC_LIVENESS, when the interconnect reports the ME dead), the CE
//   OS calls the process's handler with the affected regions. Without a handler it forwards a
//   MemoryFailureNotice to the process's emergency contacts. The contact list is kept by the CE OS,
//   so it survives the ME failure.
// - Compute failures: the rack monitor heartbeats every CE (monitor.heartbeat_interval_ns) and
//   declares a CE dead after monitor.missed_beats missed beats; it then sends a ProcessDeathNotice
//   to every standby registered for a process on that CE.
#ifndef DDC_PLATFORM_FAILURES_H_
#define DDC_PLATFORM_FAILURES_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "platform/memory.h"
#include "platform/types.h"

namespace ddc {

struct MemoryFailure {
  std::string memory_element;   // "rack/me"
  std::vector<Region> regions;  // the caller's regions with pages on that ME, coalesced
  Time failed_at = 0;
};

class Failures {
 public:
  virtual ~Failures() = default;

  // SetMemoryFailureHandler installs `handler`, run on the process's CE when a memory failure
  // reaches it: as a thread of the process, started at that instant (after the event that found
  // the failure, and after any pause of the CE). An exception in it fails the process. The handler
  // must not block; it can send messages or start a thread with Go().
  virtual absl::Status SetMemoryFailureHandler(
      std::function<void(const MemoryFailure&)> handler) = 0;
  // SetEmergencyContacts replaces the processes told of an unhandled memory failure.
  virtual absl::Status SetEmergencyContacts(std::vector<ProcessId> contacts) = 0;
  // RegisterStandby asks the rack monitor to tell the caller when `watched`'s CE dies. Both must
  // be in the same rack.
  virtual absl::Status RegisterStandby(ProcessId watched) = 0;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_FAILURES_H_
