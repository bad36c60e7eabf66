// Mailbox is a process's message dispatcher: it implements the messaging half of the Process
// interface (platform/process.h, "Messaging in one page") for one simulated process.
//
// Internal to platform/.
//
// Routing of an arrived message, in this order:
//   1. a reply goes to the call waiting for its call id, or is dropped (late_replies) when the
//      call has ended (deadline, reset) or never existed;
//   2. a message whose type has a Serve handler starts that handler in a new thread;
//   3. the first waiting receiver whose filter accepts it takes it (receivers in arrival order);
//   4. otherwise it is queued, and a later receive takes the first queued message it accepts.
// Filters are pure predicates: they run when a message arrives, even while the CE is paused.
//
// Calls: each request gets a call id unique in the run (from the world), so a reply that reaches
// this process through a ToR redirect can never be taken for another call's. A call group waits
// for `needed` replies out of its targets; it ends early when a quorum is no longer possible.
#ifndef DDC_PLATFORM_OS_MAILBOX_H_
#define DDC_PLATFORM_OS_MAILBOX_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "google/protobuf/message.h"
#include "platform/process.h"
#include "platform/sim/wait_table.h"

namespace ddc::os {

class SimProcess;

class Mailbox {
 public:
  explicit Mailbox(SimProcess& process) : process_(process) {}

  void Deliver(Envelope envelope);
  asio::awaitable<std::optional<Envelope>> Receive(MessageFilter filter, Duration timeout);
  // ReceiveAny is Receive of any message without a deadline, the hot path of most servers: it
  // takes a queued message without suspending, and otherwise parks the caller directly.
  asio::awaitable<Envelope> ReceiveAny();
  // Call sends `request` to every target as `as` and waits for `needed` replies; with a
  // `reply_type`, a reply of another type counts as a failed call.
  asio::awaitable<CallResult> Call(ProcessId as, std::vector<ProcessId> to,
                                   std::shared_ptr<const google::protobuf::Message> request,
                                   int needed, Duration timeout,
                                   const google::protobuf::Descriptor* reply_type);
  // ResetCall fails one call (its callee failed, exited, was stolen from or relaunched).
  void ResetCall(uint64_t call_id, absl::Status status);
  void Serve(const google::protobuf::Descriptor* type, RequestHandler handler);
  // Clear forgets everything CE-local: queued messages, receivers, handlers and calls.
  void Clear();

 private:
  struct Receiver {
    sim::WaitTable::Ref ref;
    MessageFilter filter;
    bool any = false;  // parked by ReceiveAny: resumed with an Envelope, not an optional
  };
  asio::awaitable<Envelope> TakeFront();
  asio::awaitable<Envelope> ParkAny();
  // OfferToReceivers hands `envelope` to the first waiting receiver that accepts it (true), or
  // leaves it (false); HandQueuedToReceivers offers every queued message, in order.
  bool OfferToReceivers(Envelope& envelope);
  void HandQueuedToReceivers();
  struct CallGroup {
    sim::WaitTable::Ref ref;
    int needed = 0;
    int targets = 0;
    int failed = 0;
    absl::Status first_failure;
    std::vector<Envelope> replies;
    std::map<uint64_t, ProcessId> open;  // call id -> callee
    Duration timeout = 0;
    const google::protobuf::Descriptor* reply_type = nullptr;
  };

  void StartHandler(const RequestHandler& handler, Envelope envelope);
  // Verdict is the group's final status once it has its replies, or once its open calls can no
  // longer supply them; nullopt while it must wait. Settle ends the group when there is one.
  static std::optional<absl::Status> Verdict(const CallGroup& group);
  void Settle(uint64_t group_id);
  void Finish(uint64_t group_id, absl::Status status);
  void CloseOpenCalls(CallGroup& group);

  SimProcess& process_;
  std::deque<Envelope> queue_;
  std::deque<Receiver> receivers_;
  std::map<const google::protobuf::Descriptor*, RequestHandler> handlers_;  // looked up only
  std::map<uint64_t, uint64_t> group_of_call_;                              // call id -> group
  std::map<uint64_t, CallGroup> groups_;
  uint64_t next_group_ = 0;
};

}  // namespace ddc::os

#endif  // DDC_PLATFORM_OS_MAILBOX_H_
