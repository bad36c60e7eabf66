// Kernel is the discrete-event core of the simulator: a virtual clock, an event queue ordered by
// (time, sequence number), the run's single seeded PRNG, and the single-threaded io_context on
// which application coroutines run.
//
// Internal to platform/: applications never see it.
//
// Determinism: events at the same virtual time run in the order they were scheduled. Nothing
// here reads a wall clock, and the PRNG is the only source of randomness in a run.
//
// Coroutines: the kernel's loop runs inside one handler of the io_context, so asio's dispatch()
// runs inline and asio's coroutine frame allocator is active. Completion handlers of pending
// operations are called directly from events, which resumes the awaiting coroutine inline.
#ifndef DDC_PLATFORM_SIM_KERNEL_H_
#define DDC_PLATFORM_SIM_KERNEL_H_

#include <cstdint>
#include <memory>
#include <new>
#include <random>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "asio/io_context.hpp"
#include "platform/types.h"

namespace ddc::sim {

class Kernel {
 public:
  using Callback = absl::AnyInvocable<void() &&>;

  explicit Kernel(uint64_t seed);
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  Time now() const { return now_; }

  // At schedules `fn` at absolute time `when` (clamped to now).
  void At(Time when, Callback fn);
  void After(Duration delay, Callback fn) { At(now_ + delay, std::move(fn)); }

  // RunUntil runs every event with time <= limit, then sets the clock to limit (if finite).
  void RunUntil(Time limit);
  // RunUntilIdle runs until no event is left.
  void RunUntilIdle() { RunUntil(kInfiniteTime); }
  // Stop makes the current RunUntil return after the running event.
  void Stop() { stop_requested_ = true; }

  bool idle() const { return heap_.empty(); }
  uint64_t events_run() const { return events_run_; }

  // Random returns 64 bits from the run's PRNG; Uniform a double in [0, 1).
  uint64_t Random() { return prng_(); }
  double Uniform() { return static_cast<double>(prng_() >> 11) * 0x1.0p-53; }
  // Bernoulli draws from the PRNG only when p is strictly between 0 and 1, so that rules that
  // cannot fire do not shift the random stream.
  bool Bernoulli(double p) {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return Uniform() < p;
  }

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
  void Loop(Time limit);
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
  std::mt19937_64 prng_;
  asio::io_context io_context_{1};
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_KERNEL_H_
