// Signal and Join: waiting inside one process for something other threads of it do.
//
// Signal is a condition a thread waits for while others change state: the waiter loops
// `while (!ready()) co_await signal.Wait();` and a thread that changes the state calls Notify().
// Threads of a process never run in parallel, so no notification falls between the check and the
// wait.
//
// Join waits for a set of threads of one process (Process::Go) to finish, and keeps the first
// error any of them reported.
//
//   auto join = Join::Create(self, workers);
//   for (int i = 0; i < workers; ++i)
//     self.Go([join, i]() -> asio::awaitable<absl::Status> {
//       join->Done(co_await Work(i));
//       co_return absl::OkStatus();
//     });
//   DDC_CO_RETURN_IF_ERROR(co_await join->Wait());
//
// Contract: Wait returns once Done was called `count` times (at once if `count` is 0), with the
// first non-OK status given to Done, or OK. One Wait at a time. Threads hold the Join by
// shared_ptr, so it outlives whichever of them ends last.
#ifndef DDC_MAPREDUCE_JOIN_H_
#define DDC_MAPREDUCE_JOIN_H_

#include <memory>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "platform/process.h"

namespace ddc::mapreduce {

class Signal {
 public:
  explicit Signal(Process& self) : timer_(self.NewTimer()) {}
  // Wait returns after the next Notify (or after an hour of virtual time, a guard against a lost
  // notification; callers re-check their condition either way).
  asio::awaitable<void> Wait() { (void)co_await timer_->Wait(Seconds(3600)); }
  void Notify() { timer_->Cancel(); }

 private:
  std::unique_ptr<Timer> timer_;
};

class Join {
 public:
  static std::shared_ptr<Join> Create(Process& self, int count) {
    return std::shared_ptr<Join>(new Join(self.NewTimer(), count));
  }

  void Add(int more) { remaining_ += more; }
  void Done(absl::Status status) {
    if (status_.ok() && !status.ok()) status_ = std::move(status);
    if (--remaining_ == 0) timer_->Cancel();
  }
  asio::awaitable<absl::Status> Wait() {
    // The last Done cancels the timer; the hour-long wait only guards against a lost thread.
    while (remaining_ > 0) {
      const bool expired = co_await timer_->Wait(Seconds(3600));
      if (expired && remaining_ > 0) {
        co_return absl::DeadlineExceededError("join: threads did not finish within an hour");
      }
    }
    co_return status_;
  }
  int remaining() const { return remaining_; }

 private:
  Join(std::unique_ptr<Timer> timer, int count) : timer_(std::move(timer)), remaining_(count) {}
  std::unique_ptr<Timer> timer_;
  int remaining_;
  absl::Status status_;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_JOIN_H_
