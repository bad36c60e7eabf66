// lincheck_benchmark: how fast Check decides realistic key-value histories.
//
// Every history comes from RandomHistory (seed 42): 16 clients issue operations back to back,
// each taking 1..100 us with 0..50 us of think time between them; 1 % of operations time out
// (unknown outcome, half of which took effect); the rest is 50 % get / 50 % put unless the name
// says "Mixed" (get 40 %, put 20 %, cas 20 %, delete 10 %, increment 10 %). Generating the
// history is not timed.
//
//   BM_CheckKv/<operations>/<keys>       keys chosen uniformly; with 1 key, all 16 clients
//                                        contend on it, the worst case here (see README.md)
//   BM_CheckKvZipf/<operations>/<keys>   keys chosen Zipf(1): key k0 gets ~13 % of 1,000 keys'
//                                        traffic, so hot keys see many overlapping operations
//
// Counters: ops/s (operations checked per second), steps (model steps per Check), overlap (the
// fraction of known-outcome operations whose interval overlaps another one on the same key),
// largest (operations on the busiest key).
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/kv_model.h"
#include "common/lincheck/random_history.h"

namespace ddc::lincheck {
namespace {

RandomHistoryOptions BenchmarkHistory(const benchmark::State& state) {
  RandomHistoryOptions options;
  options.seed = 42;
  options.operations = static_cast<int>(state.range(0));
  options.keys = static_cast<int>(state.range(1));
  options.clients = 16;
  options.get_weight = 1;
  options.put_weight = 1;
  options.unknown_per_mille = 10;
  options.max_latency = Microseconds(100);
  options.max_think = Microseconds(50);
  return options;
}

// Describe sets the counters that say how concurrent the history is.
void Describe(const std::vector<Operation>& history, benchmark::State& state) {
  std::map<std::string, std::vector<const Operation*>> by_key;
  for (const Operation& op : history) {
    if (op.output.outcome != Outcome::kUnknown) by_key[op.input.key].push_back(&op);
  }
  int64_t overlapping = 0;
  int64_t known = 0;
  size_t largest = 0;
  for (auto& [key, ops] : by_key) {
    largest = std::max(largest, ops.size());
    known += static_cast<int64_t>(ops.size());
    // Ops are in call order; op i overlaps a later one iff that one is called by i's return.
    std::vector<bool> overlaps(ops.size(), false);
    for (size_t i = 0; i < ops.size(); ++i) {
      for (size_t j = i + 1; j < ops.size() && ops[j]->call <= ops[i]->ret; ++j) {
        overlaps[i] = overlaps[j] = true;
      }
    }
    overlapping += std::count(overlaps.begin(), overlaps.end(), true);
  }
  state.counters["overlap"] = static_cast<double>(overlapping) / static_cast<double>(known);
  state.counters["largest"] = static_cast<double>(largest);
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
  Describe(history, state);
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(history.size()),
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void BM_CheckKv(benchmark::State& state) {
  RunCheck(state, RandomHistory(BenchmarkHistory(state)));
}
BENCHMARK(BM_CheckKv)
    ->Args({100000, 1000})
    ->Args({100000, 100})
    ->Args({10000, 1000})
    ->Args({1000, 1})
    ->Unit(benchmark::kMillisecond);

void BM_CheckKvZipf(benchmark::State& state) {
  RandomHistoryOptions options = BenchmarkHistory(state);
  options.zipf_exponent = 1.0;
  RunCheck(state, RandomHistory(options));
}
BENCHMARK(BM_CheckKvZipf)->Args({100000, 1000})->Unit(benchmark::kMillisecond);

void BM_CheckKvMixed(benchmark::State& state) {
  RandomHistoryOptions options = BenchmarkHistory(state);
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
