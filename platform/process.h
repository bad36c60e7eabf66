// Process is the runtime interface an application process sees: the project's equivalent of
// LevelDB's Env. Applications reach time, timers, messages, compute, randomness, statistics,
// memory and failure notification only through it, so the same code runs on the simulator today
// and on a live Asio runtime later.
//
// A process is a coroutine taking a Process&. It returns absl::Status (preferred) or void:
//
//   asio::awaitable<absl::Status> Echo(ddc::Process& self) {
//     for (;;) {
//       ddc::Envelope in = co_await self.Receive();
//       DDC_CO_RETURN_IF_ERROR(self.Reply(in, in.As<PingMsg>()));
//     }
//   }
//
// Errors. A process that returns a non-OK status, or throws, *fails*: the platform logs it with
// the process's name, counts it in the metrics, and `ddc run` exits non-zero unless the
// experiment declared that failure expected. Inside a Status-returning coroutine use
// DDC_CO_RETURN_IF_ERROR and DDC_CO_ASSIGN_OR_RETURN (platform/status_macros.h); never
// dereference a StatusOr with `*co_await` without checking it.
//
// Contract:
// - Every operation that takes virtual time is awaited; nothing blocks.
// - When the process's compute element crashes, the coroutine is never resumed again: its frames
//   are destroyed, and whatever it held in C++ objects is gone. Only memory-element state
//   survives (platform/memory.h).
// - While its compute element is paused, the process runs no code; it resumes where it was.
// - Messages are Protobuf messages. The network charges their serialized size plus the envelope
//   header (call id, sender incarnation; see docs/architecture.md, "Messages"). A sent message is
//   immutable and may be shared by duplicates, so receivers read it through a const reference.
//
// Messaging in one page:
// - Send is one-way. Call sends a request and waits for the reply with a deadline; replies are
//   routed to the waiting call by a correlation id, so any number of threads of a process can
//   have calls in flight. QuorumCall waits for n of m replies.
// - Arriving messages that are not replies go, in this order, to the handler registered with
//   Serve for their type (each request runs in a new thread), else to the first waiting Receive
//   whose filter matches, else into the process's queue, where later Receives find them in
//   arrival order.
// - What a caller sees when the process it calls dies or is reincarnated mid-call:
//     the callee's compute element crashes or pauses  -> nothing; the call ends with
//                                                        DEADLINE_EXCEEDED at its deadline
//     the callee fails or exits (its CE is alive)     -> UNAVAILABLE ("connection reset")
//     the callee is stolen from (a thief now answers  -> UNAVAILABLE ("connection reset"): the
//       for it), or relaunched as a new incarnation      new owner has no state for the call
//   A reset reaches the caller one network hop after the event. Retry to reach the new owner.
// - Order: messages from one process to another arrive in the order they were sent, except that
//   a message that weighs nothing on the wire (an empty one-way message) skips the link queues
//   and can overtake data sent before it.
// - Identity: after a steal, the ToR redirects traffic addressed to the victim to the thief. The
//   thief may then speak *as* the victim (SendAs, and Reply to a request addressed to the
//   victim), but only while that redirect holds; any other attempt is PERMISSION_DENIED. Every
//   envelope carries the sender identity's incarnation, which grows on every relaunch and every
//   steal, so a message from an earlier incarnation can be recognized and ignored.
// - A process fenced by a steal (a zombie) cannot send: Send returns PERMISSION_DENIED and the
//   ToR drops the message.
#ifndef DDC_PLATFORM_PROCESS_H_
#define DDC_PLATFORM_PROCESS_H_

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "google/protobuf/message.h"
#include "platform/types.h"

namespace ddc {

class CostModel;
class Failures;
class Memory;
class Process;
class ProcessStats;
class Rng;
class Topology;

// Mode is the OS mode of the rack (see docs/architecture.md).
enum class Mode { kExposed, kTransparent };

// ModeName is "exposed" or "transparent".
inline absl::string_view ModeName(Mode mode) {
  return mode == Mode::kExposed ? "exposed" : "transparent";
}

// Envelope is one delivered message with its transport metadata.
class Envelope {
 public:
  enum class Kind : uint8_t { kOneWay, kRequest, kReply };

  Envelope() = default;
  Envelope(ProcessId from, ProcessId to, uint32_t incarnation, Kind kind, uint64_t call_id,
           Time sent_at, int64_t wire_bytes,
           std::shared_ptr<const google::protobuf::Message> message)
      : from_(from),
        to_(to),
        incarnation_(incarnation),
        kind_(kind),
        call_id_(call_id),
        sent_at_(sent_at),
        wire_bytes_(wire_bytes),
        message_(std::move(message)) {}

  // from is the sender's identity: a thief speaking for its victim shows the victim's id.
  ProcessId from() const { return from_; }
  // to is the identity the message was addressed to; after a steal a message addressed to the
  // victim is delivered to the thief with to() == the victim.
  ProcessId to() const { return to_; }
  // incarnation is the sender identity's incarnation when it sent the message.
  uint32_t incarnation() const { return incarnation_; }
  Kind kind() const { return kind_; }
  bool is_request() const { return kind_ == Kind::kRequest; }
  bool is_reply() const { return kind_ == Kind::kReply; }
  // call_id correlates a request and its reply (0 for one-way messages).
  uint64_t call_id() const { return call_id_; }
  Time sent_at() const { return sent_at_; }
  // wire_bytes is what the network charged: the payload's serialized size plus the header.
  int64_t wire_bytes() const { return wire_bytes_; }
  bool has_message() const { return message_ != nullptr; }
  const google::protobuf::Message& message() const { return *message_; }
  const std::shared_ptr<const google::protobuf::Message>& shared_message() const {
    return message_;
  }
  // type_name is the payload's full Protobuf type name ("" when empty).
  std::string type_name() const {
    return message_ == nullptr ? "" : message_->GetDescriptor()->full_name();
  }

  // Is reports whether the payload is an M.
  template <typename M>
  bool Is() const {
    return message_ != nullptr && message_->GetDescriptor() == M::descriptor();
  }
  // TryAs returns the payload as an M, or null when it is something else.
  template <typename M>
  const M* TryAs() const {
    return Is<M>() ? static_cast<const M*>(message_.get()) : nullptr;
  }
  // As returns the payload as an M. A payload of another type is a programming error: As throws
  // std::logic_error naming both types, which fails the process loudly. Use Is or TryAs to
  // dispatch on the type.
  template <typename M>
  const M& As() const {
    if (const M* m = TryAs<M>()) return *m;
    throw std::logic_error(absl::StrCat("Envelope::As<", M::descriptor()->full_name(),
                                        ">: the payload is a ",
                                        message_ == nullptr ? "(none)" : type_name()));
  }

 private:
  ProcessId from_ = kNoProcess;
  ProcessId to_ = kNoProcess;
  uint32_t incarnation_ = 0;
  Kind kind_ = Kind::kOneWay;
  uint64_t call_id_ = 0;
  Time sent_at_ = 0;
  int64_t wire_bytes_ = 0;
  std::shared_ptr<const google::protobuf::Message> message_;
};

// Received<M> is an envelope whose payload is known to be an M.
template <typename M>
class Received {
 public:
  explicit Received(Envelope envelope) : envelope_(std::move(envelope)) {}
  const Envelope& envelope() const { return envelope_; }
  const M& message() const { return static_cast<const M&>(envelope_.message()); }
  const M& operator*() const { return message(); }
  const M* operator->() const { return &message(); }

 private:
  Envelope envelope_;
};

// MessageFilter selects messages for a selective receive.
using MessageFilter = std::function<bool(const Envelope&)>;

// CoroutineMain is the body of a process, a thread or a request handler: a callable taking Args
// and returning asio::awaitable<absl::Status> or asio::awaitable<void> (which counts as OK).
// The platform keeps the callable alive for as long as the coroutine runs, so a lambda may
// capture what its coroutine needs.
template <typename... Args>
class CoroutineMain {
 public:
  CoroutineMain() = default;
  template <typename F>
  requires(!std::same_as<std::remove_cvref_t<F>, CoroutineMain> && std::is_invocable_v<F&, Args...>)
      CoroutineMain(F f) {  // NOLINT: implicit on purpose, so lambdas and functions convert
    using Result = std::invoke_result_t<F&, Args...>;
    if constexpr (std::is_same_v<Result, asio::awaitable<absl::Status>>) {
      fn_ = std::move(f);
    } else {
      static_assert(std::is_same_v<Result, asio::awaitable<void>>,
                    "a coroutine main returns asio::awaitable<absl::Status> or "
                    "asio::awaitable<void>");
      fn_ = [f = std::move(f)](Args... args) mutable -> asio::awaitable<absl::Status> {
        co_await f(std::forward<Args>(args)...);
        co_return absl::OkStatus();
      };
    }
  }
  asio::awaitable<absl::Status> operator()(Args... args) const {
    return fn_(std::forward<Args>(args)...);
  }
  explicit operator bool() const { return static_cast<bool>(fn_); }

 private:
  std::function<asio::awaitable<absl::Status>(Args...)> fn_;
};

// ProcessMain is the entry point of an application process.
using ProcessMain = CoroutineMain<Process&>;
// ThreadMain is the body of another thread of a process (Process::Go).
using ThreadMain = CoroutineMain<>;
// RequestHandler serves one request (Process::Serve); it runs in a thread of its own.
using RequestHandler = CoroutineMain<Envelope>;

// ProcessSpec describes a process to spawn.
struct ProcessSpec {
  // name is unique for the whole run: a name keeps its ProcessId (and its incarnations) even
  // after the process dies. Used by FindProcess, the trace, the statistics and the random stream.
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

// CallResult is the raw outcome of a call to one or more processes (see Process::CallShared).
struct CallResult {
  absl::Status status;
  std::vector<Envelope> replies;  // in arrival order
};

// QuorumReplies is what QuorumCall returns: OK with exactly `needed` replies, or the reason it
// could not gather them with whatever replies did arrive.
template <typename M>
struct QuorumReplies {
  absl::Status status;
  std::vector<Received<M>> replies;
};

class Process {
 public:
  virtual ~Process() = default;

  virtual ProcessId id() const = 0;
  virtual const std::string& name() const = 0;
  virtual CeId ce() const = 0;
  // incarnation counts this identity's lives: 0 for the first launch, and one more for every
  // relaunch and every steal that moved the identity to a thief.
  virtual uint32_t incarnation() const = 0;
  virtual Mode mode() const = 0;
  virtual const Topology& topology() const = 0;
  // cost_model is the rack's cost model: what operations cost on idle hardware, and the one rule
  // for failure-detection timeouts (CostModel::AggressiveTimeouts).
  virtual const CostModel& cost_model() const = 0;

  // ---- Time ----
  virtual Time Now() const = 0;
  virtual asio::awaitable<void> Sleep(Duration delay) = 0;
  virtual std::unique_ptr<Timer> NewTimer() = 0;

  // Compute charges `cost` of CPU work, written for a reference core, on one of this CE's cores:
  // it takes cost * slowdown / speed_factor, after waiting for a free core.
  virtual asio::awaitable<void> Compute(Duration cost) = 0;

  // ---- Identity ----
  // AssumeIdentity makes this process speak as `victim` from now on: Send, Call and QuorumCall
  // then carry the victim's id, so peers and clients see the identity they know. It is allowed
  // only while the ToR redirects `victim` to this process, i.e. after this process stole from it
  // (PERMISSION_DENIED otherwise), and every later send checks that the redirect still holds.
  // AssumeIdentity(id()) returns to the process's own id.
  virtual absl::Status AssumeIdentity(ProcessId victim) = 0;
  // identity is the id this process currently speaks as (id() unless it assumed another).
  virtual ProcessId identity() const = 0;

  // ---- Messages: one-way ----
  // Send queues `message` for `to`. Errors: NOT_FOUND for an unknown process id,
  // PERMISSION_DENIED when this process was fenced by a steal. Loss is the network's business.
  template <typename M>
  absl::Status Send(ProcessId to, M message) {
    return SendShared(to, std::make_shared<const M>(std::move(message)));
  }
  // SendAs sends as `as`, which this process may do only while the ToR redirects `as` to it
  // (after it stole from `as`); PERMISSION_DENIED otherwise.
  template <typename M>
  absl::Status SendAs(ProcessId as, ProcessId to, M message) {
    return SendAsShared(as, to, std::make_shared<const M>(std::move(message)));
  }
  absl::Status SendShared(ProcessId to, std::shared_ptr<const google::protobuf::Message> message) {
    return SendAsShared(identity(), to, std::move(message));
  }
  virtual absl::Status SendAsShared(ProcessId as, ProcessId to,
                                    std::shared_ptr<const google::protobuf::Message> message) = 0;

  // ---- Messages: request and reply ----
  // Reply answers `request` (which must be a request) from the identity it was addressed to.
  template <typename M>
  absl::Status Reply(const Envelope& request, M message) {
    return ReplyShared(request, std::make_shared<const M>(std::move(message)));
  }
  virtual absl::Status ReplyShared(const Envelope& request,
                                   std::shared_ptr<const google::protobuf::Message> message) = 0;

  // Call sends `request` to `to` and waits for a reply of type Rep until `timeout` passes.
  // Errors: DEADLINE_EXCEEDED, UNAVAILABLE (connection reset, see the file comment), NOT_FOUND
  // (unknown process), PERMISSION_DENIED (fenced sender), INTERNAL (a reply of another type).
  template <typename Rep, typename Req>
  asio::awaitable<absl::StatusOr<Received<Rep>>> Call(ProcessId to, Req request, Duration timeout) {
    std::vector<ProcessId> targets{to};
    CallResult result =
        co_await CallShared(std::move(targets), std::make_shared<const Req>(std::move(request)), 1,
                            timeout, Rep::descriptor());
    if (!result.status.ok()) co_return result.status;
    if (!result.replies[0].Is<Rep>())
      co_return WrongReply(Rep::descriptor()->full_name(), result.replies[0]);
    co_return Received<Rep>(std::move(result.replies[0]));
  }

  // QuorumCall sends `request` to every process of `to` and returns as soon as `needed` replies
  // of type Rep have arrived (OK), or when the deadline passes (DEADLINE_EXCEEDED) or too many
  // calls failed for a quorum to remain possible (UNAVAILABLE), with the replies seen so far.
  // Replies that arrive later are dropped. A reply of another type counts as a failed call.
  // Errors: NOT_FOUND if a target does not exist (nothing is sent then).
  template <typename Rep, typename Req>
  asio::awaitable<QuorumReplies<Rep>> QuorumCall(std::vector<ProcessId> to, Req request, int needed,
                                                 Duration timeout) {
    CallResult result =
        co_await CallShared(std::move(to), std::make_shared<const Req>(std::move(request)), needed,
                            timeout, Rep::descriptor());
    QuorumReplies<Rep> out;
    out.status = result.status;
    for (Envelope& reply : result.replies) {
      if (reply.Is<Rep>()) {
        out.replies.emplace_back(std::move(reply));
      } else if (out.status.ok()) {
        out.status = WrongReply(Rep::descriptor()->full_name(), reply);
      }
    }
    co_return out;
  }
  // CallShared is the untyped form of Call and QuorumCall: it sends `request` to each of `to`
  // and waits for `needed` replies; with a `reply_type`, a reply of another type counts as a
  // failed call (INTERNAL), otherwise replies of any type count.
  virtual asio::awaitable<CallResult> CallShared(
      std::vector<ProcessId> to, std::shared_ptr<const google::protobuf::Message> request,
      int needed, Duration timeout, const google::protobuf::Descriptor* reply_type = nullptr) = 0;

  // ---- Messages: receiving and serving ----
  // ReceiveWhere waits for the next message that `filter` accepts (any message when the filter
  // is empty) and that no Serve handler claims, until `timeout` passes (nullopt then).
  virtual asio::awaitable<std::optional<Envelope>> ReceiveWhere(MessageFilter filter,
                                                                Duration timeout) = 0;
  // Receive waits for the next message in arrival order (that no Serve handler claims).
  virtual asio::awaitable<Envelope> Receive() = 0;
  // ReceiveFor is Receive with a timeout; it returns nullopt when `timeout` passes first.
  asio::awaitable<std::optional<Envelope>> ReceiveFor(Duration timeout) {
    return ReceiveWhere(nullptr, timeout);
  }
  // ReceiveOf waits for the next message of type M (others stay queued for other receivers).
  template <typename M>
  asio::awaitable<std::optional<Received<M>>> ReceiveOf(Duration timeout = kInfiniteDuration) {
    std::optional<Envelope> in =
        co_await ReceiveWhere([](const Envelope& e) { return e.Is<M>(); }, timeout);
    if (!in) co_return std::nullopt;
    co_return Received<M>(*std::move(in));
  }
  // Serve runs `handler` in a new thread for every arriving message of type M that is not a
  // reply, including messages of that type already queued. Registering again replaces it.
  template <typename M, typename F>
  void Serve(F handler) {
    ServeType(M::descriptor(), RequestHandler([handler = std::move(handler)](Envelope in) mutable {
                return handler(Received<M>(std::move(in)));
              }));
  }
  virtual void ServeType(const google::protobuf::Descriptor* type, RequestHandler handler) = 0;

  // WaitForever suspends this thread for good: it never resumes and schedules nothing. A server's
  // main thread calls it after registering its Serve handlers, so that the process stays alive
  // (a process whose threads have all returned has exited, and its handlers with it).
  virtual asio::awaitable<void> WaitForever() = 0;

  // ---- Processes and threads ----
  // Spawn starts a new process; it begins running at the current virtual time, after the caller
  // next suspends.
  virtual absl::StatusOr<ProcessId> Spawn(ProcessSpec spec) = 0;
  // Go starts another thread of this process on the same CE, after the caller next suspends. It
  // dies with the process; if it fails (non-OK status or exception) the whole process fails.
  virtual void Go(ThreadMain thread) = 0;
  // FindProcess returns the id of the process spawned under `name`.
  virtual std::optional<ProcessId> FindProcess(absl::string_view name) const = 0;

  // ---- Randomness, statistics, trace ----
  // rng is this process's own random stream, derived from (run seed, name, incarnation): it does
  // not depend on what other processes draw, so runs of both modes on the same seed draw the
  // same workload. See platform/random.h for distributions.
  virtual Rng& rng() = 0;
  // Random draws 64 bits from rng().
  uint64_t Random();
  // stats records counters, latency histograms and time series under this process's name; the
  // harness collects them (platform/stats.h).
  virtual ProcessStats& stats() = 0;
  // TraceInstant and TraceSpan annotate this process's track in the trace ("phase 1", "steal",
  // "resume"); a span runs from `start` to now. `args` is a JSON object body or empty.
  virtual void TraceInstant(absl::string_view name, std::string args = {}) = 0;
  virtual void TraceSpan(absl::string_view name, Time start, std::string args = {}) = 0;

  // ---- The rack ----
  // memory is this process's view of the rack's disaggregated memory (platform/memory.h).
  virtual Memory& memory() = 0;
  // failures is this process's failure-notification interface (platform/failures.h).
  virtual Failures& failures() = 0;

 private:
  static absl::Status WrongReply(const std::string& expected, const Envelope& got) {
    return absl::InternalError(absl::StrCat("call: expected a ", expected, " reply, got a ",
                                            got.type_name(), " from process ", Index(got.from())));
  }
};

}  // namespace ddc

#endif  // DDC_PLATFORM_PROCESS_H_
