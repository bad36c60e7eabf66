#include "platform/os/sim_process.h"

#include <algorithm>
#include <exception>

#include "absl/strings/str_cat.h"
#include "asio/co_spawn.hpp"
#include "asio/detached.hpp"
#include "platform/os/sim_failures.h"
#include "platform/os/sim_memory.h"
#include "platform/sim/world.h"

namespace ddc::os {
namespace {

// SimTimer is a cancellable one-shot timer. Its expiry event and its cancellation both go through
// the owning process's WaitTable, so whichever comes first wins and the other finds a stale ref.
class SimTimer final : public Timer {
 public:
  explicit SimTimer(SimProcess& process)
      : process_(process), lifetime_(process.lifetime()), epoch_(process.epoch()) {}
  ~SimTimer() override { Cancel(); }

  asio::awaitable<bool> Wait(Duration delay) override {
    co_return co_await process_.Suspend<bool>([this, delay](sim::WaitTable::Ref ref) {
      pending_ = ref;
      SimProcess* p = &process_;
      const Time deadline = DeadlineAfter(process_.Now(), delay);
      if (deadline == kInfiniteTime) return;  // no deadline: only Cancel ends the wait
      process_.world().kernel().At(deadline, [p, ref] { p->Resume<bool>(ref, true); });
    });
  }

  void Cancel() override {
    // A timer may outlive its process's simulation (an application object that owns it does).
    if (!pending_ || lifetime_.expired() || process_.epoch() != epoch_) return;
    const sim::WaitTable::Ref ref = *pending_;
    pending_.reset();
    if (!process_.Pending(ref)) return;
    SimProcess* p = &process_;
    // Resume from a fresh event so the canceller finishes its step before the waiter runs.
    process_.world().kernel().After(0, [p, ref] { p->Resume<bool>(ref, false); });
  }

 private:
  SimProcess& process_;
  const std::weak_ptr<const bool> lifetime_;
  const uint64_t epoch_;
  std::optional<sim::WaitTable::Ref> pending_;
};

}  // namespace

SimProcess::SimProcess(sim::World& world, ProcessId id, ProcessSpec spec)
    : world_(world),
      id_(id),
      spec_(std::move(spec)),
      track_(world.tracer().ProcessTrack(id, spec_.ce, spec_.name)),
      identity_(id),
      cost_model_(world.config().cost_model()),
      rng_(Rng::ForStream(world.seed(), "process", spec_.name, 0)),
      stats_(world.stats(), spec_.name),
      mailbox_(*this),
      memory_(std::make_unique<SimMemory>(*this, world)),
      failures_(std::make_unique<SimFailures>(*this, world)) {}

SimProcess::~SimProcess() = default;

Mode SimProcess::mode() const { return world_.mode(); }
const Topology& SimProcess::topology() const { return world_.topology(); }
Time SimProcess::Now() const { return world_.kernel().now(); }
Memory& SimProcess::memory() { return *memory_; }
Failures& SimProcess::failures() { return *failures_; }
bool SimProcess::fenced() const { return memory_->fenced(); }

void SimProcess::Launch(uint32_t incarnation) {
  ++epoch_;
  incarnation_ = incarnation;
  identity_ = id_;
  // Every incarnation draws from its own stream: (seed, name, incarnation).
  rng_ = Rng::ForStream(world_.seed(), "process", spec_.name, incarnation);
  state_ = ProcessState::kRunning;
  error_.clear();
  paused_ = world_.CePaused(spec_.ce);
  memory_->OnLaunch();
  failures_->Reset();
  world_.tracer().Instant(track_, incarnation_ == 0 ? "start" : "restart", Now(),
                          absl::StrCat("\"incarnation\":", incarnation_));
  StartThread([this] { return spec_.main(*this); });
}

void SimProcess::Kill() {
  if (!alive()) return;
  ++epoch_;
  state_ = ProcessState::kCrashed;
  live_threads_ = 0;
  mailbox_.Clear();
  failures_->Reset();
  computes_.clear();
  deferred_.clear();
  waits_.Clear();
  world_.tracer().Instant(track_, "killed", Now());
}

void SimProcess::OnMemoryFailure(const MemoryFailure& failure, MeId me) {
  // The handler is application code and the forwarded notices leave from this CE: while the CE
  // is paused they wait for the pause to end, like every other completion.
  if (paused_) {
    deferred_.push_back([this, failure, me] { failures_->OnMemoryFailure(failure, me); });
    return;
  }
  failures_->OnMemoryFailure(failure, me);
}

void SimProcess::OnPause(Duration duration) {
  paused_ = true;
  // Computes in progress stand still with their core: each finishes `duration` later.
  for (ComputeWait& compute : computes_) {
    if (compute.end <= Now()) continue;
    compute.end += duration;
    ScheduleComputeEnd(compute.ref, compute.end);
  }
}

void SimProcess::OnResume() {
  paused_ = false;
  if (deferred_.empty()) return;
  // What the pause held back runs now, in the order the events came; a crash in between (or a
  // failure of the process) voids the rest.
  std::vector<absl::AnyInvocable<void()&&>> held = std::move(deferred_);
  deferred_.clear();
  const uint64_t epoch = epoch_;
  for (auto& run : held) {
    if (epoch_ != epoch || !alive()) return;
    std::move(run)();
  }
}

void SimProcess::StartThread(ThreadMain body) {
  if (!alive()) return;
  ++live_threads_;
  const uint64_t epoch = epoch_;
  auto start = [this, epoch, body = std::move(body)]() mutable {
    asio::co_spawn(world_.kernel().io_context(), RunThread(std::move(body), epoch), asio::detached);
  };
  if (paused_) {
    deferred_.push_back(std::move(start));
    return;
  }
  start();
}

asio::awaitable<void> SimProcess::RunThread(ThreadMain body, uint64_t epoch) {
  std::string error;
  try {
    absl::Status status = co_await body();
    if (!status.ok()) error = status.ToString();
  } catch (const std::exception& e) {
    error = e.what();
    if (error.empty()) error = "exception";
  } catch (...) {
    error = "unknown exception";
  }
  OnThreadExit(epoch, std::move(error));
}

void SimProcess::Fail(std::string error) {
  if (!alive()) return;
  state_ = ProcessState::kFailed;
  error_ = error;
  ++epoch_;
  mailbox_.Clear();
  computes_.clear();
  deferred_.clear();
  waits_.Clear();
  world_.ReportProcessFailure(id_, error);
}

void SimProcess::OnThreadExit(uint64_t epoch, std::string error) {
  if (epoch != epoch_ || !alive()) return;
  --live_threads_;
  if (!error.empty()) {
    Fail(std::move(error));
    return;
  }
  if (live_threads_ == 0) {
    state_ = ProcessState::kExited;
    mailbox_.Clear();
    world_.tracer().Instant(track_, "exit", Now());
    world_.ReportProcessExit(id_);
  }
}

void SimProcess::Go(ThreadMain thread) {
  if (!alive()) return;
  const uint64_t epoch = epoch_;
  // Start the thread from a fresh event, after the caller suspends. It counts as live from now,
  // so the process does not exit in between.
  ++live_threads_;
  world_.kernel().After(0, [this, epoch, thread = std::move(thread)]() mutable {
    if (epoch != epoch_) return;
    --live_threads_;
    StartThread(std::move(thread));
  });
}

asio::awaitable<void> SimProcess::SuspendUntil(Time when) {
  return Suspend<>([this, when](sim::WaitTable::Ref ref) {
    if (when == kInfiniteTime) return;  // never: the thread ends only with the process
    world_.kernel().At(when, [this, ref] { Resume<>(ref); });
  });
}

asio::awaitable<void> SimProcess::Sleep(Duration delay) {
  return SuspendUntil(DeadlineAfter(Now(), delay));
}

std::unique_ptr<Timer> SimProcess::NewTimer() { return std::make_unique<SimTimer>(*this); }

void SimProcess::ScheduleComputeEnd(sim::WaitTable::Ref ref, Time end) {
  world_.kernel().At(end, [this, ref, end] {
    auto it = std::find_if(computes_.begin(), computes_.end(),
                           [ref](const ComputeWait& c) { return c.ref == ref; });
    if (it == computes_.end() || it->end != end) return;  // gone, or moved by a pause
    computes_.erase(it);
    Resume<>(ref);
  });
}

asio::awaitable<void> SimProcess::Compute(Duration cost) {
  const Duration scaled = world_.ScaleCompute(spec_.ce, std::max<Duration>(cost, 0));
  const Time start = Now();
  const Time end = world_.ReserveCore(spec_.ce, scaled);
  world_.metrics().compute_ns += scaled;
  co_await Suspend<>([this, end](sim::WaitTable::Ref ref) {
    computes_.push_back({ref, end});
    ScheduleComputeEnd(ref, end);
  });
  world_.tracer().Complete(track_, "compute", end - scaled, scaled,
                           absl::StrCat("\"queued_ns\":", end - scaled - start));
}

absl::Status SimProcess::AssumeIdentity(ProcessId victim) {
  if (victim == id_) {
    identity_ = id_;
    return absl::OkStatus();
  }
  if (!world_.SpeaksFor(id_, victim)) {
    return absl::PermissionDeniedError(
        absl::StrCat("assume identity: \"", name(), "\" may speak as process ", Index(victim),
                     " only while the ToR redirects it here (after stealing from it)"));
  }
  identity_ = victim;
  return absl::OkStatus();
}

absl::Status SimProcess::SendAsShared(ProcessId as, ProcessId to,
                                      std::shared_ptr<const google::protobuf::Message> message) {
  return world_.Send(*this, {.as = as, .to = to, .message = std::move(message)});
}

absl::Status SimProcess::ReplyShared(const Envelope& request,
                                     std::shared_ptr<const google::protobuf::Message> message) {
  if (!request.is_request()) {
    return absl::InvalidArgumentError(absl::StrCat("reply from \"", name(), "\": the ",
                                                   request.type_name(), " from process ",
                                                   Index(request.from()), " is not a request"));
  }
  // The answer comes from the identity the request was addressed to (the victim, when this
  // process received it through a ToR redirect).
  return world_.Send(*this, {.as = request.to(),
                             .to = request.from(),
                             .kind = Envelope::Kind::kReply,
                             .call_id = request.call_id(),
                             .message = std::move(message)});
}

asio::awaitable<CallResult> SimProcess::CallShared(
    std::vector<ProcessId> to, std::shared_ptr<const google::protobuf::Message> request, int needed,
    Duration timeout, const google::protobuf::Descriptor* reply_type) {
  return mailbox_.Call(identity_, std::move(to), std::move(request), needed, timeout, reply_type);
}

asio::awaitable<std::optional<Envelope>> SimProcess::ReceiveWhere(MessageFilter filter,
                                                                  Duration timeout) {
  return mailbox_.Receive(std::move(filter), timeout);
}

void SimProcess::ServeType(const google::protobuf::Descriptor* type, RequestHandler handler) {
  if (!alive()) return;
  mailbox_.Serve(type, std::move(handler));
}

asio::awaitable<void> SimProcess::WaitForever() {
  // Parked with no event that could resume it: the thread ends only with the process.
  return Suspend<>([](sim::WaitTable::Ref) {});
}

absl::StatusOr<ProcessId> SimProcess::Spawn(ProcessSpec spec) {
  return world_.Spawn(std::move(spec));
}

std::optional<ProcessId> SimProcess::FindProcess(absl::string_view name) const {
  return world_.FindProcess(name);
}

void SimProcess::TraceInstant(absl::string_view name, std::string args) {
  world_.tracer().Instant(track_, name, Now(), std::move(args));
}

void SimProcess::TraceSpan(absl::string_view name, Time start, std::string args) {
  world_.tracer().Complete(track_, name, start, std::max<Duration>(Now() - start, 0),
                           std::move(args));
}

}  // namespace ddc::os
