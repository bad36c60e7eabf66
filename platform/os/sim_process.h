// SimProcess is one simulated process and its OS: it implements the Process runtime interface
// on the simulator (time, threads, compute, messages through its Mailbox, memory through
// SimMemory, failure notification through SimFailures) and the world's control block for it
// (sim::ProcessControl).
//
// Internal to platform/.
//
// Each process owns its pending operations in a WaitTable. Suspend<Args...>() parks the awaiting
// coroutine's completion handler there; Resume<Args...>() (called from a kernel event) takes it
// back and resumes the coroutine inline. Kill() clears the table, so a crashed process's
// coroutines are destroyed without ever running again. While the process's CE is paused, Resume
// takes the handler but defers calling it (and starting threads) until the pause ends, in the
// order the events came; computes in progress are extended by the pause.
#ifndef DDC_PLATFORM_OS_SIM_PROCESS_H_
#define DDC_PLATFORM_OS_SIM_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "asio/async_result.hpp"
#include "asio/use_awaitable.hpp"
#include "platform/cost_model.h"
#include "platform/os/mailbox.h"
#include "platform/process.h"
#include "platform/random.h"
#include "platform/sim/process_control.h"
#include "platform/sim/trace.h"
#include "platform/sim/wait_table.h"
#include "platform/simulation.h"
#include "platform/stats.h"

namespace ddc::sim {
class World;
}

namespace ddc::os {

class SimFailures;
class SimMemory;

class SimProcess final : public Process, public sim::ProcessControl {
 public:
  SimProcess(sim::World& world, ProcessId id, ProcessSpec spec);
  ~SimProcess() override;

  // ProcessControl.
  ProcessId id() const override { return id_; }
  const std::string& name() const override { return spec_.name; }
  CeId ce() const override { return spec_.ce; }
  sim::Track track() const override { return track_; }
  bool alive() const override {
    return state_ == ProcessState::kRunning || state_ == ProcessState::kStarting;
  }
  ProcessStatus status() const override { return {state_, incarnation_, error_}; }
  bool restart_on_reboot() const override { return spec_.restart_on_reboot; }
  bool fenced() const override;
  void Launch(uint32_t incarnation) override;
  void Kill() override;
  void Deliver(Envelope envelope) override { mailbox_.Deliver(std::move(envelope)); }
  void ResetCall(uint64_t call_id, absl::Status status) override {
    mailbox_.ResetCall(call_id, std::move(status));
  }
  void OnMemoryFailure(const MemoryFailure& failure, MeId me) override;
  void OnPause(Duration duration) override;
  void OnResume() override;

  // Process.
  uint32_t incarnation() const override { return incarnation_; }
  absl::Status AssumeIdentity(ProcessId victim) override;
  ProcessId identity() const override { return identity_; }
  Mode mode() const override;
  const Topology& topology() const override;
  const CostModel& cost_model() const override { return cost_model_; }
  Time Now() const override;
  asio::awaitable<void> Sleep(Duration delay) override;
  std::unique_ptr<Timer> NewTimer() override;
  asio::awaitable<void> Compute(Duration cost) override;
  absl::Status SendAsShared(ProcessId as, ProcessId to,
                            std::shared_ptr<const google::protobuf::Message> message) override;
  absl::Status ReplyShared(const Envelope& request,
                           std::shared_ptr<const google::protobuf::Message> message) override;
  asio::awaitable<CallResult> CallShared(std::vector<ProcessId> to,
                                         std::shared_ptr<const google::protobuf::Message> request,
                                         int needed, Duration timeout,
                                         const google::protobuf::Descriptor* reply_type) override;
  asio::awaitable<std::optional<Envelope>> ReceiveWhere(MessageFilter filter,
                                                        Duration timeout) override;
  asio::awaitable<Envelope> Receive() override { return mailbox_.ReceiveAny(); }
  void ServeType(const google::protobuf::Descriptor* type, RequestHandler handler) override;
  asio::awaitable<void> WaitForever() override;
  absl::StatusOr<ProcessId> Spawn(ProcessSpec spec) override;
  void Go(ThreadMain thread) override;
  std::optional<ProcessId> FindProcess(absl::string_view name) const override;
  Rng& rng() override { return rng_; }
  ProcessStats& stats() override { return stats_; }
  void TraceInstant(absl::string_view name, std::string args) override;
  void TraceSpan(absl::string_view name, Time start, std::string args) override;
  Memory& memory() override;
  Failures& failures() override;

  sim::World& world() { return world_; }
  // lifetime expires when this SimProcess is destroyed (objects that may outlive it check it).
  std::weak_ptr<const bool> lifetime() const { return lifetime_; }
  // epoch changes on every launch and kill; work started under an older epoch is void.
  uint64_t epoch() const { return epoch_; }

  // Suspend parks the calling coroutine; `park(ref)` must arrange for Resume<Args...>(ref, ...)
  // to be called later. The awaited value is Args (nothing, or one value).
  template <typename... Args, typename Park>
  auto Suspend(Park park) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(Args...)>(
        [this, park = std::move(park)](auto handler) mutable {
          park(waits_.Add<Args...>(sim::WaitTable::Resumer<Args...>(std::move(handler))));
        },
        asio::use_awaitable);
  }

  // Resume completes the operation parked under `ref`, if it is still pending. While the CE is
  // paused the completion waits for the pause to end.
  template <typename... Args>
  void Resume(sim::WaitTable::Ref ref, Args... args) {
    sim::WaitTable::Resumer<Args...> resume = waits_.Take<Args...>(ref);
    if (!resume) return;
    // A thread that was running when its process ended (a Serve handler that failed inline
    // inside the thread's own call) parked afterwards in the table of a dead process: it is
    // destroyed here, uncalled, as Kill would have.
    if (!alive()) return;
    if (paused_) {
      deferred_.push_back([resume = std::move(resume), ... args = std::move(args)]() mutable {
        std::move(resume)(std::move(args)...);
      });
      return;
    }
    std::move(resume)(std::move(args)...);
  }
  bool Pending(sim::WaitTable::Ref ref) const { return waits_.Pending(ref); }

  // SuspendUntil resumes the caller at virtual time `when`.
  asio::awaitable<void> SuspendUntil(Time when);
  // StartThread runs `body` as a new thread of the current incarnation (after the pause, if the
  // CE is paused).
  void StartThread(ThreadMain body);
  // Fail ends the process as failed with `error` (a thread failed, or application code the OS
  // runs on its behalf, such as a receive filter, threw).
  void Fail(std::string error);

 private:
  struct ComputeWait {
    sim::WaitTable::Ref ref;
    Time end;
  };
  asio::awaitable<void> RunThread(ThreadMain body, uint64_t epoch);
  void OnThreadExit(uint64_t epoch, std::string error);
  // ScheduleComputeEnd wakes the compute parked under `ref` at `end`, unless a pause moved it.
  void ScheduleComputeEnd(sim::WaitTable::Ref ref, Time end);

  sim::World& world_;
  const ProcessId id_;
  ProcessSpec spec_;
  sim::Track track_;
  ProcessState state_ = ProcessState::kStarting;
  uint32_t incarnation_ = 0;
  ProcessId identity_;
  uint64_t epoch_ = 0;
  int live_threads_ = 0;
  std::string error_;
  const CostModel cost_model_;
  Rng rng_;
  ProcessStats stats_;
  bool paused_ = false;
  std::vector<absl::AnyInvocable<void() &&>> deferred_;
  std::vector<ComputeWait> computes_;
  sim::WaitTable waits_;
  std::shared_ptr<const bool> lifetime_ = std::make_shared<const bool>(true);
  Mailbox mailbox_;
  std::unique_ptr<SimMemory> memory_;
  std::unique_ptr<SimFailures> failures_;
};

}  // namespace ddc::os

#endif  // DDC_PLATFORM_OS_SIM_PROCESS_H_
