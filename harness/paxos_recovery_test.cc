// The `paxos-recovery` experiment: it is listed with its parameters, it writes a row per
// scenario, mode and baseline with the recovery phases measured, its interval rows, and it
// refuses bad parameters.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/experiment.h"
#include "harness/experiments/paxos_recovery_workload.h"
#include "harness/transfer_test_util.h"  // ReadCsv, Column
#include "platform/config.h"

namespace ddc::harness {
namespace {

std::unique_ptr<Experiment> PaxosRecovery() {
  for (std::unique_ptr<Experiment>& e : AllExperiments()) {
    if (e->name() == "paxos-recovery") return std::move(e);
  }
  return nullptr;
}

TEST(PaxosRecoveryExperimentTest, WritesEveryScenarioInBothModes) {
  const std::string dir = ::testing::TempDir() + "/paxos-recovery";
  std::filesystem::create_directories(dir);
  std::unique_ptr<Experiment> experiment = PaxosRecovery();
  ASSERT_NE(experiment, nullptr);
  absl::StatusOr<ExperimentResult> result =
      experiment->Run({DefaultConfig(),
                       /*seed=*/1,
                       dir,
                       {{"paxos-recovery.sweep", "0"}, {"paxos-recovery.histories", "1"}}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_THAT(result->headline, ::testing::HasSubstr("full health"));
  const std::vector<std::vector<std::string>> rows = ReadCsv(dir + "/paxos_recovery.csv");
  ASSERT_EQ(rows.size(), 1u + 4 * 2 + 3);  // header, 4 scenarios x 2 modes, 3 checkpoint runs
  const std::vector<std::string>& header = rows[0];
  for (size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string>& row = rows[i];
    SCOPED_TRACE(row[Column(header, "scenario")] + " " + row[Column(header, "mode")]);
    EXPECT_FALSE(row[Column(header, "detect_us")].empty());
    EXPECT_FALSE(row[Column(header, "full_health_us")].empty()) << "never back to full health";
    EXPECT_EQ(row[Column(header, "zombie_effects")], "0");
    if (row[Column(header, "mode")] == "exposed" &&
        (row[Column(header, "scenario")] == "b-leader-crash" ||
         row[Column(header, "scenario")] == "d-pause-zombie")) {
      EXPECT_FALSE(row[Column(header, "fence_steal_us")].empty());
      EXPECT_EQ(row[Column(header, "recovery")], "steal");
    }
  }
  EXPECT_GT(ReadCsv(dir + "/paxos_recovery_intervals.csv").size(), 100u);
  // One client history per run, none overwriting another.
  int histories = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    histories += entry.path().extension() == ".jsonl";
  EXPECT_EQ(histories, 11);
}

TEST(PaxosRecoveryExperimentTest, RejectsBadParameters) {
  std::unique_ptr<Experiment> experiment = PaxosRecovery();
  ASSERT_NE(experiment, nullptr);
  EXPECT_THAT(experiment->parameters(), ::testing::Contains("paxos-recovery.state_mib"));
  absl::StatusOr<ExperimentResult> result = experiment->Run(
      {DefaultConfig(), 1, ::testing::TempDir(), {{"paxos-recovery.replicas", "4"}}});
  EXPECT_TRUE(absl::IsInvalidArgument(result.status())) << result.status();
}

}  // namespace
}  // namespace ddc::harness
