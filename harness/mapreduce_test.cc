// The MapReduce experiments run as `ddc run` would, on small settings, and write their CSVs.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "harness/experiment.h"
#include "platform/config.h"

namespace ddc::harness {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ExperimentContext Context(const std::string& dir) {
  ExperimentContext ctx;
  ResolveConfig(ctx.config);
  ctx.out_dir = ::testing::TempDir() + dir;
  std::filesystem::create_directories(ctx.out_dir);
  return ctx;
}

std::unique_ptr<Experiment> Find(absl::string_view name) {
  for (auto& e : AllExperiments()) {
    if (e->name() == name) return std::move(e);
  }
  return nullptr;
}

TEST(MapReduceExperiments, ShuffleWritesItsCsvsWithBothModes) {
  ExperimentContext ctx = Context("mr-shuffle");
  ctx.params = {{"mapreduce-shuffle.min_mib", "2"},
                {"mapreduce-shuffle.max_tasks", "4"},
                {"mapreduce-shuffle.jobs", "9"}};  // terasort and grep
  std::unique_ptr<Experiment> e = Find("mapreduce-shuffle");
  ASSERT_NE(e, nullptr);
  absl::StatusOr<ExperimentResult> result = e->Run(ctx);
  ASSERT_TRUE(result.ok()) << result.status();
  const std::string runs = Read(ctx.out_dir + "/mapreduce_shuffle.csv");
  EXPECT_NE(runs.find("transparent,terasort"), std::string::npos) << runs;
  EXPECT_NE(runs.find("exposed,grep"), std::string::npos) << runs;
  EXPECT_NE(Read(ctx.out_dir + "/mapreduce_shuffle_summary.csv").find("terasort,2097152,4x4"),
            std::string::npos);
}

TEST(MapReduceExperiments, StragglerWritesItsCsvs) {
  ExperimentContext ctx = Context("mr-straggler");
  ctx.params = {{"mapreduce-straggler.mib", "4"},
                {"mapreduce-straggler.interval_us", "500"},
                {"mapreduce-straggler.spill_kib", "256"}};
  std::unique_ptr<Experiment> e = Find("mapreduce-straggler");
  ASSERT_NE(e, nullptr);
  absl::StatusOr<ExperimentResult> result = e->Run(ctx);
  ASSERT_TRUE(result.ok()) << result.status();
  const std::string runs = Read(ctx.out_dir + "/mapreduce_straggler.csv");
  EXPECT_NE(runs.find("exposed,steal-and-resume,10x at 50%"), std::string::npos) << runs;
  EXPECT_NE(runs.find("crash at 75%"), std::string::npos);
}

}  // namespace
}  // namespace ddc::harness
