#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "mapreduce/jobs/gensort.h"
#include "mapreduce/jobs/jobs.h"
#include "mapreduce/jobs/zipf_text.h"
#include "mapreduce/mapreduce_test_util.h"

namespace ddc::mapreduce {
namespace {

using testing::RunJobFor;
using testing::TestRun;

std::shared_ptr<const Dataset> Text(int64_t bytes, uint64_t seed = 1) {
  ZipfTextOptions options;
  options.bytes = bytes;
  options.block_bytes = 64 * 1024;
  options.seed = seed;
  return *ZipfTextDataset::Create(options);
}

std::shared_ptr<const Dataset> Gensort(int64_t records, bool skewed, uint64_t seed = 1) {
  GensortOptions options;
  options.records = records;
  options.block_records = 640;
  options.skewed = skewed;
  options.seed = seed;
  return *GensortDataset::Create(options);
}

JobOptions Options(JobPlan plan) {
  JobOptions options;
  options.plan = std::move(plan);
  options.engine.spill_bytes = 256 * 1024;
  options.engine.read_chunk_bytes = 64 * 1024;
  return options;
}

void ExpectMatchesReference(const TestRun& run, const JobPlan& plan) {
  ASSERT_TRUE(run.outcome->finished);
  ASSERT_TRUE(run.outcome->status.ok()) << run.outcome->status;
  absl::StatusOr<std::vector<KvPair>> reference = RunReference(plan);
  ASSERT_TRUE(reference.ok()) << reference.status();
  EXPECT_EQ(SortedPairs(run.outcome->AllOutput()), SortedPairs(*reference));
  EXPECT_TRUE(run.sim->ProcessFailures().empty());
}

class BothModes : public ::testing::TestWithParam<Mode> {};

TEST_P(BothModes, WordCountMatchesTheReference) {
  for (bool combiner : {false, true}) {
    SCOPED_TRACE(combiner ? "with combiner" : "without combiner");
    const JobPlan plan = WordCountJob({Text(1 << 20), 4, 3}, combiner);
    absl::StatusOr<TestRun> run = RunJobFor(GetParam(), Options(plan));
    ASSERT_TRUE(run.ok()) << run.status();
    ExpectMatchesReference(*run, plan);
  }
}

TEST_P(BothModes, TeraSortMatchesTheReferenceAndValidates) {
  for (bool skewed : {false, true}) {
    SCOPED_TRACE(skewed ? "skewed keys" : "uniform keys");
    const JobPlan plan = TeraSortJob({Gensort(10000, skewed), 4, 4});
    absl::StatusOr<TestRun> run = RunJobFor(GetParam(), Options(plan));
    ASSERT_TRUE(run.ok()) << run.status();
    ExpectMatchesReference(*run, plan);
    // valsort: the concatenated output is sorted, and holds the input's records (count and
    // checksum).
    Valsort output;
    for (const KvPair& pair : run->outcome->AllOutput()) {
      output.Add(TeraSortRecord(pair.first, pair.second));
    }
    Valsort input;
    const std::string bytes = plan.input->Block(0);
    for (int64_t b = 0; b < plan.input->blocks(); ++b) {
      const std::string block = plan.input->Block(b);
      for (size_t at = 0; at < block.size(); at += kGensortRecordBytes) {
        input.Add(absl::string_view(block).substr(at, kGensortRecordBytes));
      }
    }
    EXPECT_EQ(output.summary().unordered, 0);
    EXPECT_EQ(output.summary().records, input.summary().records);
    EXPECT_EQ(output.summary().checksum, input.summary().checksum);
    // Every reducer got a share (sampled range partitioning), even with skewed keys.
    for (const auto& partition : run->outcome->output) EXPECT_FALSE(partition.empty());
  }
}

TEST_P(BothModes, GrepMatchesTheReference) {
  const JobPlan plan = GrepJob({Text(1 << 20, 3), 4, 2}, "ab");
  absl::StatusOr<TestRun> run = RunJobFor(GetParam(), Options(plan));
  ASSERT_TRUE(run.ok()) << run.status();
  ExpectMatchesReference(*run, plan);
  EXPECT_GT(run->outcome->counters.Get("grep_matches"), 0);
}

INSTANTIATE_TEST_SUITE_P(Mapreduce, BothModes,
                         ::testing::Values(Mode::kTransparent, Mode::kExposed),
                         [](const auto& info) { return std::string(ModeName(info.param)); });

}  // namespace
}  // namespace ddc::mapreduce
