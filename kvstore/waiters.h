// WaitQueue and AsyncMutex: waiting for another thread of the same process, built on
// Process::NewTimer (a Timer waiting forever until Cancel wakes it).
//
// AsyncMutex serializes a shard's work on its data, as Redis's single thread does: one command,
// MIGRATE batch or snapshot chunk at a time, in arrival (FIFO) order. Unlock hands the mutex
// directly to the first waiter, so no thread can overtake a waiter.
//
// Both belong to one process; the process's crash destroys the waiting frames with it.
#ifndef DDC_KVSTORE_WAITERS_H_
#define DDC_KVSTORE_WAITERS_H_

#include <deque>

#include "asio/awaitable.hpp"
#include "platform/process.h"

namespace ddc::kvstore {

class WaitQueue {
 public:
  // Wait suspends until WakeAll.
  asio::awaitable<void> Wait(Process& self);
  // WakeOne wakes the oldest waiter; returns false when nobody waits.
  bool WakeOne();
  void WakeAll();

 private:
  std::deque<Timer*> waiters_;
};

class AsyncMutex {
 public:
  asio::awaitable<void> Lock(Process& self);
  void Unlock();
  bool locked() const { return locked_; }

 private:
  bool locked_ = false;
  WaitQueue queue_;
};

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_WAITERS_H_
