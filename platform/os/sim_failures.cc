#include "platform/os/sim_failures.h"

#include "absl/strings/str_cat.h"
#include "platform/notices.pb.h"
#include "platform/os/sim_process.h"
#include "platform/sim/world.h"

namespace ddc::os {

absl::Status SimFailures::ModeAllows(absl::string_view op) const {
  if (world_.mode() == Mode::kTransparent) {
    return absl::FailedPreconditionError(absl::StrCat(
        op, " is not available in transparent mode: failures are seen only through timeouts"));
  }
  return absl::OkStatus();
}

absl::Status SimFailures::SetMemoryFailureHandler(
    std::function<void(const MemoryFailure&)> handler) {
  if (absl::Status s = ModeAllows("memory failure handler"); !s.ok()) return s;
  handler_ = std::move(handler);
  return absl::OkStatus();
}

absl::Status SimFailures::SetEmergencyContacts(std::vector<ProcessId> contacts) {
  if (absl::Status s = ModeAllows("emergency contacts"); !s.ok()) return s;
  for (ProcessId contact : contacts) {
    if (world_.process(contact) == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("emergency contacts: no process with id ", Index(contact)));
    }
  }
  contacts_ = std::move(contacts);
  return absl::OkStatus();
}

absl::Status SimFailures::RegisterStandby(ProcessId watched) {
  if (absl::Status s = ModeAllows("standby registration"); !s.ok()) return s;
  absl::StatusOr<sim::ProcessControl*> target =
      world_.RackPeer(process_.id(), watched, "register standby");
  if (!target.ok()) return target.status();
  world_.AddStandby(watched, process_.id());
  return absl::OkStatus();
}

void SimFailures::OnMemoryFailure(const MemoryFailure& failure, MeId me) {
  if (!process_.alive() || !reported_.insert(Index(me)).second) return;
  world_.metrics().memory_failure_reports++;
  if (handler_) {
    // The report may come from another process's code (an eviction of this process's line on a
    // shared CE): the handler runs as a thread of its own process, after the current event and
    // after a pause, and an exception it throws fails this process, not the reporter.
    process_.StartThread([handler = handler_, failure]() -> asio::awaitable<absl::Status> {
      handler(failure);
      co_return absl::OkStatus();
    });
    return;
  }
  platform::MemoryFailureNotice notice;
  notice.set_process(Index(process_.id()));
  notice.set_memory_element(failure.memory_element);
  notice.set_failed_at_ns(failure.failed_at);
  for (const Region& region : failure.regions) {
    platform::RegionMsg* r = notice.add_regions();
    r->set_base(region.base);
    r->set_length(region.length);
  }
  for (ProcessId contact : contacts_) {
    // The CE OS forwards on the process's behalf; a send it cannot make (the process was fenced)
    // is counted by the network like any other.
    if (process_.Send(contact, notice).ok()) world_.metrics().memory_failure_forwards++;
  }
}

void SimFailures::Reset() {
  handler_ = nullptr;
  contacts_.clear();
  reported_.clear();
}

}  // namespace ddc::os
