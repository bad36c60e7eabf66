#include "harness/check/mapreduce_target.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness/check/seed_loop_test_util.h"
#include "harness/check/swarm.h"
#include "mapreduce/jobs/gensort.h"
#include "mapreduce/jobs/jobs.h"
#include "mapreduce/jobs/zipf_text.h"
#include "mapreduce/mapreduce_test_util.h"
#include "mapreduce/reference.h"

namespace ddc::check {
namespace {

using mapreduce::JobOutcome;
using mapreduce::KvPair;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

// Seeds in both modes hold every invariant, and every fault kind the target draws fires in some.
TEST(MapReduceTarget, SeedsHoldEveryInvariantInBothModes) {
  absl::StatusOr<testing::SeedLoop> loop = testing::RunSeeds(*MakeMapReduceTarget(), 0, 40);
  ASSERT_TRUE(loop.ok()) << loop.status();
  EXPECT_EQ(loop->runs, 80);
  EXPECT_THAT(loop->violations, IsEmpty());
  // Restarts, partitions and ME failures are outside the plan (docs/checking.md, "## mapreduce").
  for (const char* kind : {kCeCrash, kCePause, kCeSlow, kMessageFault}) {
    EXPECT_GT(loop->injected[kind], 0) << kind << " never fired";
  }
}

// Regression, seeds the campaign found failing (docs/checking.md, "Bugs found"), all in exposed
// mode: 1105 (one spare, a crashed mapper resumed by it, then judged a straggler and stolen from
// with no worker left to resume: the job hung); 2009 and 2173 (TeraSort, map 0's CE crashed while
// it granted its partitions: its thief re-granted pages the reducers already held, read the
// PERMISSION_DENIED as a fence and stepped down; the job hung).
TEST(MapReduceTarget, SeedsThatFoundBugsPass) {
  const std::unique_ptr<CheckTarget> target = MakeMapReduceTarget();
  for (uint64_t seed : {1105, 2009, 2173}) {
    absl::StatusOr<Scenario> scenario = target->Draw(seed);
    ASSERT_TRUE(scenario.ok()) << scenario.status();
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> report = target->Run(*scenario, mode);
      ASSERT_TRUE(report.ok()) << report.status();
      EXPECT_THAT(report->violations, IsEmpty()) << "seed " << seed << " " << ModeName(mode);
    }
  }
}

TEST(MapReduceTarget, SameScenarioSameReport) {
  const std::unique_ptr<CheckTarget> target = MakeMapReduceTarget();
  for (uint64_t seed : {3, 11}) {
    absl::StatusOr<Scenario> a = target->Draw(seed);
    absl::StatusOr<Scenario> b = target->Draw(seed);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->options, b->options);
    EXPECT_EQ(a->config.SerializeAsString(), b->config.SerializeAsString());
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      absl::StatusOr<RunReport> first = target->Run(*a, mode);
      absl::StatusOr<RunReport> second = target->Run(*a, mode);
      ASSERT_TRUE(first.ok() && second.ok());
      EXPECT_EQ(first->faults_injected, second->faults_injected);
      EXPECT_EQ(first->safety_operations, second->safety_operations);
      EXPECT_EQ(first->liveness_operations, second->liveness_operations);
      EXPECT_EQ(first->violations.size(), second->violations.size());
    }
  }
}

TEST(MapReduceTarget, OptionsRoundTripAndBadOptionsAreRefused) {
  MapReduceKnobs knobs;
  knobs.job = "terasort-skewed";
  knobs.maps = 5;
  knobs.speculation_interval = 777000;
  absl::StatusOr<MapReduceKnobs> back = MapReduceKnobs::FromOptions(knobs.ToOptions());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->ToOptions(), knobs.ToOptions());
  EXPECT_FALSE(MapReduceKnobs::FromOptions({{"maps", "many"}}).ok());
  EXPECT_FALSE(MapReduceKnobs::FromOptions({{"colour", "blue"}}).ok());
  EXPECT_FALSE(MapReduceKnobs::FromOptions({{"mitigation", "pray"}}).ok());
  EXPECT_FALSE(JobOptionsFor(MapReduceKnobs{.job = "sort"}, Mode::kExposed, 1).ok());
}

// A real, correct run of a small job, whose outcome the tests below tamper with.
struct Recorded {
  mapreduce::JobPlan plan;
  std::unique_ptr<JobOutcome> outcome;
  std::vector<KvPair> reference;
};

Recorded RunSmall(const std::string& job) {
  MapReduceKnobs knobs;
  knobs.job = job;
  knobs.input_bytes = 200 * 1000;
  knobs.maps = 3;
  knobs.reduces = 3;
  mapreduce::JobOptions options = JobOptionsFor(knobs, Mode::kExposed, 5).value();
  Recorded recorded;
  recorded.plan = options.plan;
  absl::StatusOr<mapreduce::testing::TestRun> run =
      mapreduce::testing::RunJobFor(Mode::kExposed, options, mapreduce::Mitigation::kNone);
  EXPECT_TRUE(run.ok()) << run.status();
  recorded.outcome = std::move(run->outcome);
  recorded.reference = mapreduce::RunReference(options.plan).value();
  EXPECT_TRUE(recorded.outcome->status.ok()) << recorded.outcome->status;
  return recorded;
}

auto IsViolation(const char* invariant) { return Field(&Violation::invariant, invariant); }

TEST(MapReduceTarget, ChecksPassOnACorrectRun) {
  for (const char* job : {"wordcount", "terasort"}) {
    Recorded r = RunSmall(job);
    const mapreduce::Dataset* input = std::string(job) == "terasort" ? r.plan.input.get() : nullptr;
    EXPECT_THAT(CheckJobCompletes(*r.outcome), IsEmpty());
    EXPECT_THAT(CheckOutputEqualsReference(*r.outcome, r.reference), IsEmpty());
    EXPECT_THAT(CheckNoRecordLostOrDuplicated(*r.outcome, r.reference, input), IsEmpty());
    EXPECT_THAT(CheckNoOutputFromFailedJob(*r.outcome), IsEmpty());
  }
}

TEST(MapReduceTarget, UnfinishedOrFailedJobIsALivenessViolation) {
  JobOutcome outcome;
  EXPECT_THAT(CheckJobCompletes(outcome), ElementsAre(IsViolation("job completes")));
  outcome.finished = true;
  outcome.status = absl::UnavailableError("reducer lost");
  EXPECT_THAT(CheckJobCompletes(outcome), ElementsAre(IsViolation("job completes")));
}

TEST(MapReduceTarget, ChangedLostOrExtraPairBreaksTheReferenceCheck) {
  Recorded r = RunSmall("wordcount");
  JobOutcome changed = *r.outcome;
  changed.output[0][0].second += "x";
  EXPECT_THAT(CheckOutputEqualsReference(changed, r.reference),
              ElementsAre(IsViolation("output equals reference")));
  JobOutcome lost = *r.outcome;
  lost.output[1].pop_back();
  EXPECT_THAT(CheckOutputEqualsReference(lost, r.reference),
              ElementsAre(IsViolation("output equals reference")));
}

TEST(MapReduceTarget, DuplicatedOrLostPairBreaksConservation) {
  Recorded r = RunSmall("wordcount-combiner");
  JobOutcome duplicated = *r.outcome;
  duplicated.output[2].push_back(duplicated.output[0][0]);
  EXPECT_THAT(CheckNoRecordLostOrDuplicated(duplicated, r.reference, nullptr),
              ::testing::Contains(IsViolation("no record lost or duplicated")));
  JobOutcome lost = *r.outcome;
  lost.output[0].erase(lost.output[0].begin());
  EXPECT_THAT(CheckNoRecordLostOrDuplicated(lost, r.reference, nullptr),
              ElementsAre(IsViolation("no record lost or duplicated")));
}

TEST(MapReduceTarget, ValsortCatchesLostDuplicatedAndUnorderedRecords) {
  Recorded r = RunSmall("terasort");
  const mapreduce::Dataset* input = r.plan.input.get();
  JobOutcome lost = *r.outcome;
  lost.output[1].pop_back();
  EXPECT_THAT(CheckNoRecordLostOrDuplicated(lost, r.reference, input),
              ElementsAre(IsViolation("no record lost or duplicated")));
  JobOutcome duplicated = *r.outcome;
  duplicated.output[1].push_back(duplicated.output[1].back());
  EXPECT_THAT(CheckNoRecordLostOrDuplicated(duplicated, r.reference, input),
              ElementsAre(IsViolation("no record lost or duplicated")));
  JobOutcome swapped = *r.outcome;  // every record present, but reducer 0's last after reducer 2
  std::swap(swapped.output[0].back(), swapped.output[2].back());
  EXPECT_THAT(CheckNoRecordLostOrDuplicated(swapped, r.reference, input),
              ElementsAre(IsViolation("no record lost or duplicated")));
}

TEST(MapReduceTarget, FailedJobWithOutputIsAViolation) {
  Recorded r = RunSmall("grep");
  JobOutcome failed = *r.outcome;
  failed.status = absl::DataLossError("map 1's output lost");
  EXPECT_THAT(CheckNoOutputFromFailedJob(failed),
              ElementsAre(IsViolation("no output from a failed job")));
  failed.output.clear();
  EXPECT_THAT(CheckNoOutputFromFailedJob(failed), IsEmpty());
}

TEST(MapReduceTarget, OnlyFaultedProcessesMayFail) {
  const std::vector<ProcessFailure> failures{{"mr-x-map-1", 1, 100, "PERMISSION_DENIED: fenced"}};
  EXPECT_THAT(CheckProcessFailures(failures, {"mr-x-map-1"}, false), IsEmpty());
  EXPECT_THAT(CheckProcessFailures(failures, {"mr-x-map-2"}, false),
              ElementsAre(IsViolation("no unexpected process failure")));
  EXPECT_THAT(CheckProcessFailures(failures, {}, /*me_failed=*/true), IsEmpty());
}

}  // namespace
}  // namespace ddc::check
