// Checks the `transfer` experiment end to end: every run moves the data intact, and the measured
// time equals the analytic model exactly, for the default cost model and for other parameters.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "harness/experiment.h"
#include "platform/config.h"

namespace ddc::harness {
namespace {

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(absl::StrSplit(line, ','));
  return rows;
}

int Column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

std::vector<std::vector<std::string>> RunTransfer(const std::string& config_text,
                                                  const std::string& name, int64_t max_bytes) {
  absl::StatusOr<PlatformConfig> config = ParseConfig(config_text);
  EXPECT_TRUE(config.ok()) << config.status();
  const std::string dir = testing::TempDir() + "/transfer-" + name;
  std::filesystem::create_directories(dir);
  for (auto& e : AllExperiments()) {
    if (e->name() != "transfer") continue;
    absl::Status status =
        e->Run({*config, 3, dir, {{"transfer.max_bytes", std::to_string(max_bytes)}}});
    EXPECT_TRUE(status.ok()) << status;
  }
  return ReadCsv(dir + "/transfer.csv");
}

void ExpectEveryRunMatchesTheModel(const std::vector<std::vector<std::string>>& rows,
                                   int expected_sizes) {
  ASSERT_GT(rows.size(), 1u);
  const auto& header = rows[0];
  const int mode = Column(header, "mode"), time = Column(header, "time_ns"),
            model = Column(header, "model_ns"), verified = Column(header, "verified"),
            trips = Column(header, "memory_round_trips"),
            messages = Column(header, "network_messages");
  int exposed_rows = 0;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    EXPECT_EQ(row[verified], "yes") << "row " << r;
    EXPECT_EQ(row[time], row[model]) << "row " << r << " (" << row[mode] << ")";
    int64_t t = 0;
    ASSERT_TRUE(absl::SimpleAtoi(row[time], &t));
    EXPECT_GT(t, 0);
    if (row[mode] == "exposed") {
      ++exposed_rows;
      // The paper: one memory round trip and one control message.
      EXPECT_EQ(row[trips], "1");
      EXPECT_EQ(row[messages], "1");
    }
  }
  EXPECT_EQ(exposed_rows, expected_sizes);
}

TEST(TransferExperimentTest, MatchesTheModelUnderDefaults) {
  auto rows = RunTransfer("", "defaults", 1 << 20);
  ExpectEveryRunMatchesTheModel(rows, 5);  // 4 KiB .. 1 MiB
  // Under the defaults a 4 KiB grant costs 2.5 us + 100 ns + (1 us + notice on the NIC).
  const auto& header = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r][Column(header, "bytes")] == "4096" && rows[r][Column(header, "mode")] == "exposed") {
      EXPECT_EQ(rows[r][Column(header, "time_ns")], "3602");
    }
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
      RunTransfer("memory { page_size: 2097152 } cost_model { preset: PRESET_FUTURE }", "huge-pages",
                  4 << 20),
      6);  // 4 KiB .. 4 MiB, each rounded up to whole 2 MiB pages
}

TEST(TransferExperimentTest, RejectsBadParameters) {
  const std::string dir = testing::TempDir() + "/transfer-bad";
  std::filesystem::create_directories(dir);
  for (auto& e : AllExperiments()) {
    if (e->name() != "transfer") continue;
    absl::Status status =
        e->Run({DefaultConfig(), 1, dir, {{"transfer.max_bytes", "lots"}}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(status.message()).find("transfer.max_bytes"), std::string::npos);
    status = e->Run({DefaultConfig(), 1, dir, {{"transfer.max_bytes", "0"}}});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace ddc::harness
