// Checks the `transfer` experiment end to end: every run moves the data intact, and the measured
// time equals the analytic model exactly, for the default cost model and for other parameters.
#include <filesystem>

#include "gtest/gtest.h"
#include "harness/transfer_test_util.h"

namespace ddc::harness {
namespace {

TEST(TransferExperimentTest, MatchesTheModelUnderDefaults) {
  auto rows = RunTransfer("", "defaults", 1 << 20);
  ExpectEveryRunMatchesTheModel(rows, 5);  // 4 KiB .. 1 MiB
  // Under the defaults a 4 KiB grant costs 2.5 us + 100 ns + (1 us + notice on the NIC).
  const auto& header = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r][Column(header, "bytes")] == "4096" &&
        rows[r][Column(header, "mode")] == "exposed") {
      EXPECT_EQ(rows[r][Column(header, "time_ns")], "3602");
    }
  }
}

TEST(TransferExperimentTest, SensitivitySweepCrossesOverWhereTheModelSays) {
  RunTransfer("", "sweep", 4096);
  auto rows = ReadCsv(testing::TempDir() + "/transfer-sweep/transfer_sensitivity.csv");
  ASSERT_EQ(rows.size(), 15u);  // header + 2 page sizes x 7 MMU costs
  const auto& h = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r][Column(h, "exposed_ns")], rows[r][Column(h, "exposed_model_ns")]);
    double ratio = 0;
    ASSERT_TRUE(absl::SimpleAtod(rows[r][Column(h, "transparent_over_exposed")], &ratio));
    int64_t page = 0, mmu = 0;
    ASSERT_TRUE(absl::SimpleAtoi(rows[r][Column(h, "page_size")], &page));
    ASSERT_TRUE(absl::SimpleAtoi(rows[r][Column(h, "mmu_update_per_page_ns")], &mmu));
    // With 4 KiB pages a grant wins while the per-page update costs less than moving the page
    // over one 100 Gb/s link (327.68 ns). With 2 MiB pages a 16 MiB grant updates 8 entries and
    // wins by far everywhere in the sweep (the copy, which moves 4 KiB cache lines, costs the
    // same as with 4 KiB pages).
    if (page == 4096) {
      EXPECT_EQ(ratio > 1.0, mmu <= 200) << "mmu " << mmu << " ratio " << ratio;
    } else {
      EXPECT_GT(ratio, 50.0);
    }
    EXPECT_EQ(rows[r][Column(h, "transparent_ns")], rows[1][Column(h, "transparent_ns")]);
  }
}

TEST(TransferExperimentTest, MatchesTheModelForOtherParameters) {
  ExpectEveryRunMatchesTheModel(
      RunTransfer("cost_model { memory_rtt_ns: 4000 mmu_update_per_page_ns: 250 "
                  "nic_bandwidth_gbps: 25 memory_bandwidth_gbps: 50 intra_rack_rtt_ns: 3000 "
                  "local_dram_bandwidth_gbps: 200 }",
                  "slow-fabric", 1 << 20),
      5);
  ExpectEveryRunMatchesTheModel(
      RunTransfer("memory { page_size: 2097152 } cost_model { preset: PRESET_FUTURE }",
                  "huge-pages", 4 << 20),
      6);  // 4 KiB .. 4 MiB: the grant moves whole 2 MiB pages, the copy whole 4 KiB lines
}

TEST(TransferExperimentTest, DuplicatedChunksAreIgnoredAndLostOnesFailTheRun) {
  auto run = [](const std::string& faults, const std::string& name) {
    absl::StatusOr<PlatformConfig> config = ParseConfig(faults);
    EXPECT_TRUE(config.ok()) << config.status();
    const std::string dir = testing::TempDir() + "/transfer-" + name;
    std::filesystem::create_directories(dir);
    for (auto& e : AllExperiments()) {
      if (e->name() != "transfer") continue;
      return e
          ->Run(
              {*config, 5, dir, {{"transfer.max_bytes", "262144"}, {"transfer.sweep_bytes", "0"}}})
          .status();
    }
    return absl::NotFoundError("no transfer experiment");
  };
  absl::Status duplicated =
      run("faults { message_faults { duplicate_probability: 0.3 } }", "duplicates");
  EXPECT_TRUE(duplicated.ok()) << duplicated;
  auto rows = ReadCsv(testing::TempDir() + "/transfer-duplicates/transfer.csv");
  ASSERT_GT(rows.size(), 1u);
  for (size_t r = 1; r < rows.size(); ++r) EXPECT_EQ(rows[r][Column(rows[0], "verified")], "yes");
  absl::Status dropped = run("faults { message_faults { drop_probability: 0.5 } }", "drops");
  EXPECT_FALSE(dropped.ok());
  EXPECT_NE(std::string(dropped.message()).find("did not finish"), std::string::npos) << dropped;
}

TEST(TransferExperimentTest, RejectsBadParameters) {
  const std::string dir = testing::TempDir() + "/transfer-bad";
  std::filesystem::create_directories(dir);
  for (auto& e : AllExperiments()) {
    if (e->name() != "transfer") continue;
    absl::Status status =
        e->Run({DefaultConfig(), 1, dir, {{"transfer.max_bytes", "lots"}}}).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(status.message()).find("transfer.max_bytes"), std::string::npos);
    status = e->Run({DefaultConfig(), 1, dir, {{"transfer.max_bytes", "0"}}}).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace ddc::harness
