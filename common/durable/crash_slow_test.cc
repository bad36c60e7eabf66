// The long crash runs (ctest label `slow`): thousands of random three-generation crash chains,
// every-crash-point sweeps over more seeds and longer workloads, and sweeps with 2 MiB pages.
#include <string>
#include <tuple>

#include "common/durable/testing/crash_harness.h"
#include "common/durable/testing/crash_params.h"
#include "common/durable/testing/durable_testing.h"
#include "common/durable/testing/workloads.h"
#include "gtest/gtest.h"

namespace ddc::durable::testing {
namespace {

using CrashSlowTest = CrashSuite;

TEST_P(CrashSlowTest, RecoversFromThousandsOfRandomCrashChains) {
  const SweepResult result = SweepRandomChains(
      [&](uint64_t seed) {
        return family().make({.seed = seed, .operations = family().operations});
      },
      rack().config, /*first_seed=*/1000, /*count=*/1000, Microseconds(400));
  EXPECT_EQ(result.failed, 0) << result.Summary();
  std::cout << family().name << " in " << rack().name << ": " << result.Summary() << "\n";
}

TEST_P(CrashSlowTest, RecoversAtEveryCrashPointOfLongerRunsAndOtherSeeds) {
  for (uint64_t seed : {2, 3, 4}) {
    const SweepResult result = SweepEveryCrashPoint(
        [&] { return family().make({.seed = seed, .operations = 2 * family().operations}); },
        rack().config);
    EXPECT_EQ(result.failed, 0) << "seed " << seed << ": " << result.Summary();
    std::cout << family().name << " in " << rack().name << ", seed " << seed << ": " << result.runs
              << " runs, " << result.failed << " failed\n";
  }
}

INSTANTIATE_TEST_SUITE_P(Durable, CrashSlowTest, AllCrashParams(), CrashParamName);

TEST(DurableCrashLargePagesTest, RecoversAtEveryCrashPointWithLargePages) {
  for (const WorkloadFamily& family : AllWorkloadFamilies()) {
    const SweepResult result = SweepEveryCrashPoint(
        [&] { return family.make({.seed = 5, .operations = family.operations / 2}); }, kLargePages);
    EXPECT_EQ(result.failed, 0) << family.name << ": " << result.Summary();
    std::cout << family.name << " with 2 MiB pages: " << result.Summary() << "\n";
  }
}

}  // namespace
}  // namespace ddc::durable::testing
