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
  struct Entry {
    Time time;
    uint64_t seq;
    uint32_t slot;
  };
  static bool Later(const Entry& a, const Entry& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
  void Loop(Time limit);

  Time now_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t events_run_ = 0;
  bool stop_requested_ = false;
  std::vector<Entry> heap_;  // binary min-heap on (time, seq)
  std::vector<Callback> callbacks_;  // slab indexed by Entry::slot
  std::vector<uint32_t> free_slots_;
  std::mt19937_64 prng_;
  asio::io_context io_context_{1};
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_KERNEL_H_
