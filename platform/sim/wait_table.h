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
//
// Storage: a parked Resumer lives inside its slot (every AnyInvocable has the same size), next to
// a pointer to the type-specific routine that relocates or destroys it, and the free list is
// threaded through the slots. The first two slots are stored in the table itself. Parking and
// taking a handler therefore allocate nothing once the table has grown to the process's peak of
// concurrent waits, and touch no memory outside the owning process for the first two.
#ifndef DDC_PLATFORM_SIM_WAIT_TABLE_H_
#define DDC_PLATFORM_SIM_WAIT_TABLE_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
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
    using R = Resumer<Args...>;
    static_assert(sizeof(R) <= kStorageSize && alignof(R) <= kStorageAlign,
                  "a Resumer must fit in a WaitTable slot");
    uint32_t slot;
    if (free_head_ == kNoSlot) {
      slot = size_;
      if (slot >= kInlineSlots) more_.emplace_back();
      ++size_;
    } else {
      slot = free_head_;
      free_head_ = At(slot).next_free;
      --free_count_;
    }
    Slot& s = At(slot);
    ::new (static_cast<void*>(s.storage)) R(std::move(resume));
    s.ops = &Ops<R>;
    return {slot, s.generation};
  }

  bool Pending(Ref ref) const {
    if (ref.slot >= size_) return false;
    const Slot& s = At(ref.slot);
    return s.generation == ref.generation && s.ops != nullptr;
  }

  // Take removes the handler parked under `ref`; it returns an empty Resumer when the ref is stale.
  // Args must match the Add that produced `ref`.
  template <typename... Args>
  Resumer<Args...> Take(Ref ref) {
    using R = Resumer<Args...>;
    if (!Pending(ref)) return {};
    Slot& s = At(ref.slot);
    assert(s.ops == &Ops<R> && "WaitTable::Take: Args differ from the Add");
    R* parked = std::launder(reinterpret_cast<R*>(s.storage));
    R resume(std::move(*parked));
    parked->~R();
    s.ops = nullptr;
    ++s.generation;
    Release(ref.slot);
    return resume;
  }

  // Clear destroys every parked handler, uncalled, in slot order.
  void Clear() {
    for (uint32_t i = 0; i < size_; ++i) {
      if (At(i).ops == nullptr) continue;
      // Move the handler out first, so that its destruction (at the end of this iteration) sees
      // the slot already released.
      Slot doomed(std::move(At(i)));
      ++At(i).generation;
      Release(i);
    }
  }

  size_t pending() const { return size_ - free_count_; }

  WaitTable() = default;
  WaitTable(WaitTable&& other) noexcept { *this = std::move(other); }
  WaitTable& operator=(WaitTable&& other) noexcept {
    if (this == &other) return *this;
    for (uint32_t i = 0; i < kInlineSlots; ++i) inline_[i] = std::move(other.inline_[i]);
    more_ = std::move(other.more_);
    size_ = std::exchange(other.size_, 0);
    free_head_ = std::exchange(other.free_head_, kNoSlot);
    free_count_ = std::exchange(other.free_count_, 0);
    other.more_.clear();
    return *this;
  }

 private:
  // Every absl::AnyInvocable specialization has the layout of this one.
  using Reference = absl::AnyInvocable<void() &&>;
  static constexpr size_t kStorageSize = sizeof(Reference);
  static constexpr size_t kStorageAlign = alignof(Reference);
  static constexpr uint32_t kNoSlot = ~uint32_t{0};
  // The first slots live inside the table (so inside its SimProcess): a process rarely has more
  // than this many operations pending at once, and then parking touches no other memory.
  static constexpr uint32_t kInlineSlots = 2;

  struct Slot;
  // SlotOps relocates the handler parked in `from` into `to` (when `to` is not null) and destroys
  // the one in `from`.
  using SlotOps = void (*)(Slot* from, Slot* to) noexcept;

  template <typename R>
  static void Ops(Slot* from, Slot* to) noexcept {
    R* parked = std::launder(reinterpret_cast<R*>(from->storage));
    if (to != nullptr) ::new (static_cast<void*>(to->storage)) R(std::move(*parked));
    parked->~R();
  }

  struct Slot {
    alignas(kStorageAlign) unsigned char storage[kStorageSize];
    SlotOps ops = nullptr;  // non-null while a handler is parked here
    uint32_t generation = 0;
    uint32_t next_free = kNoSlot;  // free-list link while the slot is free

    Slot() = default;
    // Moving a slot (growth of the overflow vector, Clear) relocates its handler; the source is
    // left empty.
    Slot(Slot&& other) noexcept : generation(other.generation), next_free(other.next_free) {
      if (other.ops != nullptr) {
        other.ops(&other, this);
        ops = other.ops;
        other.ops = nullptr;
      }
    }
    Slot& operator=(Slot&& other) noexcept {
      if (this == &other) return *this;
      if (ops != nullptr) ops(this, nullptr);
      ops = nullptr;
      if (other.ops != nullptr) {
        other.ops(&other, this);
        ops = other.ops;
        other.ops = nullptr;
      }
      generation = other.generation;
      next_free = other.next_free;
      return *this;
    }
    ~Slot() {
      if (ops != nullptr) ops(this, nullptr);
    }
  };

  Slot& At(uint32_t i) { return i < kInlineSlots ? inline_[i] : more_[i - kInlineSlots]; }
  const Slot& At(uint32_t i) const {
    return i < kInlineSlots ? inline_[i] : more_[i - kInlineSlots];
  }
  // Release pushes a slot on the free list; slots are reused last-released-first.
  void Release(uint32_t slot) {
    At(slot).next_free = free_head_;
    free_head_ = slot;
    ++free_count_;
  }

  Slot inline_[kInlineSlots];
  std::vector<Slot> more_;  // slots kInlineSlots, kInlineSlots + 1, ...
  uint32_t size_ = 0;       // slots created so far
  uint32_t free_head_ = kNoSlot;
  uint32_t free_count_ = 0;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_WAIT_TABLE_H_
