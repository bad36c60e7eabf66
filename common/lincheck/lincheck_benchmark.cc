// lincheck_benchmark: how fast Check decides realistic key-value histories.
//
// BM_CheckKv/<operations>/<keys>: a history from RandomHistory with 16 clients issuing
// operations back to back (latency 1..100 us, think time 0..50 us, so every key sees
// overlapping windows), 50 % get / 50 % put, keys chosen uniformly, 1 % of operations timed out
// (unknown outcome, half of them took effect). Generating the history is not timed. Reports the
// time per Check and operations checked per second (ops/s).
//
// BM_CheckKvMixed: the same with delete, cas and increment in the mix.
#include <cstdint>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/kv_model.h"
#include "common/lincheck/random_history.h"

namespace ddc::lincheck {
namespace {

RandomHistoryOptions BenchmarkHistory(int operations, int keys) {
  RandomHistoryOptions options;
  options.seed = 42;
  options.operations = operations;
  options.keys = keys;
  options.clients = 16;
  options.get_weight = 1;
  options.put_weight = 1;
  options.unknown_per_mille = 10;
  options.max_latency = Microseconds(100);
  options.max_think = Microseconds(50);
  return options;
}

void RunCheck(benchmark::State& state, const std::vector<Operation>& history) {
  const KvModel model;
  int64_t steps = 0;
  for (auto _ : state) {
    absl::StatusOr<CheckResult> result = Check(model, history);
    if (!result.ok() || result->verdict != Verdict::kOk) {
      state.SkipWithError("the generated history did not check ok");
      return;
    }
    steps = result->steps;
    benchmark::DoNotOptimize(result);
  }
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(history.size()),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void BM_CheckKv(benchmark::State& state) {
  RunCheck(state, RandomHistory(BenchmarkHistory(static_cast<int>(state.range(0)),
                                                 static_cast<int>(state.range(1)))));
}
BENCHMARK(BM_CheckKv)
    ->Args({100000, 1000})
    ->Args({100000, 100})
    ->Args({10000, 1000})
    ->Unit(benchmark::kMillisecond);

void BM_CheckKvMixed(benchmark::State& state) {
  RandomHistoryOptions options =
      BenchmarkHistory(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  options.get_weight = 4;
  options.put_weight = 2;
  options.delete_weight = 1;
  options.cas_weight = 2;
  options.increment_weight = 1;
  RunCheck(state, RandomHistory(options));
}
BENCHMARK(BM_CheckKvMixed)->Args({100000, 1000})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ddc::lincheck

BENCHMARK_MAIN();
