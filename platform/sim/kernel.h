// Kernel is the discrete-event core of the simulator: a virtual clock, an event queue ordered by
// (time, sequence number), and the single-threaded io_context on which application coroutines
// run. Randomness is not the kernel's: every process and the fault injector have seeded streams
// of their own (platform/random.h).
//
// Internal to platform/: applications never see it.
//
// Determinism: events at the same virtual time run in the order they were scheduled. Nothing
// here reads a wall clock or draws a random number.
//
// Coroutines: the kernel's loop runs inside one handler of the io_context, so asio's dispatch()
// runs inline and asio's coroutine frame allocator is active. Completion handlers of pending
// operations are called directly from events, which resumes the awaiting coroutine inline.
#ifndef DDC_PLATFORM_SIM_KERNEL_H_
#define DDC_PLATFORM_SIM_KERNEL_H_

#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "asio/io_context.hpp"
#include "platform/types.h"

namespace ddc::sim {

class Kernel {
 public:
  using Callback = absl::AnyInvocable<void() &&>;

  Kernel() = default;
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  Time now() const { return now_; }

  // At schedules `fn` at absolute time `when` (clamped to now).
  void At(Time when, Callback fn);
  void After(Duration delay, Callback fn) { At(now_ + delay, std::move(fn)); }

  // RunUntil runs every event with time <= limit, then sets the clock to limit (if finite). With
  // `done`, it also stops (without moving the clock further) once `*done` returns true, which it
  // checks after every event.
  void RunUntil(Time limit, const absl::FunctionRef<bool()>* done = nullptr);
  // RunUntilIdle runs until no event is left.
  void RunUntilIdle() { RunUntil(kInfiniteTime); }
  // Stop makes the current RunUntil return after the running event.
  void Stop() { stop_requested_ = true; }
  bool stopped() const { return stop_requested_; }

  bool idle() const { return heap_.empty(); }
  uint64_t events_run() const { return events_run_; }

  asio::io_context& io_context() { return io_context_; }

 private:
  // Entry is one scheduled event in the heap; its callback lives in the slab under `slot`.
  struct Entry {
    Time time;
    uint64_t seq;
    uint32_t slot;
  };
  // Before orders entries by (time, seq). Times are never negative (At clamps to now >= 0), so
  // (time, seq) compares as one unsigned 128-bit key, without branches.
  static bool Before(const Entry& a, const Entry& b) {
    using Key = unsigned __int128;
    return ((Key{static_cast<uint64_t>(a.time)} << 64) | a.seq) <
           ((Key{static_cast<uint64_t>(b.time)} << 64) | b.seq);
  }
  void Push(const Entry& entry);
  void PopFront();
  void Loop(Time limit, const absl::FunctionRef<bool()>* done);
  void RunCallback(uint32_t slot);

  // Callbacks live in fixed-size chunks of raw storage, so their addresses are stable while a
  // callback runs (and schedules more): the loop invokes each callback in place and destroys it
  // afterwards, without moving it out of the slab. A slot holds a live callback exactly while an
  // Entry in heap_ names it.
  static constexpr uint32_t kChunkBits = 10;
  static constexpr uint32_t kChunkSize = uint32_t{1} << kChunkBits;
  struct alignas(Callback) CallbackStorage {
    unsigned char bytes[sizeof(Callback)];
  };
  Callback* SlotPtr(uint32_t slot) {
    return std::launder(
        reinterpret_cast<Callback*>(chunks_[slot >> kChunkBits][slot & (kChunkSize - 1)].bytes));
  }
  uint32_t AllocateSlot() {
    if (!free_slots_.empty()) {
      const uint32_t slot = free_slots_.back();
      free_slots_.pop_back();
      return slot;
    }
    return GrowSlab();
  }
  uint32_t GrowSlab();

  Time now_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t events_run_ = 0;
  bool stop_requested_ = false;
  std::vector<Entry> heap_;                                 // 4-ary min-heap on (time, seq)
  std::vector<std::unique_ptr<CallbackStorage[]>> chunks_;  // callback slab, by Entry::slot
  uint32_t slots_allocated_ = 0;
  std::vector<uint32_t> free_slots_;  // reused LIFO
  asio::io_context io_context_{1};
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_KERNEL_H_
