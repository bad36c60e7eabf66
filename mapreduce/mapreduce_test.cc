#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mapreduce/api.h"
#include "mapreduce/job.h"
#include "mapreduce/jobs/gensort.h"
#include "mapreduce/jobs/jobs.h"
#include "mapreduce/jobs/zipf_text.h"
#include "mapreduce/mapreduce_test_util.h"
#include "mapreduce/straggler.h"

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

// A TeraSort whose map 0 is slowed 10x from 1 ms on: with the 500 us speculation check, the three
// other maps finish at about 3 ms and map 0 is picked as a straggler.
JobOptions StragglerJob() {
  JobOptions options = Options(TeraSortJob({Gensort(40000, false), 4, 4}));
  options.policy.speculation.interval = Microseconds(500);
  return options;
}

absl::Status SlowMapZero(Simulation& sim, const Deployment& d) {
  return sim.SlowCe(d.map_ces[0], 10, Milliseconds(1));
}

const AttemptRecord* Committed(const JobOutcome& outcome, int task) {
  for (const AttemptRecord& a : outcome.attempts) {
    if (a.task == task && a.end == "committed") return &a;
  }
  return nullptr;
}

TEST(MapreduceStragglers, StealAndResumeContinuesFromTheCheckpointWithTheSameOutput) {
  const JobOptions options = StragglerJob();
  absl::StatusOr<TestRun> run =
      RunJobFor(Mode::kExposed, options, Mitigation::kStealAndResume, SlowMapZero);
  ASSERT_TRUE(run.ok()) << run.status();
  ExpectMatchesReference(*run, options.plan);
  const JobOutcome& outcome = *run->outcome;
  EXPECT_EQ(outcome.steal_launches, 1);
  const AttemptRecord* winner = Committed(outcome, 0);
  ASSERT_NE(winner, nullptr);
  EXPECT_EQ(winner->origin, STEAL);
  EXPECT_GT(winner->resumed_from, 0) << "the thief must resume, not restart";
  EXPECT_EQ(outcome.InputRefetched(), 0);
  EXPECT_EQ(outcome.attempts[0].end, "stolen");
}

TEST(MapreduceStragglers, SpeculationRestartsFromScratchWithTheSameOutput) {
  for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
    const JobOptions options = StragglerJob();
    absl::StatusOr<TestRun> run = RunJobFor(mode, options, Mitigation::kSpeculate, SlowMapZero);
    ASSERT_TRUE(run.ok()) << run.status();
    ExpectMatchesReference(*run, options.plan);
    const JobOutcome& outcome = *run->outcome;
    EXPECT_EQ(outcome.speculative_launches, 1);
    const AttemptRecord* winner = Committed(outcome, 0);
    ASSERT_NE(winner, nullptr);
    EXPECT_EQ(winner->origin, REPLICA);
    EXPECT_EQ(winner->resumed_from, 0);
    EXPECT_EQ(outcome.InputRefetched(), (*SplitInput(*options.plan.input, 4))[0].bytes);
    EXPECT_GT(outcome.WastedTaskNs(), 0);
  }
}

TEST(MapreduceStragglers, NoMitigationWaitsForTheStraggler) {
  const JobOptions options = StragglerJob();
  absl::StatusOr<TestRun> run =
      RunJobFor(Mode::kTransparent, options, Mitigation::kNone, SlowMapZero);
  ASSERT_TRUE(run.ok()) << run.status();
  ExpectMatchesReference(*run, options.plan);
  EXPECT_EQ(run->outcome->attempts.size(), 4u);
  EXPECT_EQ(run->outcome->WastedTaskNs(), 0);
}

TEST(MapreduceFailures, ACrashedMapperIsResumedInExposedModeAndRestartedInTransparentMode) {
  for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
    SCOPED_TRACE(ModeName(mode));
    JobOptions options = StragglerJob();
    absl::StatusOr<TestRun> run =
        RunJobFor(mode, options, Mitigation::kNone, [](Simulation& sim, const Deployment& d) {
          return sim.CrashCe(d.map_ces[0], Milliseconds(2));
        });
    ASSERT_TRUE(run.ok()) << run.status();
    ExpectMatchesReference(*run, options.plan);
    const AttemptRecord* winner = Committed(*run->outcome, 0);
    ASSERT_NE(winner, nullptr);
    if (mode == Mode::kExposed) {
      EXPECT_EQ(winner->origin, STEAL);
      EXPECT_GT(winner->resumed_from, 0);
    } else {
      EXPECT_EQ(winner->origin, REPLICA);
      EXPECT_EQ(winner->resumed_from, 0);
    }
  }
}

// Regression (`ddc check` mapreduce seed 66, exposed): a mapper that dies before its first
// checkpoint leaves nothing to resume from; its thief must start the task over the stolen split
// instead of failing it (and then every spare, looking for an input store exposed mode has not).
TEST(MapreduceFailures, AMapperCrashedBeforeItsFirstCheckpointIsRestartedByItsThief) {
  JobOptions options = StragglerJob();
  absl::StatusOr<TestRun> clean = RunJobFor(Mode::kExposed, options, Mitigation::kNone);
  ASSERT_TRUE(clean.ok()) << clean.status();
  const Time crash = clean->outcome->phases.start + 1;
  absl::StatusOr<TestRun> run = RunJobFor(
      Mode::kExposed, options, Mitigation::kNone,
      [&](Simulation& sim, const Deployment& d) { return sim.CrashCe(d.map_ces[0], crash); });
  ASSERT_TRUE(run.ok()) << run.status();
  ExpectMatchesReference(*run, options.plan);
  const AttemptRecord* first = run->outcome->FindAttempt(0, 0);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->last_checkpoint, -1);  // it died before any checkpoint
  const AttemptRecord* winner = Committed(*run->outcome, 0);
  ASSERT_NE(winner, nullptr);
  EXPECT_EQ(winner->origin, STEAL);
  EXPECT_EQ(winner->resumed_from, 0);
  EXPECT_EQ(winner->input_refetched, 0);  // the split was stolen, not copied
}

// Regression (`ddc check` mapreduce, message duplication): every control message delivered twice
// must not make a duplicated PartitionsHeld or ReduceDone stand in for a missing reducer.
TEST_P(BothModes, DuplicatedMessagesChangeNothing) {
  const JobPlan plan = WordCountJob({Text(256 * 1024), 3, 3}, /*combiner=*/true);
  absl::StatusOr<TestRun> run =
      RunJobFor(GetParam(), Options(plan), std::nullopt, [](Simulation& sim, const Deployment&) {
        config::FaultSchedule faults;
        config::MessageFault& twice = *faults.add_message_faults();
        twice.set_start_ns(0);
        twice.set_end_ns(Seconds(10));
        twice.set_duplicate_probability(1);
        return sim.InjectFaults(faults);
      });
  ASSERT_TRUE(run.ok()) << run.status();
  ExpectMatchesReference(*run, plan);
}

TEST(MapreduceFailures, APausedMapperIsFencedByItsThiefAndStepsDown) {
  JobOptions options = StragglerJob();
  // Paused for 30 ms: the rack monitor declares it dead after about 10 ms; a spare steals its
  // memory and resumes; when the pause ends the zombie finds its memory fenced.
  absl::StatusOr<TestRun> run = RunJobFor(
      Mode::kExposed, options, Mitigation::kNone, [](Simulation& sim, const Deployment& d) {
        return sim.PauseCe(d.map_ces[0], Milliseconds(30), Milliseconds(2));
      });
  ASSERT_TRUE(run.ok()) << run.status();
  ExpectMatchesReference(*run, options.plan);
  const AttemptRecord* winner = Committed(*run->outcome, 0);
  ASSERT_NE(winner, nullptr);
  EXPECT_EQ(winner->origin, STEAL);
}

// ---- Bad input ----

using ::testing::HasSubstr;

// FailingMapper fails (or throws) at the record starting with "BAD".
class FailingMapper final : public Mapper<uint64_t, std::string, std::string, uint64_t> {
 public:
  explicit FailingMapper(bool throws) : throws_(throws) {}
  absl::Status Map(const uint64_t&, const std::string& line, Emitter<std::string, uint64_t>& out,
                   TaskContext&) override {
    if (line.rfind("BAD", 0) == 0) {
      if (throws_) throw std::runtime_error("mapper exploded");
      return absl::FailedPreconditionError("mapper refused the record");
    }
    return out.Emit(line, 1);
  }

 private:
  bool throws_;
};

class Count final : public Reducer<std::string, uint64_t, std::string, uint64_t> {
 public:
  absl::Status Reduce(const std::string& key, Values<uint64_t>& values,
                      Emitter<std::string, uint64_t>& out, TaskContext&) override {
    uint64_t n = 0;
    while (values.Next()) ++n;
    return out.Emit(key, n);
  }
};

JobPlan LinesJob(std::vector<std::string> blocks, bool throws, int reduces = 2) {
  Job<uint64_t, std::string, std::string, uint64_t, std::string, uint64_t> job;
  job.name = "lines";
  job.input = std::make_shared<BlocksDataset>("hand-made", std::move(blocks));
  job.map_tasks = 2;
  job.reduce_tasks = reduces;
  job.input_format = TextInput();
  job.mapper = [throws] { return std::make_unique<FailingMapper>(throws); };
  job.reducer = [] { return std::make_unique<Count>(); };
  return job.Compile();
}

void ExpectJobFails(Mode mode, const JobPlan& plan, const std::string& what) {
  absl::StatusOr<TestRun> run = RunJobFor(mode, Options(plan));
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_TRUE(run->outcome->finished);
  EXPECT_FALSE(run->outcome->status.ok());
  EXPECT_THAT(std::string(run->outcome->status.message()), HasSubstr(what));
  EXPECT_TRUE(run->outcome->output.empty()) << "a failed job presents no output";
}

TEST_P(BothModes, AJobWithNoInputOrNoReducersIsRefusedNamingTheJob) {
  absl::StatusOr<TestRun> empty = RunJobFor(GetParam(), Options(LinesJob({}, false)));
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(std::string(empty.status().message()), HasSubstr("job lines: no input"));
  absl::StatusOr<TestRun> no_reducers =
      RunJobFor(GetParam(), Options(LinesJob({"a\n", "b\n"}, false, /*reduces=*/0)));
  ASSERT_FALSE(no_reducers.ok());
  EXPECT_THAT(std::string(no_reducers.status().message()), HasSubstr("job lines: 0 reduce tasks"));
}

TEST_P(BothModes, AMapperErrorOrExceptionFailsTheJobNamingTheTask) {
  ExpectJobFails(GetParam(), LinesJob({"a\nb\n", "BAD\n"}, /*throws=*/false),
                 "job lines: map 1: record at byte 4: mapper refused the record");
  ExpectJobFails(GetParam(), LinesJob({"a\nb\n", "BAD\n"}, /*throws=*/true),
                 "job lines: map 1: record at byte 4: user code threw an exception: mapper "
                 "exploded");
}

TEST_P(BothModes, ARecordLargerThanAPageFailsTheJob) {
  // Blocks of one size: "a", then a line of 5000 bytes; then 5002 bytes of another line.
  const std::vector<std::string> blocks{"a\n" + std::string(5000, 'x') + "\n",
                                        std::string(5002, 'y') + "\n"};
  ExpectJobFails(GetParam(), LinesJob(blocks, false),
                 "job lines: map 0: record at byte 2: a pair of 5012 bytes");
}

TEST_P(BothModes, InputThatIsNotGensortDataFailsTheJob) {
  std::string block = GensortDataset::Create({.records = 20})->get()->Block(0);
  block[250] = '!';  // record 2's row id is no longer hex
  std::vector<std::string> blocks{block.substr(0, 1000), block.substr(1000)};
  JobShape shape{std::make_shared<BlocksDataset>("corrupt gensort", blocks), 2, 2};
  ExpectJobFails(GetParam(), TeraSortJob(shape),
                 "job terasort: map 0: record at byte 200: not gensort data");
}

// ---- Seeded faults (many more in mapreduce_slow_test) ----

TEST(MapreduceChaos, SeededFaultsNeverLoseOrDuplicateARecord) {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    absl::StatusOr<testing::ChaosReport> report = testing::CheckChaos(seed);
    ASSERT_TRUE(report.ok()) << report.status();
  }
}

// ---- Straggler detection ----

TEST(MapreduceStragglerDetection, FollowsSparkQuantileAndMultiplierAndLateOrder) {
  SpeculationPolicy policy;  // 75 %, 1.5x
  auto task = [](bool done, Time started, Time finished, int64_t processed) {
    TaskProgress t;
    t.done = done;
    t.running = !done;
    t.started = started;
    t.finished = finished;
    t.processed = processed;
    t.total = 100;
    return t;
  };
  // 2 of 4 done: below the 75 % quantile, nothing is picked however slow.
  std::vector<TaskProgress> tasks{task(true, 0, 10, 100), task(true, 0, 10, 100),
                                  task(false, 0, 0, 1), task(false, 0, 0, 1)};
  EXPECT_EQ(PickStraggler(policy, tasks, 1000), std::nullopt);
  // 3 of 4 done (median 10): slow only after 1.5 x 10 = 15.
  tasks[2] = task(true, 0, 10, 100);
  EXPECT_EQ(PickStraggler(policy, tasks, 15), std::nullopt);
  EXPECT_EQ(PickStraggler(policy, tasks, 16), 3);
  tasks[3].mitigated = true;
  EXPECT_EQ(PickStraggler(policy, tasks, 16), std::nullopt);
  // LATE: of two slow tasks, the one with the most time left goes first.
  std::vector<TaskProgress> eight;
  for (int i = 0; i < 6; ++i) eight.push_back(task(true, 0, 10, 100));
  eight.push_back(task(false, 0, 0, 90));  // 20 ns for 90 %: little left
  eight.push_back(task(false, 0, 0, 10));  // 20 ns for 10 %: most left
  EXPECT_EQ(PickStraggler(policy, eight, 20), 7);
}

INSTANTIATE_TEST_SUITE_P(Mapreduce, BothModes,
                         ::testing::Values(Mode::kTransparent, Mode::kExposed),
                         [](const auto& info) { return std::string(ModeName(info.param)); });

}  // namespace
}  // namespace ddc::mapreduce
