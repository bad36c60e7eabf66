#include "platform/sim/kernel.h"

#include <algorithm>

#include "asio/post.hpp"

namespace ddc::sim {
namespace {

// The heap is 4-ary: children of i are 4i+1 .. 4i+4. It is half as deep as a binary heap, and the
// four children of a node sit in 96 contiguous bytes.
constexpr size_t kArity = 4;

}  // namespace

Kernel::~Kernel() {
  // Destroying pending callbacks destroys the coroutine frames they own; asio posts that
  // unwinding to the io_context, so drain it while the kernel still exists. Callbacks are
  // destroyed in slot order.
  std::vector<uint32_t> live;
  live.reserve(heap_.size());
  for (const Entry& e : heap_) live.push_back(e.slot);
  heap_.clear();
  std::sort(live.begin(), live.end());
  for (uint32_t slot : live) SlotPtr(slot)->~Callback();
  chunks_.clear();
  io_context_.restart();
  io_context_.poll();
}

// GrowSlab hands out a never-used slot, adding a chunk when the last one is full.
[[gnu::noinline]] uint32_t Kernel::GrowSlab() {
  const uint32_t slot = slots_allocated_++;
  if ((slot & (kChunkSize - 1)) == 0) {
    chunks_.push_back(std::make_unique_for_overwrite<CallbackStorage[]>(kChunkSize));
  }
  return slot;
}

void Kernel::At(Time when, Callback fn) {
  const uint32_t slot = AllocateSlot();
  ::new (static_cast<void*>(SlotPtr(slot))) Callback(std::move(fn));
  Push({std::max(when, now_), next_seq_++, slot});
}

[[gnu::always_inline]] inline void Kernel::Push(const Entry& entry) {
  // Sift up from a hole at the end.
  size_t hole = heap_.size();
  heap_.emplace_back();
  Entry* h = heap_.data();
  while (hole > 0) {
    const size_t parent = (hole - 1) / kArity;
    if (!Before(entry, h[parent])) break;
    h[hole] = h[parent];
    hole = parent;
  }
  h[hole] = entry;
}

[[gnu::always_inline]] inline void Kernel::PopFront() {
  // Bottom-up deletion: walk the hole left at the root down to a leaf, always promoting the
  // smallest child, then sift the last entry up from there. The last entry almost always belongs
  // near the bottom, so this saves the comparison against it at every level on the way down.
  const Entry last = heap_.back();
  heap_.pop_back();
  const size_t n = heap_.size();
  if (n == 0) return;
  Entry* h = heap_.data();
  size_t hole = 0;
  for (;;) {
    const size_t first = kArity * hole + 1;
    size_t best;
    if (first + kArity <= n) {
      // Full set of children: a fixed-size tournament without data-dependent branches.
      const size_t b1 = first + (Before(h[first + 1], h[first]) ? 1 : 0);
      const size_t b2 = first + (Before(h[first + 3], h[first + 2]) ? 3 : 2);
      best = Before(h[b2], h[b1]) ? b2 : b1;
    } else if (first < n) {
      best = first;
      for (size_t c = first + 1; c < n; ++c) {
        if (Before(h[c], h[best])) best = c;
      }
    } else {
      break;
    }
    h[hole] = h[best];
    hole = best;
  }
  while (hole > 0) {
    const size_t parent = (hole - 1) / kArity;
    if (!Before(last, h[parent])) break;
    h[hole] = h[parent];
    hole = parent;
  }
  h[hole] = last;
}

void Kernel::RunUntil(Time limit, const absl::FunctionRef<bool()>* done) {
  stop_requested_ = false;
  asio::post(io_context_, [this, limit, done] { Loop(limit, done); });
  io_context_.restart();
  io_context_.poll();
  if (limit != kInfiniteTime && !stop_requested_ && now_ < limit) now_ = limit;
}

// RunCallback calls the callback in `slot` in place (chunks never move, so it may schedule more
// events while it runs), destroys it once it returns (or throws), and only then frees the slot.
[[gnu::always_inline]] inline void Kernel::RunCallback(uint32_t slot) {
  Callback* fn = SlotPtr(slot);
  try {
    std::move (*fn)();
  } catch (...) {
    fn->~Callback();
    free_slots_.push_back(slot);
    throw;
  }
  fn->~Callback();
  free_slots_.push_back(slot);
}

void Kernel::Loop(Time limit, const absl::FunctionRef<bool()>* done) {
  while (!heap_.empty() && !stop_requested_) {
    const Time time = heap_.front().time;
    if (time > limit) break;
    const uint32_t slot = heap_.front().slot;
    PopFront();
    now_ = time;
    ++events_run_;
    RunCallback(slot);
    if (done != nullptr && (*done)()) stop_requested_ = true;
  }
}

}  // namespace ddc::sim
