#include "platform/sim/kernel.h"

#include <algorithm>

#include "asio/post.hpp"

namespace ddc::sim {

Kernel::Kernel(uint64_t seed) : prng_(seed) {}

Kernel::~Kernel() {
  // Destroying pending callbacks destroys the coroutine frames they own; asio posts that
  // unwinding to the io_context, so drain it while the kernel still exists.
  heap_.clear();
  callbacks_.clear();
  io_context_.restart();
  io_context_.poll();
}

void Kernel::At(Time when, Callback fn) {
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(callbacks_.size());
    callbacks_.push_back(std::move(fn));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    callbacks_[slot] = std::move(fn);
  }
  heap_.push_back({std::max(when, now_), next_seq_++, slot});
  std::push_heap(heap_.begin(), heap_.end(), Later);
}

void Kernel::RunUntil(Time limit) {
  stop_requested_ = false;
  asio::post(io_context_, [this, limit] { Loop(limit); });
  io_context_.restart();
  io_context_.poll();
  if (limit != kInfiniteTime && !stop_requested_ && now_ < limit) now_ = limit;
}

void Kernel::Loop(Time limit) {
  while (!heap_.empty() && !stop_requested_) {
    const Entry top = heap_.front();
    if (top.time > limit) break;
    std::pop_heap(heap_.begin(), heap_.end(), Later);
    heap_.pop_back();
    now_ = top.time;
    Callback fn = std::move(callbacks_[top.slot]);
    free_slots_.push_back(top.slot);
    ++events_run_;
    std::move(fn)();
  }
}

}  // namespace ddc::sim
