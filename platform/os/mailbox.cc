#include "platform/os/mailbox.h"

#include <algorithm>
#include <exception>

#include "absl/strings/str_cat.h"
#include "platform/os/sim_process.h"
#include "platform/sim/world.h"

namespace ddc::os {

void Mailbox::Deliver(Envelope envelope) {
  if (envelope.is_reply()) {
    auto call = group_of_call_.find(envelope.call_id());
    if (call == group_of_call_.end()) {
      process_.world().metrics().late_replies++;
      return;
    }
    const uint64_t group_id = call->second;
    group_of_call_.erase(call);
    CallGroup& group = groups_.at(group_id);
    group.open.erase(envelope.call_id());
    if (group.reply_type != nullptr && envelope.message().GetDescriptor() != group.reply_type) {
      // A reply of another type is a failed call (a protocol error), not a vote.
      ++group.failed;
      if (group.first_failure.ok()) {
        group.first_failure = absl::InternalError(
            absl::StrCat("call: expected a ", group.reply_type->full_name(), " reply, got a ",
                         envelope.type_name(), " from process ", Index(envelope.from())));
      }
    } else {
      group.replies.push_back(std::move(envelope));
    }
    Settle(group_id);
    return;
  }
  if (!handlers_.empty()) {  // GetDescriptor is not free: ask only when someone serves
    if (auto handler = handlers_.find(envelope.message().GetDescriptor());
        handler != handlers_.end()) {
      StartHandler(handler->second, std::move(envelope));
      return;
    }
  }
  if (OfferToReceivers(envelope)) return;
  queue_.push_back(std::move(envelope));
}

bool Mailbox::OfferToReceivers(Envelope& envelope) {
  for (auto it = receivers_.begin(); it != receivers_.end();) {
    if (!process_.Pending(it->ref)) {
      it = receivers_.erase(it);
      continue;
    }
    bool accepted = true;
    if (it->filter) {
      // The filter is application code run by the OS: if it throws (an As<> of the wrong type),
      // the process fails, as it would had the filter run inside its receive.
      try {
        accepted = it->filter(envelope);
      } catch (const std::exception& e) {
        process_.Fail(absl::StrCat("receive filter threw: ", e.what()));
        return true;
      } catch (...) {
        process_.Fail("receive filter threw an unknown exception");
        return true;
      }
    }
    if (accepted) {
      const sim::WaitTable::Ref ref = it->ref;
      const bool any = it->any;
      // Most receivers wait for anything and the first one takes the message: pop it cheaply.
      if (it == receivers_.begin()) {
        receivers_.pop_front();
      } else {
        receivers_.erase(it);
      }
      if (any) {
        process_.Resume<Envelope>(ref, std::move(envelope));
      } else {
        process_.Resume<std::optional<Envelope>>(ref, std::optional<Envelope>(std::move(envelope)));
      }
      return true;
    }
    ++it;
  }
  return false;
}

void Mailbox::HandQueuedToReceivers() {
  // A receiver that takes a message resumes inline and may receive again, changing the queue:
  // take each candidate out before offering it, and rescan after every hand-over.
  for (bool handed = true; handed && !receivers_.empty() && process_.alive();) {
    handed = false;
    for (size_t i = 0; i < queue_.size(); ++i) {
      Envelope candidate = std::move(queue_[i]);
      queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
      if (OfferToReceivers(candidate)) {
        handed = true;
        break;
      }
      queue_.insert(queue_.begin() + static_cast<std::ptrdiff_t>(i), std::move(candidate));
    }
  }
}

asio::awaitable<std::optional<Envelope>> Mailbox::Receive(MessageFilter filter, Duration timeout) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (filter && !filter(*it)) continue;
    std::optional<Envelope> next(std::move(*it));
    queue_.erase(it);
    co_return next;
  }
  if (timeout <= 0) co_return std::nullopt;
  const Time deadline = DeadlineAfter(process_.Now(), timeout);
  co_return co_await process_.Suspend<std::optional<Envelope>>(
      [this, deadline, &filter](sim::WaitTable::Ref ref) {
        receivers_.push_back({ref, std::move(filter)});
        if (deadline == kInfiniteTime) return;
        process_.world().kernel().At(deadline, [this, ref] {
          if (!process_.Pending(ref)) return;
          std::erase_if(receivers_, [ref](const Receiver& r) { return r.ref == ref; });
          process_.Resume<std::optional<Envelope>>(ref, std::nullopt);
        });
      });
}

// ReceiveAny decides between its two paths when it is called, but acts when it is awaited, which
// a caller may do later: both paths check again then.
asio::awaitable<Envelope> Mailbox::TakeFront() {
  if (queue_.empty()) co_return co_await ParkAny();  // taken by someone else meanwhile
  Envelope next = std::move(queue_.front());
  queue_.pop_front();
  co_return next;
}

asio::awaitable<Envelope> Mailbox::ParkAny() {
  return process_.Suspend<Envelope>([this](sim::WaitTable::Ref ref) {
    receivers_.push_back({ref, nullptr, /*any=*/true});
    // A message queued between the call and the await is handed over from a fresh event (a
    // completion must not run inside its own initiation).
    if (!queue_.empty()) process_.world().kernel().After(0, [this] { HandQueuedToReceivers(); });
  });
}

asio::awaitable<Envelope> Mailbox::ReceiveAny() {
  if (!queue_.empty()) return TakeFront();
  return ParkAny();
}

asio::awaitable<CallResult> Mailbox::Call(ProcessId as, std::vector<ProcessId> to,
                                          std::shared_ptr<const google::protobuf::Message> request,
                                          int needed, Duration timeout,
                                          const google::protobuf::Descriptor* reply_type) {
  if (to.empty() || needed < 1 || needed > static_cast<int>(to.size())) {
    co_return CallResult{
        absl::InvalidArgumentError(absl::StrCat("call: need 1 <= needed <= number of targets, got ",
                                                needed, " of ", to.size())),
        {}};
  }
  if (request == nullptr) co_return CallResult{absl::InvalidArgumentError("call: no request"), {}};
  sim::World& world = process_.world();
  for (ProcessId target : to) {  // nothing leaves unless every target exists
    if (world.process(target) == nullptr) {
      co_return CallResult{
          absl::NotFoundError(absl::StrCat("call from \"", process_.name(),
                                           "\": no process with id ", Index(target))),
          {}};
    }
  }
  const uint64_t group_id = ++next_group_;
  CallGroup group;
  group.needed = needed;
  group.targets = static_cast<int>(to.size());
  group.timeout = timeout;
  group.reply_type = reply_type;
  for (ProcessId target : to) {
    const uint64_t call_id = world.NextCallId();
    absl::Status sent = world.Send(process_, {.as = as,
                                              .to = target,
                                              .kind = Envelope::Kind::kRequest,
                                              .call_id = call_id,
                                              .message = request});
    if (!sent.ok()) {
      ++group.failed;
      if (group.first_failure.ok()) group.first_failure = sent;
      continue;
    }
    group.open.emplace(call_id, target);
    group_of_call_[call_id] = group_id;
  }
  // Every send may have failed already: then the call ends without waiting.
  if (std::optional<absl::Status> verdict = Verdict(group)) {
    CloseOpenCalls(group);
    co_return CallResult{*std::move(verdict), {}};
  }
  groups_.emplace(group_id, std::move(group));
  co_return co_await process_.Suspend<CallResult>([this, group_id](sim::WaitTable::Ref ref) {
    CallGroup& g = groups_.at(group_id);
    g.ref = ref;
    const Time deadline = DeadlineAfter(process_.Now(), g.timeout);
    if (deadline == kInfiniteTime) return;
    process_.world().kernel().At(deadline, [this, group_id] {
      auto it = groups_.find(group_id);
      if (it == groups_.end()) return;
      const CallGroup& g = it->second;
      Finish(group_id,
             absl::DeadlineExceededError(
                 g.targets == 1 ? absl::StrCat("call: no reply within ", g.timeout, " ns")
                                : absl::StrCat("quorum call: ", g.replies.size(), " of ", g.needed,
                                               " needed replies within ", g.timeout, " ns (",
                                               g.targets, " called)")));
    });
  });
}

std::optional<absl::Status> Mailbox::Verdict(const CallGroup& group) {
  if (static_cast<int>(group.replies.size()) >= group.needed) return absl::OkStatus();
  const int possible = static_cast<int>(group.replies.size() + group.open.size());
  if (possible >= group.needed) return std::nullopt;
  if (group.targets == 1) return group.first_failure;
  return absl::UnavailableError(
      absl::StrCat("quorum call: ", group.needed, " replies needed but ", group.failed, " of ",
                   group.targets, " calls failed (first: ", group.first_failure.message(), ")"));
}

void Mailbox::Settle(uint64_t group_id) {
  if (std::optional<absl::Status> verdict = Verdict(groups_.at(group_id))) {
    Finish(group_id, *std::move(verdict));
  }
}

void Mailbox::CloseOpenCalls(CallGroup& group) {
  for (const auto& [call_id, callee] : group.open) {
    group_of_call_.erase(call_id);
    process_.world().CloseCall(call_id);
  }
  group.open.clear();
}

void Mailbox::Finish(uint64_t group_id, absl::Status status) {
  auto it = groups_.find(group_id);
  CallGroup group = std::move(it->second);
  groups_.erase(it);
  CloseOpenCalls(group);
  process_.Resume<CallResult>(group.ref, CallResult{std::move(status), std::move(group.replies)});
}

void Mailbox::ResetCall(uint64_t call_id, absl::Status status) {
  auto call = group_of_call_.find(call_id);
  if (call == group_of_call_.end()) return;
  const uint64_t group_id = call->second;
  group_of_call_.erase(call);
  CallGroup& group = groups_.at(group_id);
  group.open.erase(call_id);  // the world already forgot the call
  ++group.failed;
  if (group.first_failure.ok()) group.first_failure = std::move(status);
  Settle(group_id);
}

void Mailbox::Serve(const google::protobuf::Descriptor* type, RequestHandler handler) {
  handlers_[type] = std::move(handler);
  // Messages of that type that arrived before the handler did are served now, in order.
  std::deque<Envelope> kept;
  std::vector<Envelope> served;
  for (Envelope& e : queue_) {
    if (e.message().GetDescriptor() == type) {
      served.push_back(std::move(e));
    } else {
      kept.push_back(std::move(e));
    }
  }
  queue_ = std::move(kept);
  // Like any new thread, each starts after the registering thread next suspends.
  const RequestHandler& current = handlers_.at(type);
  for (Envelope& e : served) {
    process_.Go([handler = current, e = std::move(e)]() mutable { return handler(e); });
  }
}

void Mailbox::StartHandler(const RequestHandler& handler, Envelope envelope) {
  // The thread owns a copy of the handler, so replacing the handler cannot pull it from under a
  // running request.
  process_.StartThread(
      [handler, envelope = std::move(envelope)]() mutable { return handler(envelope); });
}

void Mailbox::Clear() {
  queue_.clear();
  receivers_.clear();
  handlers_.clear();
  for (auto& [id, group] : groups_) CloseOpenCalls(group);
  groups_.clear();
  group_of_call_.clear();
}

}  // namespace ddc::os
