// SimProcess implements the Process runtime interface on the simulator.
//
// Internal to platform/.
//
// Each process owns its pending operations in a WaitTable. Suspend<Args...>() parks the awaiting
// coroutine's completion handler there; Resume<Args...>() (called from a kernel event) takes it
// back and resumes the coroutine inline. Kill() clears the table, so a crashed process's
// coroutines are destroyed without ever running again.
#ifndef DDC_PLATFORM_SIM_SIM_PROCESS_H_
#define DDC_PLATFORM_SIM_SIM_PROCESS_H_

#include <deque>
#include <functional>
#include <string>

#include "asio/async_result.hpp"
#include "asio/use_awaitable.hpp"
#include "platform/process.h"
#include "platform/sim/trace.h"
#include "platform/sim/wait_table.h"
#include "platform/simulation.h"

namespace ddc::mem {
class SimFailures;
class SimMemory;
}  // namespace ddc::mem

namespace ddc::sim {

class World;

class SimProcess final : public Process {
 public:
  SimProcess(World& world, ProcessId id, ProcessSpec spec);
  ~SimProcess() override;

  // Launch starts a new incarnation of the process's main at the current virtual time.
  void Launch();
  // Kill ends the current incarnation: no coroutine of it runs again, and its mailbox is lost.
  void Kill();
  // Deliver hands an arrived message to a waiting receiver, or queues it.
  void Deliver(Envelope envelope);

  bool alive() const {
    return state_ == ProcessState::kRunning || state_ == ProcessState::kStarting;
  }
  ProcessStatus status() const { return {state_, incarnation_, error_}; }
  bool restart_on_reboot() const { return spec_.restart_on_reboot; }
  // killed_by_crash is the number of the CE crash that killed this incarnation (0: none).
  uint64_t killed_by_crash() const { return killed_by_crash_; }
  void set_killed_by_crash(uint64_t crash) { killed_by_crash_ = crash; }
  Track track() const { return track_; }
  // epoch changes on every launch and kill; work started under an older epoch is void.
  uint64_t epoch() const { return epoch_; }
  World& world() { return world_; }

  // Process interface.
  ProcessId id() const override { return id_; }
  const std::string& name() const override { return spec_.name; }
  CeId ce() const override { return spec_.ce; }
  uint32_t incarnation() const override { return incarnation_; }
  Mode mode() const override;
  const Topology& topology() const override;
  Time Now() const override;
  asio::awaitable<void> Sleep(Duration delay) override;
  std::unique_ptr<Timer> NewTimer() override;
  asio::awaitable<void> Compute(Duration cost) override;
  absl::Status SendShared(ProcessId to,
                          std::shared_ptr<const google::protobuf::Message> message) override;
  asio::awaitable<Envelope> Receive() override;
  asio::awaitable<std::optional<Envelope>> ReceiveFor(Duration timeout) override;
  absl::StatusOr<ProcessId> Spawn(ProcessSpec spec) override;
  void Go(std::function<asio::awaitable<void>()> thread) override;
  std::optional<ProcessId> FindProcess(absl::string_view name) const override;
  uint64_t Random() override;
  Memory& memory() override;
  Failures& failures() override;
  mem::SimFailures& failures_impl() { return *failures_; }

  // Suspend parks the calling coroutine; `park(ref)` must arrange for Resume<Args...>(ref, ...)
  // to be called later. The awaited value is Args (nothing, or one value).
  template <typename... Args, typename Park>
  auto Suspend(Park park) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(Args...)>(
        [this, park = std::move(park)](auto handler) mutable {
          park(waits_.Add<Args...>(WaitTable::Resumer<Args...>(std::move(handler))));
        },
        asio::use_awaitable);
  }

  // Resume completes the operation parked under `ref`, if it is still pending.
  template <typename... Args>
  void Resume(WaitTable::Ref ref, Args... args) {
    WaitTable::Resumer<Args...> resume = waits_.Take<Args...>(ref);
    if (resume) std::move(resume)(std::move(args)...);
  }

  // SuspendUntil resumes the caller at virtual time `when`.
  asio::awaitable<void> SuspendUntil(Time when);
  asio::awaitable<Envelope> ReceiveQueued();

  bool Pending(WaitTable::Ref ref) const { return waits_.Pending(ref); }

 private:
  struct ReceiveWaiter {
    WaitTable::Ref ref;
    bool with_timeout;
  };
  void StartThread(std::function<asio::awaitable<void>()> body);
  asio::awaitable<void> RunThread(std::function<asio::awaitable<void>()> body, uint64_t epoch);
  void OnThreadExit(uint64_t epoch, std::string error);

  World& world_;
  const ProcessId id_;
  ProcessSpec spec_;
  Track track_;
  ProcessState state_ = ProcessState::kStarting;
  uint32_t incarnation_ = 0;
  uint32_t launches_ = 0;
  uint64_t epoch_ = 0;
  int live_threads_ = 0;
  uint64_t killed_by_crash_ = 0;
  std::string error_;
  WaitTable waits_;
  std::deque<Envelope> mailbox_;
  std::deque<ReceiveWaiter> receivers_;
  std::unique_ptr<mem::SimMemory> memory_;
  std::unique_ptr<mem::SimFailures> failures_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_SIM_PROCESS_H_
