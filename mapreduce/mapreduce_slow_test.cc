// Many seeded fault runs (CheckChaos): crashes, pauses, slowdowns and ME failures never lose or
// duplicate a record.
#include "gtest/gtest.h"
#include "mapreduce/mapreduce_test_util.h"

namespace ddc::mapreduce {
namespace {

TEST(MapreduceChaosSlow, SeededFaultsNeverLoseOrDuplicateARecord) {
  int succeeded = 0;
  for (uint64_t seed = 100; seed < 160; ++seed) {
    absl::StatusOr<testing::ChaosReport> report = testing::CheckChaos(seed);
    ASSERT_TRUE(report.ok()) << report.status();
    if (report->finished && report->status.ok()) ++succeeded;
  }
  // Most faults are survivable; an ME failure may fail a job (cleanly).
  EXPECT_GE(succeeded, 40);
}

}  // namespace
}  // namespace ddc::mapreduce
