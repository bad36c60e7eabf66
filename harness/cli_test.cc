// What a user of `ddc run` sees when a process fails: a non-zero exit naming the process and its
// error, unless the experiment declared that failure expected; and the headline of a good run.
#include "harness/cli.h"

#include <filesystem>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/workload.h"

namespace ddc::harness {
namespace {

using ::testing::HasSubstr;

// Faulty is a workload whose "worker" process fails after 5 us: it throws, or returns an error.
class Faulty final : public Workload {
 public:
  Faulty(bool throws, bool expected) : throws_(throws), expected_(expected) {}
  absl::Status Setup(Simulation& sim) override {
    return sim
        .Spawn({.name = "worker",
                .ce = *sim.topology().FindCe("r0/ce0"),
                .main = [this](Process& self) -> asio::awaitable<absl::Status> {
                  co_await self.Sleep(Microseconds(5));
                  done_ = true;
                  if (throws_) throw std::runtime_error("the ledger is on fire");
                  co_return absl::DataLossError("the ledger does not balance");
                }})
        .status();
  }
  bool Finished() const override { return done_; }
  absl::Status Check(const Simulation&) override { return absl::OkStatus(); }
  std::vector<MetricRow> Metrics() const override { return {{{"done", "yes"}}}; }
  bool ExpectedFailure(const ProcessFailure& f) const override {
    return expected_ && f.process == "worker";
  }

 private:
  const bool throws_;
  const bool expected_;
  bool done_ = false;
};

class FaultyExperiment final : public Experiment {
 public:
  FaultyExperiment(bool throws, bool expected) : throws_(throws), expected_(expected) {}
  absl::string_view name() const override { return "faulty"; }
  absl::string_view description() const override { return "a process fails on purpose"; }
  absl::StatusOr<ExperimentResult> Run(const ExperimentContext& ctx) override {
    CsvTable table;
    absl::StatusOr<BothModes<Faulty>> runs = RunInBothModes<Faulty>(
        ctx, [this](Mode) { return std::make_unique<Faulty>(throws_, expected_); }, table);
    if (!runs.ok()) return runs.status();
    return ExperimentResult{"survived"};
  }

 private:
  const bool throws_;
  const bool expected_;
};

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun RunFaulty(bool throws, bool expected) {
  auto experiments = [throws, expected] {
    std::vector<std::unique_ptr<Experiment>> all;
    all.push_back(std::make_unique<FaultyExperiment>(throws, expected));
    return all;
  };
  const std::string dir = ::testing::TempDir() + "/cli-faulty";
  std::filesystem::create_directories(dir);
  std::ostringstream out, err;
  const int code = RunCli({"run", "faulty", "--out", dir}, experiments, out, err);
  return {code, out.str(), err.str()};
}

TEST(CliTest, AProcessThatThrowsMakesDdcRunExitNonZeroNamingIt) {
  const CliRun run = RunFaulty(/*throws=*/true, /*expected=*/false);
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("faulty: process \"worker\""));
  EXPECT_THAT(run.err, HasSubstr("the ledger is on fire"));
  EXPECT_THAT(run.err, HasSubstr("transparent mode"));
}

TEST(CliTest, AProcessThatReturnsAnErrorMakesDdcRunExitNonZeroNamingIt) {
  const CliRun run = RunFaulty(/*throws=*/false, /*expected=*/false);
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("process \"worker\""));
  EXPECT_THAT(run.err, HasSubstr("DATA_LOSS: the ledger does not balance"));
}

TEST(CliTest, AFailureTheExperimentExpectsIsNotAnError) {
  const CliRun run = RunFaulty(/*throws=*/true, /*expected=*/true);
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("ddc: faulty: survived"));
}

TEST(CliTest, UsageErrorsExitWithTwo) {
  std::ostringstream out, err;
  const ExperimentList none = [] { return std::vector<std::unique_ptr<Experiment>>(); };
  EXPECT_EQ(RunCli({}, none, out, err), 2);
  EXPECT_EQ(RunCli({"run", "nothing-by-this-name"}, none, out, err), 2);
  EXPECT_THAT(err.str(), HasSubstr("unknown experiment"));
}

}  // namespace
}  // namespace ddc::harness
