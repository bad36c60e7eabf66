// sim_benchmark measures the simulator's raw speed (docs/benchmarks.md):
//
//   BM_KernelBatch/n       Kernel::At of n trivial callbacks at scattered times, then RunUntilIdle.
//   BM_KernelHold/p        "hold" model: p pending events, each callback reschedules itself.
//   BM_SleepLoop/p         p processes, each doing `co_await self.Sleep(d)` in a loop.
//   BM_PingPong/n          n pairs of processes bouncing one 64-byte message (sent as a shared,
//                          immutable message, as SimGrid passes a pointer).
//   BM_PingPongCopy/n      the same, but every send builds a fresh message (Send<M> by value), as
//                          an application typically does.
//
// items_per_second is events/s for the kernel and sleep benchmarks and deliveries/s for the
// ping-pong ones (also reported as the counter deliveries_per_s). Tracing is disabled.
//
//   build-bench/platform/sim_benchmark --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "platform/config.h"
#include "platform/sim/bench/bench.pb.h"
#include "platform/sim/kernel.h"
#include "platform/simulation.h"

namespace ddc::sim {
namespace {

using bench::BenchMsg;

// Splitmix64: a cheap deterministic stream for event times; independent of the kernel's PRNG.
uint64_t Mix(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

PlatformConfig BenchConfig() {
  PlatformConfig config = DefaultConfig();
  config.mutable_trace()->set_enabled(false);
  return config;
}

std::unique_ptr<Simulation> NewSimulation() {
  absl::StatusOr<std::unique_ptr<Simulation>> sim = Simulation::Create(BenchConfig(), /*seed=*/1);
  if (!sim.ok()) {
    std::fprintf(stderr, "Simulation::Create: %s\n", sim.status().ToString().c_str());
    std::abort();
  }
  return *std::move(sim);
}

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "sim_benchmark: check failed: %s\n", what);
    std::abort();
  }
}

// ---------------------------------------------------------------------------------------------
// Raw kernel.

// BM_KernelBatch schedules n trivial events at scattered times within the next millisecond, then
// runs them all. Each event costs one At (heap push) and one pop + call.
void BM_KernelBatch(benchmark::State& state) {
  const int64_t n = state.range(0);
  Kernel kernel;
  uint64_t rng = 42;
  uint64_t fired = 0;
  for (auto _ : state) {
    const Time base = kernel.now();
    for (int64_t i = 0; i < n; ++i) {
      kernel.At(base + static_cast<Time>(Mix(rng) % 1000000), [&fired] { ++fired; });
    }
    kernel.RunUntilIdle();
  }
  Check(fired == static_cast<uint64_t>(n) * state.iterations(), "every event ran");
  state.SetItemsProcessed(static_cast<int64_t>(fired));
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(fired), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_KernelBatch)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// BM_KernelHold keeps `pending` events in the queue: each one, when it runs, schedules its
// successor 1..1000 ns later, until `kHoldEvents` events have run in total.
constexpr int64_t kHoldEvents = 1000000;

struct HoldChain {
  Kernel* kernel;
  int64_t* budget;
  uint64_t rng;
  void Fire() {
    if (*budget <= 0) return;
    --*budget;
    kernel->After(static_cast<Duration>(1 + Mix(rng) % 1000), [this] { Fire(); });
  }
};

void BM_KernelHold(benchmark::State& state) {
  const int64_t pending = state.range(0);
  Kernel kernel;
  uint64_t events = 0;
  for (auto _ : state) {
    int64_t budget = kHoldEvents;
    std::vector<HoldChain> chains(static_cast<size_t>(pending));
    const uint64_t before = kernel.events_run();
    for (int64_t i = 0; i < pending; ++i) {
      chains[i] = {&kernel, &budget, static_cast<uint64_t>(i) * 7919};
      chains[i].Fire();
    }
    kernel.RunUntilIdle();
    events += kernel.events_run() - before;
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_KernelHold)->Arg(10)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// Timers: many processes sleeping in a loop.

constexpr int64_t kSleepsPerIteration = 400000;

asio::awaitable<void> Sleeper(Process& self, int64_t sleeps, uint64_t salt) {
  uint64_t rng = salt;
  for (int64_t i = 0; i < sleeps; ++i) {
    co_await self.Sleep(static_cast<Duration>(100 + Mix(rng) % 10000));
  }
}

void BM_SleepLoop(benchmark::State& state) {
  const int64_t processes = state.range(0);
  const int64_t sleeps = std::max<int64_t>(1, kSleepsPerIteration / processes);
  uint64_t events = 0;
  uint64_t total_sleeps = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Simulation> sim = NewSimulation();
    const auto num_ces = static_cast<uint32_t>(sim->topology().ces().size());
    for (int64_t i = 0; i < processes; ++i) {
      Check(sim->Spawn({.name = "sleeper" + std::to_string(i),
                        .ce = CeId{static_cast<uint32_t>(i) % num_ces},
                        .main =
                            [sleeps, i](Process& self) {
                              return Sleeper(self, sleeps, static_cast<uint64_t>(i) + 1);
                            }})
                .ok(),
            "spawn sleeper");
    }
    state.ResumeTiming();
    sim->RunUntilIdle();
    state.PauseTiming();
    events += sim->events_run();
    total_sleeps += static_cast<uint64_t>(processes * sleeps);
    for (int64_t i = 0; i < processes; ++i) {
      Check(sim->Status(ProcessId{static_cast<uint32_t>(i)}).state == ProcessState::kExited,
            "sleeper exited");
    }
    sim.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["sleeps_per_s"] =
      benchmark::Counter(static_cast<double>(total_sleeps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SleepLoop)->Arg(1)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------------
// Ping-pong: N pairs, each bouncing one 64-byte message back and forth.

constexpr int64_t kDeliveriesPerIteration = 400000;
constexpr size_t kPayloadBytes = 62;  // 64 bytes serialized

BenchMsg MakeMsg() {
  BenchMsg msg;
  msg.set_payload(std::string(kPayloadBytes, 'x'));
  return msg;
}

// Shared variant: the message is built once per pair and re-sent; Send never copies it.
asio::awaitable<void> SharedPinger(Process& self, ProcessId peer, int64_t rounds) {
  const auto msg = std::make_shared<const BenchMsg>(MakeMsg());
  for (int64_t i = 0; i < rounds; ++i) {
    Check(self.SendShared(peer, msg).ok(), "ping send");
    Envelope reply = co_await self.Receive();
    benchmark::DoNotOptimize(reply.wire_bytes());
  }
}

asio::awaitable<void> SharedPonger(Process& self, ProcessId peer, int64_t rounds) {
  const auto msg = std::make_shared<const BenchMsg>(MakeMsg());
  for (int64_t i = 0; i < rounds; ++i) {
    Envelope in = co_await self.Receive();
    benchmark::DoNotOptimize(in.wire_bytes());
    Check(self.SendShared(peer, msg).ok(), "pong send");
  }
}

// Copy variant: every send builds a new message (Send<M> takes it by value), and the ponger
// echoes a copy of what it received.
asio::awaitable<void> CopyPinger(Process& self, ProcessId peer, int64_t rounds) {
  const BenchMsg msg = MakeMsg();
  for (int64_t i = 0; i < rounds; ++i) {
    Check(self.Send(peer, msg).ok(), "ping send");
    Envelope reply = co_await self.Receive();
    benchmark::DoNotOptimize(reply.As<BenchMsg>().payload().size());
  }
}

asio::awaitable<void> CopyPonger(Process& self, ProcessId peer, int64_t rounds) {
  for (int64_t i = 0; i < rounds; ++i) {
    Envelope in = co_await self.Receive();
    Check(in.Is<BenchMsg>() && in.from() == peer, "pong receives a BenchMsg from its peer");
    Check(self.Send(in.from(), in.As<BenchMsg>()).ok(), "pong send");
  }
}

using PairMain = asio::awaitable<void> (*)(Process&, ProcessId, int64_t);

void RunPingPong(benchmark::State& state, PairMain pinger, PairMain ponger) {
  const int64_t pairs = state.range(0);
  const int64_t rounds = std::max<int64_t>(1, kDeliveriesPerIteration / (2 * pairs));
  uint64_t deliveries = 0;
  uint64_t events = 0;
  uint64_t wire_bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::unique_ptr<Simulation> sim = NewSimulation();
    const auto num_ces = static_cast<uint32_t>(sim->topology().ces().size());
    // Process ids are dense in spawn order: pair i is (2i, 2i + 1). Pinger and ponger sit on
    // neighbouring CEs, so pairs spread over every CE and both racks.
    for (int64_t i = 0; i < pairs; ++i) {
      const ProcessId ping_id{static_cast<uint32_t>(2 * i)};
      const ProcessId pong_id{static_cast<uint32_t>(2 * i + 1)};
      const auto ce = static_cast<uint32_t>(i) % num_ces;
      Check(sim->Spawn({.name = "ping" + std::to_string(i),
                        .ce = CeId{ce},
                        .main = [=](Process& self) { return pinger(self, pong_id, rounds); }})
                    .value() == ping_id,
            "pinger id");
      Check(sim->Spawn({.name = "pong" + std::to_string(i),
                        .ce = CeId{(ce + 1) % num_ces},
                        .main = [=](Process& self) { return ponger(self, ping_id, rounds); }})
                    .value() == pong_id,
            "ponger id");
    }
    state.ResumeTiming();
    sim->RunUntilIdle();
    state.PauseTiming();
    const Metrics& m = sim->metrics();
    Check(m.messages_delivered == static_cast<uint64_t>(2 * pairs * rounds), "every delivery");
    deliveries += m.messages_delivered;
    wire_bytes += m.bytes_delivered;
    events += sim->events_run();
    sim.reset();
    state.ResumeTiming();
  }
  Check(deliveries == 0 || wire_bytes / deliveries == kPayloadBytes + 2, "64-byte messages");
  state.SetItemsProcessed(static_cast<int64_t>(deliveries));
  state.counters["deliveries_per_s"] =
      benchmark::Counter(static_cast<double>(deliveries), benchmark::Counter::kIsRate);
  state.counters["events_per_delivery"] =
      deliveries == 0 ? 0.0 : static_cast<double>(events) / static_cast<double>(deliveries);
}

void BM_PingPong(benchmark::State& state) { RunPingPong(state, SharedPinger, SharedPonger); }
BENCHMARK(BM_PingPong)->Arg(1)->Arg(50)->Arg(500)->Unit(benchmark::kMillisecond);

void BM_PingPongCopy(benchmark::State& state) { RunPingPong(state, CopyPinger, CopyPonger); }
BENCHMARK(BM_PingPongCopy)->Arg(1)->Arg(50)->Arg(500)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ddc::sim

BENCHMARK_MAIN();
