// Long runs of the `transfer` experiment (ctest label `slow`): up to 256 MiB every run still equals
// its model, and the same seed gives byte-identical CSVs.
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "harness/transfer_test_util.h"

namespace ddc::harness {
namespace {

TEST(TransferSlowTest, LargeTransfersMatchTheModelAndRepeatExactly) {
  const int64_t max_bytes = int64_t{256} << 20;
  auto first = RunTransfer("", "slow-a", max_bytes, /*seed=*/7);
  ExpectEveryRunMatchesTheModel(first, 9);  // 4 KiB .. 256 MiB
  auto second = RunTransfer("", "slow-b", max_bytes, /*seed=*/7);
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace ddc::harness
