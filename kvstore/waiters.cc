#include "kvstore/waiters.h"

#include <memory>

namespace ddc::kvstore {

asio::awaitable<void> WaitQueue::Wait(Process& self) {
  std::unique_ptr<Timer> timer = self.NewTimer();
  waiters_.push_back(timer.get());
  co_await timer->Wait(kInfiniteDuration);
}

bool WaitQueue::WakeOne() {
  if (waiters_.empty()) return false;
  Timer* first = waiters_.front();
  waiters_.pop_front();
  first->Cancel();
  return true;
}

void WaitQueue::WakeAll() {
  while (WakeOne()) {
  }
}

asio::awaitable<void> AsyncMutex::Lock(Process& self) {
  if (!locked_) {
    locked_ = true;
    co_return;
  }
  // Unlock hands the mutex over: locked_ stays true for us.
  co_await queue_.Wait(self);
}

void AsyncMutex::Unlock() {
  if (!queue_.WakeOne()) locked_ = false;
}

}  // namespace ddc::kvstore
