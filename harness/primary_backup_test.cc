// The `primary-backup` experiment: it is listed, it writes one row per mode in which nothing
// acknowledged was lost, it is reproducible, its figures say which detection was faster, and a
// process that fails makes the run fail with the process's name and error.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/experiment.h"
#include "harness/experiments/primary_backup_workload.h"
#include "harness/transfer_test_util.h"  // ReadCsv, Column
#include "harness/workload.h"
#include "platform/config.h"

namespace ddc::harness {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<Experiment> PrimaryBackupExperiment() {
  for (std::unique_ptr<Experiment>& e : AllExperiments()) {
    if (e->name() == "primary-backup") return std::move(e);
  }
  return nullptr;
}

// RunExperiment runs `ddc run primary-backup` with `params` into TempDir()/primary-backup-NAME and
// returns the rows of primary_backup.csv (header first).
std::vector<std::vector<std::string>> RunExperiment(const std::string& name,
                                                    std::map<std::string, std::string> params = {},
                                                    std::string* headline = nullptr) {
  const std::string dir = ::testing::TempDir() + "/primary-backup-" + name;
  std::filesystem::create_directories(dir);
  std::unique_ptr<Experiment> experiment = PrimaryBackupExperiment();
  if (experiment == nullptr) {
    ADD_FAILURE() << "primary-backup is not registered";
    return {};
  }
  absl::StatusOr<ExperimentResult> result =
      experiment->Run({DefaultConfig(), /*seed=*/1, dir, std::move(params)});
  EXPECT_TRUE(result.ok()) << result.status();
  if (result.ok() && headline != nullptr) *headline = result->headline;
  return ReadCsv(dir + "/primary_backup.csv");
}

int64_t Int(const std::vector<std::string>& header, const std::vector<std::string>& row,
            const std::string& column) {
  int64_t value = 0;
  EXPECT_TRUE(absl::SimpleAtoi(row[Column(header, column)], &value))
      << column << " = " << row[Column(header, column)];
  return value;
}

TEST(PrimaryBackupExperimentTest, IsListedWithItsParameters) {
  std::unique_ptr<Experiment> experiment = PrimaryBackupExperiment();
  ASSERT_NE(experiment, nullptr);
  EXPECT_FALSE(experiment->description().empty());
  EXPECT_THAT(experiment->parameters(),
              ::testing::ElementsAre("primary-backup.increments", "primary-backup.crash_at_ns"));
}

TEST(PrimaryBackupExperimentTest, NothingAcknowledgedIsLostInEitherMode) {
  std::string headline;
  const auto rows = RunExperiment("defaults", {}, &headline);
  ASSERT_EQ(rows.size(), 3u);  // header, transparent, exposed
  const auto& h = rows[0];
  EXPECT_EQ(rows[1][Column(h, "mode")], "transparent");
  EXPECT_EQ(rows[2][Column(h, "mode")], "exposed");
  for (size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(Int(h, rows[r], "acks"), 100);
    EXPECT_EQ(Int(h, rows[r], "final_value"), 100);
    EXPECT_EQ(Int(h, rows[r], "lost_acked_increments"), 0);
    EXPECT_EQ(Int(h, rows[r], "applied_twice"), 0);
    EXPECT_GE(Int(h, rows[r], "failed_calls"), 1);
    EXPECT_GE(Int(h, rows[r], "takeover_ns"), Int(h, rows[r], "detection_ns"));
  }
  // With the default config the fair timeout (10 round trips, ~20 us) detects the crash before
  // the rack monitor (5 missed beats of 2 ms): a real result of the defaults, reported as such.
  EXPECT_LT(Int(h, rows[1], "detection_ns"), Microseconds(50));
  EXPECT_GT(Int(h, rows[2], "detection_ns"), Milliseconds(8));
  EXPECT_LT(Int(h, rows[1], "longest_ack_wait_ns"), Int(h, rows[2], "longest_ack_wait_ns"));
  // Without a replica to update, exposed mode acknowledges sooner while the primary lives.
  EXPECT_LT(Int(h, rows[2], "ack_p50_before_crash_ns"), Int(h, rows[1], "ack_p50_before_crash_ns"));
  EXPECT_THAT(headline, HasSubstr("longest wait for an ack: transparent "));
}

TEST(PrimaryBackupExperimentTest, WithoutACrashNothingIsDetected) {
  const auto rows = RunExperiment(
      "no-crash", {{"primary-backup.crash_at_ns", "0"}, {"primary-backup.increments", "20"}});
  ASSERT_EQ(rows.size(), 3u);
  const auto& h = rows[0];
  for (size_t r = 1; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r][Column(h, "detection_ns")], "NA");
    EXPECT_EQ(Int(h, rows[r], "failed_calls"), 0);
    EXPECT_EQ(Int(h, rows[r], "final_value"), 20);
  }
}

TEST(PrimaryBackupExperimentTest, TheSameSeedWritesTheSameCsv) {
  EXPECT_EQ(RunExperiment("first"), RunExperiment("second"));
}

TEST(PrimaryBackupExperimentTest, RejectsABadParameter) {
  std::unique_ptr<Experiment> experiment = PrimaryBackupExperiment();
  ASSERT_NE(experiment, nullptr);
  const absl::StatusOr<ExperimentResult> result = experiment->Run(
      {DefaultConfig(), 1, ::testing::TempDir(), {{"primary-backup.increments", "0"}}});
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("primary-backup.increments"));
}

// A failing process fails the run loudly: RunWorkload names the process, its mode and its error.
// Here the standby is placed in another rack, where the rack monitor cannot watch the primary for
// it (a mistake a newcomer could make).
TEST(PrimaryBackupExperimentTest, AFailingProcessFailsTheRunWithItsNameAndError) {
  absl::StatusOr<PlatformConfig> config =
      ParseConfig("placements { process: \"backup\" ce: \"r1/ce0\" }");
  ASSERT_TRUE(config.ok()) << config.status();
  PrimaryBackupWorkload workload(primary_backup::Options(), Milliseconds(1));
  const absl::Status status =
      RunWorkload(*config, Mode::kExposed, /*seed=*/1, workload, ::testing::TempDir());
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("process \"backup\""));
  EXPECT_THAT(status.message(), HasSubstr("exposed mode"));
  EXPECT_THAT(status.message(), HasSubstr("another rack"));
}

}  // namespace
}  // namespace ddc::harness
