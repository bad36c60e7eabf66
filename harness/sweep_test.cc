// Sweeps: points run in parallel give the files a serial run gives, a Slurm array's tasks merge
// into the local sweep's files byte for byte, and failures name their point.
#include "harness/sweep.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/cli.h"
#include "harness/output.h"

namespace ddc::harness {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Echo writes what its point was given, so merged files show every point's config, params and
// seed; `echo.fail_at` makes the point whose memory RTT equals it fail.
class Echo final : public Experiment {
 public:
  absl::string_view name() const override { return "echo"; }
  absl::string_view description() const override { return "writes its inputs"; }
  std::vector<std::string> parameters() const override { return {"echo.word", "echo.fail_at"}; }
  absl::StatusOr<ExperimentResult> Run(const ExperimentContext& ctx) override {
    const int64_t rtt = ctx.config.cost_model().memory_rtt_ns();
    absl::StatusOr<int64_t> fail_at = ctx.IntParam("echo.fail_at", -1);
    if (!fail_at.ok()) return fail_at.status();
    if (rtt == *fail_at) return absl::DataLossError("echo was told to fail");
    const std::string word = ctx.params.contains("echo.word") ? ctx.params.at("echo.word") : "-";
    CsvTable table({"memory_rtt_ns", "word", "seed", "row"});
    for (int row = 0; row < 3; ++row) table.AddRow(rtt, word, ctx.seed, row);
    absl::Status status = WriteFile(ctx.out_dir, "echo.csv", table.Render());
    if (!status.ok()) return status;
    return ExperimentResult{absl::StrCat("rtt ", rtt, ", word ", word)};
  }
};

ExperimentList Experiments() {
  return [] {
    std::vector<std::unique_ptr<Experiment>> all;
    all.push_back(std::make_unique<Echo>());
    return all;
  };
}

std::string Read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Fresh(absl::string_view name) {
  const std::string dir = absl::StrCat(::testing::TempDir(), "/sweep-", name);
  fs::remove_all(dir);
  return dir;
}

int Cli(std::vector<std::string> args, std::string* err_text = nullptr) {
  std::ostringstream out, err;
  const int code = RunCli(args, Experiments(), out, err);
  if (err_text) *err_text = err.str();
  return code;
}

const std::vector<std::string> kSweep = {"--sweep", "cost_model.memory_rtt_ns=500,1000,2500",
                                         "--sweep", "params.echo.word=a,b",
                                         "--seed",  "4"};

std::vector<std::string> With(std::vector<std::string> head) {
  head.insert(head.end(), kSweep.begin(), kSweep.end());
  return head;
}

TEST(SweepTest, MergedFilesHaveOneRowPerPointRowInPointOrder) {
  const std::string dir = Fresh("merged");
  ASSERT_EQ(Cli(With({"run", "echo", "--out", dir, "--jobs", "3"})), 0);
  const std::string merged = Read(fs::path(dir) / "echo.csv");
  EXPECT_EQ(merged.substr(0, merged.find('\n')),
            "experiment,point,seed,cost_model.memory_rtt_ns,params.echo.word,memory_rtt_ns,word,seed,"
            "row");
  EXPECT_THAT(merged, HasSubstr("\necho,0,4,500,a,500,a,4,0\necho,0,4,500,a,500,a,4,1\n"));
  EXPECT_THAT(merged, HasSubstr("\necho,5,4,2500,b,2500,b,4,2\n"));
  EXPECT_EQ(std::count(merged.begin(), merged.end(), '\n'), 1 + 6 * 3);
  EXPECT_THAT(Read(fs::path(dir) / "points.csv"), HasSubstr("\necho,3,4,1000,b,\"rtt 1000, word b\"\n"));
}

// One point runs straight into the output directory, with the same context columns; a rerun into
// it replaces the previous run's CSVs instead of stamping them twice or keeping a stale one.
TEST(SweepTest, ASinglePointsCsvsOpenWithTheContextColumnsOnce) {
  const std::string dir = Fresh("single");
  ASSERT_EQ(Cli({"run", "echo", "--out", dir, "--set", "echo.word=x", "--seed", "9"}), 0);
  std::ofstream(fs::path(dir) / "stale.csv") << "old\n";
  ASSERT_EQ(Cli({"run", "echo", "--out", dir, "--set", "echo.word=x", "--seed", "9"}), 0);
  EXPECT_EQ(Read(fs::path(dir) / "echo.csv"),
            "experiment,point,seed,params.echo.word,memory_rtt_ns,word,seed,row\n"
            "echo,0,9,x,2500,x,9,0\necho,0,9,x,2500,x,9,1\necho,0,9,x,2500,x,9,2\n");
  EXPECT_FALSE(fs::exists(fs::path(dir) / "stale.csv"));
  EXPECT_FALSE(fs::exists(fs::path(dir) / "points.csv"));
}

TEST(SweepTest, ParallelPointsGiveTheSerialFiles) {
  const std::string serial = Fresh("serial"), parallel = Fresh("parallel");
  ASSERT_EQ(Cli(With({"run", "echo", "--out", serial, "--jobs", "1"})), 0);
  ASSERT_EQ(Cli(With({"run", "echo", "--out", parallel, "--jobs", "4"})), 0);
  for (const char* name : {"echo.csv", "points.csv"}) {
    EXPECT_EQ(Read(fs::path(serial) / name), Read(fs::path(parallel) / name)) << name;
  }
}

// The Slurm path without Slurm: each array task is `ddc sweep SPEC --task I`, as the emitted
// script runs it (scripts/slurm_local_test.sh runs the script itself, with SLURM_ARRAY_TASK_ID).
TEST(SweepTest, ASlurmArraysTasksMergeIntoTheLocalSweepsFiles) {
  const std::string local = Fresh("local"), array = Fresh("array");
  ASSERT_EQ(Cli(With({"run", "echo", "--out", local})), 0);
  ASSERT_EQ(Cli(With({"sweep", "echo", "--emit-slurm", array})), 0);
  EXPECT_THAT(Read(fs::path(array) / "sweep.sbatch"), HasSubstr("#SBATCH --array=0-5\n"));
  std::string err;
  EXPECT_EQ(Cli({"merge", array}, &err), 1);  // no task has run yet
  EXPECT_THAT(err, HasSubstr("point 0 (seed 4, cost_model.memory_rtt_ns=500, params.echo.word=a) "
                             "has not finished"));
  for (int task = 5; task >= 0; --task) {  // in any order
    ASSERT_EQ(
        Cli({"sweep", array + "/spec.textproto", "--task", absl::StrCat(task), "--out", array}), 0);
  }
  ASSERT_EQ(Cli({"merge", array}), 0);
  for (const char* name : {"echo.csv", "points.csv"}) {
    EXPECT_EQ(Read(fs::path(local) / name), Read(fs::path(array) / name)) << name;
  }
}

TEST(SweepTest, AFailedPointFailsTheSweepNamingThePoint) {
  std::string err;
  EXPECT_EQ(
      Cli(With({"run", "echo", "--out", Fresh("failed"), "--set", "echo.fail_at=1000"}), &err), 1);
  EXPECT_THAT(err,
              HasSubstr("point 2 (seed 4, cost_model.memory_rtt_ns=1000, params.echo.word=a)"));
  EXPECT_THAT(err, HasSubstr("echo was told to fail"));
}

TEST(SweepTest, UsageMistakesExitWithTwoAndBadSpecsWithOne) {
  std::string err;
  EXPECT_EQ(Cli({"run", "echo", "--sweep", "nonsense"}, &err), 2);
  EXPECT_EQ(Cli({"sweep", "echo", "--task", "99", "--out", Fresh("task")}, &err), 2);
  EXPECT_THAT(err, HasSubstr("the sweep has 1 points"));
  EXPECT_EQ(Cli({"run", "echo", "--task", "0"}, &err), 2);  // --task belongs to sweep
  EXPECT_EQ(Cli({"run", "echo", "--sweep", "cost_model.nope=1", "--out", Fresh("nope")}, &err), 1);
  EXPECT_THAT(err, HasSubstr("cost_model.nope=1: CostModel has no field \"nope\""));
  EXPECT_EQ(Cli({"run", "echo", "--set", "echo.typo=1", "--out", Fresh("typo")}, &err), 1);
  EXPECT_THAT(err, HasSubstr("parameter echo.typo: echo does not read it"));
  const std::string spec = Fresh("spec") + ".textproto";
  std::ofstream(spec) << "experiment: \"echo\"\nseeds: 1\nseeds: 1\n";
  EXPECT_EQ(Cli({"run", spec}, &err), 1);
  EXPECT_THAT(err, HasSubstr("seeds[1]: seed 1 is listed twice"));
}

}  // namespace
}  // namespace ddc::harness
