// WaitTable holds the completion handlers of one process's pending operations (sleeps, timers,
// receives, compute, memory accesses).
//
// Internal to platform/.
//
// Every suspension of a simulated process parks its handler here and hands out a Ref; the event
// that completes the operation takes the handler back with that Ref and calls it. Clear() destroys
// every parked handler without calling it, which is how a crash ends a process: asio then destroys
// the coroutine frames without resuming them. Refs carry a generation, so an event that outlives
// its operation (a timeout after the message arrived, a wake-up after a crash) finds nothing.
// Slots are reused in LIFO order and cleared in index order, so behaviour is deterministic.
#ifndef DDC_PLATFORM_SIM_WAIT_TABLE_H_
#define DDC_PLATFORM_SIM_WAIT_TABLE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/functional/any_invocable.h"

namespace ddc::sim {

class WaitTable {
 public:
  struct Ref {
    uint32_t slot;
    uint32_t generation;
    bool operator==(const Ref&) const = default;
  };

  template <typename... Args>
  using Resumer = absl::AnyInvocable<void(Args...) &&>;

  template <typename... Args>
  Ref Add(Resumer<Args...> resume) {
    uint32_t slot;
    if (free_.empty()) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      slot = free_.back();
      free_.pop_back();
    }
    auto waiter = std::make_unique<Waiter<Args...>>();
    waiter->resume = std::move(resume);
    slots_[slot].waiter = std::move(waiter);
    return {slot, slots_[slot].generation};
  }

  bool Pending(Ref ref) const {
    return ref.slot < slots_.size() && slots_[ref.slot].generation == ref.generation &&
           slots_[ref.slot].waiter != nullptr;
  }

  // Take removes the handler parked under `ref`; it returns an empty Resumer when the ref is stale.
  // Args must match the Add that produced `ref`.
  template <typename... Args>
  Resumer<Args...> Take(Ref ref) {
    if (!Pending(ref)) return {};
    Slot& slot = slots_[ref.slot];
    std::unique_ptr<WaiterBase> waiter = std::move(slot.waiter);
    ++slot.generation;
    free_.push_back(ref.slot);
    return std::move(static_cast<Waiter<Args...>&>(*waiter).resume);
  }

  // Clear destroys every parked handler, uncalled, in slot order.
  void Clear() {
    for (uint32_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].waiter == nullptr) continue;
      std::unique_ptr<WaiterBase> waiter = std::move(slots_[i].waiter);
      ++slots_[i].generation;
      free_.push_back(i);
    }
  }

  size_t pending() const { return slots_.size() - free_.size(); }

 private:
  struct WaiterBase {
    virtual ~WaiterBase() = default;
  };
  template <typename... Args>
  struct Waiter final : WaiterBase {
    Resumer<Args...> resume;
  };
  struct Slot {
    std::unique_ptr<WaiterBase> waiter;
    uint32_t generation = 0;
  };
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_WAIT_TABLE_H_
