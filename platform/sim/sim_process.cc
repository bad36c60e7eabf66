#include "platform/sim/sim_process.h"

#include <algorithm>
#include <exception>

#include "absl/strings/str_cat.h"
#include "asio/co_spawn.hpp"
#include "asio/detached.hpp"
#include "platform/memory/sim_failures.h"
#include "platform/memory/sim_memory.h"
#include "platform/sim/world.h"

namespace ddc::sim {
namespace {

// SimTimer is a cancellable one-shot timer. Its expiry event and its cancellation both go through
// the owning process's WaitTable, so whichever comes first wins and the other finds a stale ref.
class SimTimer final : public Timer {
 public:
  explicit SimTimer(SimProcess& process) : process_(process), epoch_(process.epoch()) {}
  ~SimTimer() override { Cancel(); }

  asio::awaitable<bool> Wait(Duration delay) override {
    co_return co_await process_.Suspend<bool>([this, delay](WaitTable::Ref ref) {
      pending_ = ref;
      SimProcess* p = &process_;
      process_.world().kernel.After(delay, [p, ref] { p->Resume<bool>(ref, true); });
    });
  }

  void Cancel() override {
    if (!pending_ || process_.epoch() != epoch_) return;
    const WaitTable::Ref ref = *pending_;
    pending_.reset();
    if (!process_.Pending(ref)) return;
    SimProcess* p = &process_;
    // Resume from a fresh event so the canceller finishes its step before the waiter runs.
    process_.world().kernel.After(0, [p, ref] { p->Resume<bool>(ref, false); });
  }

 private:
  SimProcess& process_;
  const uint64_t epoch_;
  std::optional<WaitTable::Ref> pending_;
};

}  // namespace

SimProcess::SimProcess(World& world, ProcessId id, ProcessSpec spec)
    : world_(world),
      id_(id),
      spec_(std::move(spec)),
      track_(world.tracer.ProcessTrack(id, spec_.ce, spec_.name)),
      memory_(std::make_unique<mem::SimMemory>(*this)),
      failures_(std::make_unique<mem::SimFailures>(*this)) {}

SimProcess::~SimProcess() = default;

Mode SimProcess::mode() const { return world_.mode; }
const Topology& SimProcess::topology() const { return world_.topology; }
Time SimProcess::Now() const { return world_.kernel.now(); }
uint64_t SimProcess::Random() { return world_.kernel.Random(); }
Memory& SimProcess::memory() { return *memory_; }
Failures& SimProcess::failures() { return *failures_; }

void SimProcess::Launch() {
  if (!world_.ces[Index(spec_.ce)].alive) return;
  ++epoch_;
  incarnation_ = launches_++;
  state_ = ProcessState::kRunning;
  error_.clear();
  memory_->OnLaunch();
  failures_->Reset();
  killed_by_crash_ = 0;
  if (incarnation_ > 0) world_.LiftStealRules(id_);
  world_.metrics.process_launches++;
  world_.tracer.Instant(track_, incarnation_ == 0 ? "start" : "restart", Now(),
                        absl::StrCat("\"incarnation\":", incarnation_));
  StartThread([this] { return spec_.main(*this); });
}

void SimProcess::Kill() {
  if (!alive()) return;
  ++epoch_;
  state_ = ProcessState::kCrashed;
  live_threads_ = 0;
  mailbox_.clear();
  receivers_.clear();
  failures_->Reset();
  waits_.Clear();
  world_.tracer.Instant(track_, "killed", Now());
}

void SimProcess::StartThread(std::function<asio::awaitable<void>()> body) {
  ++live_threads_;
  asio::co_spawn(world_.kernel.io_context(), RunThread(std::move(body), epoch_), asio::detached);
}

asio::awaitable<void> SimProcess::RunThread(std::function<asio::awaitable<void>()> body,
                                            uint64_t epoch) {
  std::string error;
  try {
    co_await body();
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "exception";
  } catch (...) {
    error = "unknown exception";
  }
  OnThreadExit(epoch, std::move(error));
}

void SimProcess::OnThreadExit(uint64_t epoch, std::string error) {
  if (epoch != epoch_ || !alive()) return;
  --live_threads_;
  if (!error.empty()) {
    world_.metrics.process_failures++;
    world_.tracer.Instant(track_, "failed", Now(),
                          absl::StrCat("\"error\":\"", JsonEscape(error), "\""));
    state_ = ProcessState::kFailed;
    error_ = std::move(error);
    ++epoch_;
    mailbox_.clear();
    receivers_.clear();
    waits_.Clear();
    return;
  }
  if (live_threads_ == 0) {
    state_ = ProcessState::kExited;
    world_.tracer.Instant(track_, "exit", Now());
  }
}

void SimProcess::Go(std::function<asio::awaitable<void>()> thread) {
  if (!alive()) return;
  const uint64_t epoch = epoch_;
  // Start the thread from a fresh event, after the caller suspends.
  ++live_threads_;
  world_.kernel.After(0, [this, epoch, thread = std::move(thread)]() mutable {
    if (epoch != epoch_) return;
    --live_threads_;
    StartThread(std::move(thread));
  });
}

asio::awaitable<void> SimProcess::SuspendUntil(Time when) {
  return Suspend<>(
      [this, when](WaitTable::Ref ref) { world_.kernel.At(when, [this, ref] { Resume<>(ref); }); });
}

asio::awaitable<void> SimProcess::Sleep(Duration delay) {
  return SuspendUntil(Now() + std::max<Duration>(delay, 0));
}

std::unique_ptr<Timer> SimProcess::NewTimer() { return std::make_unique<SimTimer>(*this); }

asio::awaitable<void> SimProcess::Compute(Duration cost) {
  const Duration scaled = world_.ScaleCompute(spec_.ce, std::max<Duration>(cost, 0));
  const Time start = Now();
  const Time end = world_.ReserveCore(spec_.ce, scaled);
  world_.metrics.compute_ns += scaled;
  co_await SuspendUntil(end);
  world_.tracer.Complete(track_, "compute", end - scaled, scaled,
                         absl::StrCat("\"queued_ns\":", end - scaled - start));
}

absl::Status SimProcess::SendShared(ProcessId to,
                                    std::shared_ptr<const google::protobuf::Message> message) {
  return world_.Send(*this, to, std::move(message));
}

asio::awaitable<Envelope> SimProcess::ReceiveQueued() {
  if (!mailbox_.empty()) {
    Envelope next = std::move(mailbox_.front());
    mailbox_.pop_front();
    co_return next;
  }
  co_return co_await Suspend<Envelope>([this](WaitTable::Ref ref) {
    receivers_.push_back({ref, /*with_timeout=*/false});
  });
}

asio::awaitable<Envelope> SimProcess::Receive() {
  if (!mailbox_.empty()) return ReceiveQueued();
  return Suspend<Envelope>([this](WaitTable::Ref ref) {
    receivers_.push_back({ref, /*with_timeout=*/false});
  });
}

asio::awaitable<std::optional<Envelope>> SimProcess::ReceiveFor(Duration timeout) {
  if (!mailbox_.empty()) {
    Envelope next = std::move(mailbox_.front());
    mailbox_.pop_front();
    co_return std::optional<Envelope>(std::move(next));
  }
  co_return co_await Suspend<std::optional<Envelope>>([this, timeout](WaitTable::Ref ref) {
    receivers_.push_back({ref, /*with_timeout=*/true});
    world_.kernel.After(std::max<Duration>(timeout, 0), [this, ref] {
      if (!waits_.Pending(ref)) return;
      std::erase_if(receivers_, [ref](const ReceiveWaiter& w) { return w.ref == ref; });
      Resume<std::optional<Envelope>>(ref, std::nullopt);
    });
  });
}

void SimProcess::Deliver(Envelope envelope) {
  while (!receivers_.empty()) {
    const ReceiveWaiter waiter = receivers_.front();
    receivers_.pop_front();
    if (!waits_.Pending(waiter.ref)) continue;
    if (waiter.with_timeout) {
      Resume<std::optional<Envelope>>(waiter.ref, std::optional<Envelope>(std::move(envelope)));
    } else {
      Resume<Envelope>(waiter.ref, std::move(envelope));
    }
    return;
  }
  mailbox_.push_back(std::move(envelope));
}

absl::StatusOr<ProcessId> SimProcess::Spawn(ProcessSpec spec) {
  return world_.Spawn(std::move(spec));
}

std::optional<ProcessId> SimProcess::FindProcess(absl::string_view name) const {
  return world_.FindProcess(name);
}

}  // namespace ddc::sim
