// CostModel's closed forms (cost_model.h) and their overflow behaviour: every result is exact up
// to kMaxDuration and saturates there, never wraps.
#include "platform/cost_model.h"

#include <cstdint>
#include <limits>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "platform/config.h"

namespace ddc {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(SaturatingTest, ExactInRange) {
  EXPECT_EQ(SaturatingAdd(2500, 1600), 4100);
  EXPECT_EQ(SaturatingMul(16, 100), 1600);
  EXPECT_EQ(SaturatingAdd(kMaxDuration, 0), kMaxDuration);
  EXPECT_EQ(SaturatingMul(1, kMaxDuration), kMaxDuration);
  EXPECT_EQ(SaturatingMul(0, kInt64Max), 0);
}

TEST(SaturatingTest, ClampsAboveTheMaximum) {
  EXPECT_EQ(SaturatingAdd(kMaxDuration, 1), kMaxDuration);
  EXPECT_EQ(SaturatingMul(2, kMaxDuration), kMaxDuration);
}

TEST(SaturatingTest, Int64OverflowSaturatesInsteadOfWrapping) {
  EXPECT_EQ(SaturatingAdd(kInt64Max, kInt64Max), kMaxDuration);
  EXPECT_EQ(SaturatingAdd(kInt64Max, 1), kMaxDuration);
  EXPECT_EQ(SaturatingMul(16, kInt64Max), kMaxDuration);
  EXPECT_EQ(SaturatingMul(kInt64Max, kInt64Max), kMaxDuration);
}

TEST(SaturatingTest, NegativeResultsAreZero) {
  EXPECT_EQ(SaturatingAdd(-5, 3), 0);
  EXPECT_EQ(SaturatingAdd(std::numeric_limits<int64_t>::min(), -1), 0);
  EXPECT_EQ(SaturatingMul(-1, kInt64Max), 0);
  EXPECT_EQ(SaturatingMul(kInt64Max, -2), 0);
  EXPECT_EQ(SaturatingMul(-2, -kInt64Max), kMaxDuration);
}

TEST(SaturatingTest, HeadroomForATimePlusThreeSaturatedDurations) {
  EXPECT_LT(kMaxDuration, kMaxVirtualTime);
  EXPECT_LE(3 * kMaxDuration, kInt64Max - kMaxVirtualTime);
}

TEST(TransmissionNsTest, RoundsUpToWholeNanoseconds) {
  EXPECT_EQ(TransmissionNs(1250, 100), 100) << "exact quotients do not round up";
  EXPECT_EQ(TransmissionNs(1251, 100), 101);
  EXPECT_EQ(TransmissionNs(4096, 100), 328);
  EXPECT_EQ(TransmissionNs(0, 100), 0);
}

TEST(TransmissionNsTest, LargestAccessAtTheSlowestAcceptedBandwidthFits) {
  // 2^40 bytes (a process's whole address range) at 1 Mb/s: 2^43 / 1e-3 ns, about 2^53.
  const Duration ns = TransmissionNs(int64_t{1} << 40, 1e-3);
  EXPECT_NEAR(static_cast<double>(ns), 8796093022208000.0, 2.0);
  EXPECT_LT(ns, kMaxDuration);
}

TEST(TransmissionNsTest, SaturatesInsteadOfOverflowing) {
  EXPECT_EQ(TransmissionNs(kInt64Max, 1e-3), kMaxDuration);
  EXPECT_EQ(TransmissionNs(kInt64Max, 1e-300), kMaxDuration);
  EXPECT_EQ(TransmissionNs(int64_t{1} << 60, 1), kMaxDuration);
}

TEST(TransmissionNsTest, RatesOutsideTheValidatedRangeStayDefined) {
  EXPECT_EQ(TransmissionNs(100, 0), kMaxDuration) << "a link without bandwidth never finishes";
  EXPECT_EQ(TransmissionNs(100, -1), kMaxDuration);
  EXPECT_EQ(TransmissionNs(100, kNan), kMaxDuration);
  EXPECT_EQ(TransmissionNs(100, kInf), 0);
  EXPECT_EQ(TransmissionNs(-100, 100), 0);
}

TEST(CostModelTest, DefaultFigures) {
  const CostModel model(DefaultConfig().cost_model());
  EXPECT_EQ(model.GrantNs(16), 2500 + 16 * 100);
  EXPECT_EQ(model.MessageOneWayNs(/*same_rack=*/true, 1250), 1000 + 100);
  EXPECT_EQ(model.MessageOneWayNs(/*same_rack=*/false, 1250), 22500 + 100);
  EXPECT_EQ(model.MessageRttNs(/*same_rack=*/true, 1250, 0), 1100 + 1000);
  EXPECT_EQ(model.MemoryFetchNs(4096), 2500 + 328);
  EXPECT_EQ(model.LocalCopyNs(4096), 100 + 410);
  EXPECT_EQ(model.GrantTransferNs(16, 1250), 4100 + 1100);
}

// The largest costs validation accepts: 1 ms per page-table entry after a 1 h memory RTT.
PlatformConfig SlowestAcceptedCostModel() {
  absl::StatusOr<PlatformConfig> config = ParseConfig(R"pb(
    cost_model { mmu_update_per_page_ns: 1000000 memory_rtt_ns: 3600000000000 }
  )pb");
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *config : DefaultConfig();
}

TEST(CostModelTest, GrantOfAWholeAddressSpaceAtTheMaximumMmuCostIsExact) {
  const CostModel model(SlowestAcceptedCostModel().cost_model());
  // A process maps at most 2^40 bytes: 2^28 pages of 4 KiB.
  const int64_t pages = (int64_t{1} << 40) / 4096;
  EXPECT_EQ(model.GrantNs(pages), 3'600'000'000'000 + pages * 1'000'000);
  EXPECT_LT(model.GrantNs(pages), kMaxDuration);
  // Even 2^40 page-table entries, more than any host can hold, stay exact.
  EXPECT_EQ(model.GrantNs(int64_t{1} << 40), 3'600'000'000'000 + (int64_t{1} << 40) * 1'000'000);
}

TEST(CostModelTest, GrantSaturatesInsteadOfWrapping) {
  const CostModel model(SlowestAcceptedCostModel().cost_model());
  EXPECT_EQ(model.GrantNs(kInt64Max), kMaxDuration);
  // The defect: with an unvalidated per-page cost of INT64_MAX, a 64 KiB grant (16 pages) used to
  // wrap to a few microseconds, faster than the default.
  config::CostModel params = DefaultConfig().cost_model();
  params.set_mmu_update_per_page_ns(kInt64Max);
  EXPECT_EQ(CostModel(params).GrantNs(16), kMaxDuration);
  EXPECT_EQ(CostModel(params).GrantTransferNs(16, 100), kMaxDuration);
}

TEST(CostModelTest, ByteCostsSaturate) {
  config::CostModel params = DefaultConfig().cost_model();
  params.set_intra_rack_rtt_ns(kInt64Max);
  params.set_local_dram_access_ns(kInt64Max);
  params.set_memory_bandwidth_gbps(1e-3);
  const CostModel model(params);
  EXPECT_EQ(model.MessageOneWayNs(/*same_rack=*/true, kInt64Max), kMaxDuration);
  EXPECT_EQ(model.MessageRttNs(/*same_rack=*/true, kInt64Max, kInt64Max), kMaxDuration);
  EXPECT_EQ(model.MemoryFetchNs(kInt64Max), kMaxDuration);
  EXPECT_EQ(model.LocalCopyNs(1), kMaxDuration);
}

}  // namespace
}  // namespace ddc
