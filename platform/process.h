// Process is the runtime interface an application process sees: the project's equivalent of
// LevelDB's Env. Applications reach time, timers, messages, compute and (later) memory only
// through it, so the same code runs on the simulator today and on a live Asio runtime later.
//
// An application process is an asio::awaitable<void> coroutine taking a Process&:
//
//   asio::awaitable<void> Echo(ddc::Process& self) {
//     for (;;) {
//       ddc::Envelope in = co_await self.Receive();
//       DDC_CHECK_OK(self.Send(in.from(), in.As<PingMsg>()));
//     }
//   }
//
// Contract:
// - Every operation that takes virtual time is awaited; nothing blocks.
// - When the process's compute element crashes, the coroutine is never resumed again: its frames
//   are destroyed, and whatever it held in C++ objects is gone. Only memory-element state
//   survives (platform/memory).
// - Messages are Protobuf messages. The cost model charges their serialized size. A sent message
//   is immutable and may be shared by duplicates, so receivers read it through a const reference.
// - Send to a live process never fails locally; loss is the network's business. Send to an
//   unknown process id returns NOT_FOUND.
#ifndef DDC_PLATFORM_PROCESS_H_
#define DDC_PLATFORM_PROCESS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "google/protobuf/message.h"
#include "platform/types.h"

namespace ddc {

class Failures;
class Memory;
class Process;
class Topology;

// Mode is the OS mode of the rack (see docs/architecture.md).
enum class Mode { kExposed, kTransparent };

// Envelope is one delivered message with its transport metadata.
class Envelope {
 public:
  Envelope() = default;
  Envelope(ProcessId from, ProcessId to, Time sent_at, int64_t wire_bytes,
           std::shared_ptr<const google::protobuf::Message> message)
      : from_(from),
        to_(to),
        sent_at_(sent_at),
        wire_bytes_(wire_bytes),
        message_(std::move(message)) {}

  ProcessId from() const { return from_; }
  ProcessId to() const { return to_; }
  Time sent_at() const { return sent_at_; }
  int64_t wire_bytes() const { return wire_bytes_; }
  const google::protobuf::Message& message() const { return *message_; }

  // Is reports whether the payload is an M.
  template <typename M>
  bool Is() const {
    return message_ != nullptr && message_->GetDescriptor() == M::descriptor();
  }
  // As returns the payload as an M; the caller checks Is<M>() first.
  template <typename M>
  const M& As() const {
    return static_cast<const M&>(*message_);
  }

 private:
  ProcessId from_ = kNoProcess;
  ProcessId to_ = kNoProcess;
  Time sent_at_ = 0;
  int64_t wire_bytes_ = 0;
  std::shared_ptr<const google::protobuf::Message> message_;
};

// ProcessMain is the entry point of an application process.
using ProcessMain = std::function<asio::awaitable<void>(Process&)>;

// ProcessSpec describes a process to spawn.
struct ProcessSpec {
  // name is unique for the whole run: a name keeps its ProcessId (and its incarnations) even
  // after the process dies. Used by FindProcess and the trace.
  std::string name;
  CeId ce{0};
  ProcessMain main;
  // restart_on_reboot relaunches `main` as a fresh incarnation (same ProcessId, empty CE-local
  // state) when the CE restarts after a crash. Without it a crashed process stays dead.
  bool restart_on_reboot = false;
};

// Timer is a one-shot, cancellable timer owned by one process.
class Timer {
 public:
  virtual ~Timer() = default;
  // Wait suspends for `delay` and returns true when the timer expired, false when Cancel was
  // called first. One Wait at a time per timer.
  virtual asio::awaitable<bool> Wait(Duration delay) = 0;
  // Cancel ends a pending Wait (from another thread of the same process); no-op otherwise.
  virtual void Cancel() = 0;
};

class Process {
 public:
  virtual ~Process() = default;

  virtual ProcessId id() const = 0;
  virtual const std::string& name() const = 0;
  virtual CeId ce() const = 0;
  // incarnation counts restarts of this process: 0 for the first launch.
  virtual uint32_t incarnation() const = 0;
  virtual Mode mode() const = 0;
  virtual const Topology& topology() const = 0;

  virtual Time Now() const = 0;
  virtual asio::awaitable<void> Sleep(Duration delay) = 0;
  virtual std::unique_ptr<Timer> NewTimer() = 0;

  // Compute charges `cost` of CPU work, written for a reference core, on one of this CE's cores:
  // it takes cost * slowdown / speed_factor, after waiting for a free core.
  virtual asio::awaitable<void> Compute(Duration cost) = 0;

  // Send queues `message` for `to`; the network charges its serialized size.
  template <typename M>
  absl::Status Send(ProcessId to, M message) {
    return SendShared(to, std::make_shared<const M>(std::move(message)));
  }
  virtual absl::Status SendShared(ProcessId to,
                                  std::shared_ptr<const google::protobuf::Message> message) = 0;

  // Receive waits for the next message in arrival order.
  virtual asio::awaitable<Envelope> Receive() = 0;
  // ReceiveFor is Receive with a timeout; it returns nullopt when `timeout` passes first.
  virtual asio::awaitable<std::optional<Envelope>> ReceiveFor(Duration timeout) = 0;

  // Spawn starts a new process; it begins running at the current virtual time, after the caller
  // next suspends.
  virtual absl::StatusOr<ProcessId> Spawn(ProcessSpec spec) = 0;
  // Go starts another thread of this process on the same CE. It dies with the process.
  virtual void Go(std::function<asio::awaitable<void>()> thread) = 0;
  // FindProcess returns the id of the process spawned under `name`.
  virtual std::optional<ProcessId> FindProcess(absl::string_view name) const = 0;

  // Random draws 64 bits from the run's single seeded PRNG.
  virtual uint64_t Random() = 0;

  // memory is this process's view of the rack's disaggregated memory (platform/memory.h).
  virtual Memory& memory() = 0;
  // failures is this process's failure-notification interface (platform/failures.h).
  virtual Failures& failures() = 0;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_PROCESS_H_
