// 2,000 seeds of the mapreduce check target in both modes (label slow): zero violations.
// (10,000 would take about an hour and a half on the shared 2-core machine: docs/checking.md.)
#include <iostream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/check/mapreduce_target.h"
#include "harness/check/seed_loop_test_util.h"

namespace ddc::check {
namespace {

TEST(MapReduceTargetSlow, TwoThousandSeeds) {
  absl::StatusOr<testing::SeedLoop> loop = testing::RunSeeds(*MakeMapReduceTarget(), 0, 2000);
  ASSERT_TRUE(loop.ok()) << loop.status();
  EXPECT_THAT(loop->violations, ::testing::IsEmpty());
  for (const auto& [kind, count] : loop->injected) std::cout << kind << ": " << count << "\n";
}

}  // namespace
}  // namespace ddc::check
