// Crash consistency of every structure, by brute force (see testing/crash_harness.h):
// - at every point: generation 0's CE crashes at t-1, t and t+1 for every time t at which one of
//   its memory calls starts or ends, and its standby checks what it recovers;
// - at random points: three-generation chains over many seeds, each generation crashed at a
//   random time while it recovers or carries on;
// - a deliberately broken writer (its flushes do nothing) is caught.
// Each in the default rack and in one whose CE caches hold 4 lines (evictions write back partial
// updates at awkward times).
#include <string>
#include <tuple>

#include "common/durable/testing/crash_harness.h"
#include "common/durable/testing/crash_params.h"
#include "common/durable/testing/durable_testing.h"
#include "common/durable/testing/workloads.h"
#include "gtest/gtest.h"

namespace ddc::durable::testing {
namespace {

using CrashTest = CrashSuite;

TEST_P(CrashTest, RecoversAtEveryCrashPoint) {
  const SweepResult result = SweepEveryCrashPoint(
      [&] { return family().make({.seed = 1, .operations = family().operations}); }, rack().config);
  EXPECT_EQ(result.failed, 0) << result.Summary();
  EXPECT_GT(result.runs, 100);
  std::cout << family().name << " in " << rack().name << ": " << result.Summary() << "\n";
}

// Horizon of the random crash times: about one run of the workload.
constexpr Duration kHorizon = Microseconds(400);

TEST_P(CrashTest, RecoversFromRandomCrashChains) {
  const SweepResult result = SweepRandomChains(
      [&](uint64_t seed) {
        return family().make({.seed = seed, .operations = family().operations});
      },
      rack().config, /*first_seed=*/1, /*count=*/100, kHorizon);
  EXPECT_EQ(result.failed, 0) << result.Summary();
  std::cout << family().name << " in " << rack().name << ": " << result.Summary() << "\n";
}

TEST_P(CrashTest, CatchesAWriterThatAcknowledgesBeforeFlushing) {
  const SweepResult result = SweepEveryCrashPoint(
      [&] { return family().make({.seed = 1, .operations = family().operations / 2}); },
      rack().config, /*drop_flushes=*/true);
  EXPECT_GT(result.failed, result.runs / 4) << result.Summary();
  std::cout << family().name << " in " << rack().name << ", flushes dropped: " << result.runs
            << " runs, " << result.failed << " caught\n";
}

INSTANTIATE_TEST_SUITE_P(Durable, CrashTest, AllCrashParams(), CrashParamName);

}  // namespace
}  // namespace ddc::durable::testing
