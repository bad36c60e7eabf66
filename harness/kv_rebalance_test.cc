// The `kv-rebalance` experiment on a small preload: it is listed, it writes its CSVs with one row
// per method, every history it recorded is linearizable, the legacy round trips sit next to
// their analytic count, and bad parameters are refused with their name.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "gtest/gtest.h"
#include "harness/experiment.h"
#include "harness/transfer_test_util.h"  // ReadCsv, Column
#include "platform/config.h"

namespace ddc::harness {
namespace {

std::unique_ptr<Experiment> KvRebalance() {
  for (std::unique_ptr<Experiment>& e : AllExperiments()) {
    if (e->name() == "kv-rebalance") return std::move(e);
  }
  return nullptr;
}

absl::StatusOr<ExperimentResult> RunKv(const std::string& dir,
                                       std::map<std::string, std::string> params) {
  std::filesystem::create_directories(dir);
  ExperimentContext context;
  context.config = DefaultConfig();
  context.out_dir = dir;
  context.params = std::move(params);
  return KvRebalance()->Run(context);
}

// Cell is row `row`'s value in column `name` (the header is row 0).
std::string Cell(const std::vector<std::vector<std::string>>& rows, int row,
                 const std::string& name) {
  const int column = Column(rows[0], name);
  return column < 0 ? "" : rows[row][column];
}

TEST(KvRebalanceTest, QuickRunWritesEveryMethodWithCheckedHistories) {
  ASSERT_NE(KvRebalance(), nullptr);
  const std::string dir = ::testing::TempDir() + "/kv-rebalance-quick";
  absl::StatusOr<ExperimentResult> result = RunKv(dir, {{"kv-rebalance.records", "2000"},
                                                        {"kv-rebalance.plans", "scale-out"},
                                                        {"kv-rebalance.mixes", "A"},
                                                        {"kv-rebalance.loads", "50"},
                                                        {"kv-rebalance.valkey_mib", "4"},
                                                        {"kv-rebalance.history", "1"}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_NE(result->headline.find("4 MiB"), std::string::npos) << result->headline;
  const auto rows = ReadCsv(dir + "/kv_rebalance.csv");
  ASSERT_EQ(rows.size(), 4u);  // header and three methods
  const std::vector<std::string> methods = {"LEGACY", "SNAPSHOT", "GRANT"};
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(Cell(rows, i, "method"), methods[i - 1]);
    EXPECT_EQ(Cell(rows, i, "mode"), i == 3 ? "exposed" : "transparent");
    EXPECT_EQ(Cell(rows, i, "migration"), "ok");
    EXPECT_EQ(Cell(rows, i, "slots_moved"), "4096");
    EXPECT_EQ(Cell(rows, i, "history_checked"), "yes");
  }
  double measured = 0;
  double analytic = 0;
  ASSERT_TRUE(absl::SimpleAtod(Cell(rows, 1, "round_trips"), &measured));
  ASSERT_TRUE(absl::SimpleAtod(Cell(rows, 1, "analytic_round_trips"), &analytic));
  EXPECT_GE(measured, analytic);  // empty slots cost one more GETKEYSINSLOT
  EXPECT_LE(measured, analytic * 1.35);
  int64_t legacy_ns = 0;
  int64_t grant_ns = 0;
  ASSERT_TRUE(absl::SimpleAtoi(Cell(rows, 1, "rebalance_ns"), &legacy_ns));
  ASSERT_TRUE(absl::SimpleAtoi(Cell(rows, 3, "rebalance_ns"), &grant_ns));
  EXPECT_LT(grant_ns, legacy_ns);
  EXPECT_TRUE(std::filesystem::exists(dir + "/kv_rebalance_intervals.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/kv_rebalance_valkey.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/kv_rebalance.scale-out_A_50_.GRANT.history.jsonl"));
}

TEST(KvRebalanceTest, BadParametersAreRefusedByName) {
  const std::string dir = ::testing::TempDir() + "/kv-rebalance-bad";
  EXPECT_NE(RunKv(dir, {{"kv-rebalance.plans", "sideways"}}).status().message().find("sideways"),
            std::string::npos);
  EXPECT_NE(RunKv(dir, {{"kv-rebalance.mixes", "E"}}).status().message().find("slot"),
            std::string::npos);
  EXPECT_NE(RunKv(dir, {{"kv-rebalance.loads", "0"}}).status().message().find("loads"),
            std::string::npos);
  EXPECT_NE(RunKv(dir, {{"kv-rebalance.records", "0"}}).status().message().find("records"),
            std::string::npos);
}

}  // namespace
}  // namespace ddc::harness
