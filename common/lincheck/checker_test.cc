// Check on textbook histories, known linearizable or not (checker.h).
#include "common/lincheck/checker.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/lincheck/kv_model.h"
#include "common/lincheck/register_model.h"
#include "common/lincheck/test_history.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddc::lincheck {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::ddc::lincheck::testing;  // NOLINT: the history shorthands

Verdict VerdictOf(const Model& model, const std::vector<Operation>& history) {
  absl::StatusOr<CheckResult> result = Check(model, history);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) return Verdict::kUnknown;
  return result->verdict;
}

Verdict RegisterVerdict(const std::vector<Operation>& history) {
  return VerdictOf(RegisterModel("0"), Numbered(history));
}

Verdict KvVerdict(const std::vector<Operation>& history) {
  return VerdictOf(KvModel(), Numbered(history));
}

// ---------------------------------------------------------------------------------------------
// Registers (initially "0"), after Herlihy & Wing and Herlihy & Shavit, chapter 3.

TEST(LincheckRegisterHistoryTest, EmptyHistoryIsLinearizable) {
  EXPECT_EQ(RegisterVerdict({}), Verdict::kOk);
}

TEST(LincheckRegisterHistoryTest, ReadConcurrentWithAWriteSeesEitherValue) {
  EXPECT_EQ(RegisterVerdict({Write(0, "1", 0, 10), Read(1, "0", 5, 15)}), Verdict::kOk);
  EXPECT_EQ(RegisterVerdict({Write(0, "1", 0, 10), Read(1, "1", 5, 15)}), Verdict::kOk);
}

TEST(LincheckRegisterHistoryTest, StaleReadAfterTheWriteReturnedIsIllegal) {
  // Sequentially consistent (the read could be ordered first) but not linearizable.
  EXPECT_EQ(RegisterVerdict({Write(0, "1", 0, 10), Read(1, "0", 20, 30)}), Verdict::kIllegal);
}

TEST(LincheckRegisterHistoryTest, ReadSeeingAValueBeforeItsWriteWasCalledIsIllegal) {
  EXPECT_EQ(RegisterVerdict({Read(1, "1", 0, 5), Write(0, "1", 10, 20)}), Verdict::kIllegal);
}

TEST(LincheckRegisterHistoryTest, NewOldInversionIsIllegal) {
  // Both reads overlap the write; a regular register allows this, an atomic one does not.
  EXPECT_EQ(RegisterVerdict({Write(0, "1", 0, 100), Read(1, "1", 10, 20), Read(2, "0", 30, 40)}),
            Verdict::kIllegal);
  EXPECT_EQ(RegisterVerdict({Write(0, "1", 0, 100), Read(1, "0", 10, 20), Read(2, "1", 30, 40)}),
            Verdict::kOk);
}

TEST(LincheckRegisterHistoryTest, ConcurrentWritesThenReadsMustAgreeOnTheWinner) {
  const Operation write_a = Write(0, "a", 0, 10);
  const Operation write_b = Write(1, "b", 0, 10);
  EXPECT_EQ(RegisterVerdict({write_a, write_b, Read(2, "a", 20, 30), Read(2, "a", 40, 50)}),
            Verdict::kOk);
  EXPECT_EQ(RegisterVerdict({write_a, write_b, Read(2, "b", 20, 30), Read(3, "b", 25, 35)}),
            Verdict::kOk);
  // The value flips back without a write: stale read.
  EXPECT_EQ(RegisterVerdict({write_a, write_b, Read(2, "a", 20, 30), Read(2, "b", 40, 50)}),
            Verdict::kIllegal);
}

TEST(LincheckRegisterHistoryTest, EventsAtTheSameInstantAreConcurrent) {
  // Closed intervals: a read called when the write returns may still precede it.
  EXPECT_EQ(RegisterVerdict({Write(0, "1", 0, 10), Read(1, "0", 10, 20)}), Verdict::kOk);
  EXPECT_EQ(RegisterVerdict({Write(0, "1", 0, 10), Read(1, "0", 11, 20)}), Verdict::kIllegal);
}

TEST(LincheckRegisterHistoryTest, LostUpdateThroughCasIsIllegal) {
  // Two clients read 0 and both claim to have swapped 0 for their value.
  EXPECT_EQ(RegisterVerdict({Read(0, "0", 0, 5), Read(1, "0", 0, 5),
                             RegisterCas(0, "0", "1", true, 10, 20),
                             RegisterCas(1, "0", "2", true, 10, 20)}),
            Verdict::kIllegal);
  EXPECT_EQ(RegisterVerdict({Read(0, "0", 0, 5), Read(1, "0", 0, 5),
                             RegisterCas(0, "0", "1", true, 10, 20),
                             RegisterCas(1, "0", "2", false, 10, 20), Read(2, "1", 30, 40)}),
            Verdict::kOk);
}

// ---------------------------------------------------------------------------------------------
// Key-value map.

TEST(LincheckKvHistoryTest, IncrementsLinearizeInSomeOrder) {
  EXPECT_EQ(KvVerdict({Increment(0, "c", 1, "1", 0, 10), Increment(1, "c", 1, "2", 0, 10),
                       Get(2, "c", "2", 20, 30)}),
            Verdict::kOk);
  // Both see 1: one increment was lost.
  EXPECT_EQ(KvVerdict({Increment(0, "c", 1, "1", 0, 10), Increment(1, "c", 1, "1", 0, 10)}),
            Verdict::kIllegal);
  EXPECT_EQ(KvVerdict({Put(0, "c", "x", 0, 10), Increment(1, "c", 1, std::nullopt, 20, 30)}),
            Verdict::kOk);
  EXPECT_EQ(KvVerdict({Put(0, "c", "x", 0, 10), Increment(1, "c", 1, "1", 20, 30)}),
            Verdict::kIllegal);
}

TEST(LincheckKvHistoryTest, DeleteThenGetSeesNotFound) {
  EXPECT_EQ(KvVerdict({Put(0, "k", "v", 0, 10), Delete(1, "k", 20, 30),
                       Get(2, "k", std::nullopt, 40, 50)}),
            Verdict::kOk);
  EXPECT_EQ(KvVerdict({Put(0, "k", "v", 0, 10), Delete(1, "k", 20, 30), Get(2, "k", "v", 40, 50)}),
            Verdict::kIllegal);
}

TEST(LincheckKvHistoryTest, CreateIfAbsentSucceedsOnce) {
  EXPECT_EQ(KvVerdict({Cas(0, "k", std::nullopt, "a", true, 0, 10),
                       Cas(1, "k", std::nullopt, "b", false, 0, 10), Get(2, "k", "a", 20, 30)}),
            Verdict::kOk);
  EXPECT_EQ(KvVerdict({Cas(0, "k", std::nullopt, "a", true, 0, 10),
                       Cas(1, "k", std::nullopt, "b", true, 0, 10)}),
            Verdict::kIllegal);
}

// ---------------------------------------------------------------------------------------------
// Unknown outcomes.

TEST(LincheckUnknownOutcomeTest, TimedOutPutThatLaterBecomesVisibleIsFine) {
  EXPECT_EQ(KvVerdict({Unknown(Put(0, "k", "v", 0)), Get(1, "k", std::nullopt, 5, 10),
                       Get(1, "k", "v", 1000, 1010), Get(2, "k", "v", 2000, 2010)}),
            Verdict::kOk);
}

TEST(LincheckUnknownOutcomeTest, TimedOutPutThatNeverBecomesVisibleIsFine) {
  EXPECT_EQ(KvVerdict({Unknown(Put(0, "k", "v", 0)), Get(1, "k", std::nullopt, 1000, 1010)}),
            Verdict::kOk);
}

TEST(LincheckUnknownOutcomeTest, TimedOutPutObservedThenUnobservedIsIllegal) {
  EXPECT_EQ(KvVerdict({Unknown(Put(0, "k", "v", 0)), Get(1, "k", "v", 10, 20),
                       Get(1, "k", std::nullopt, 30, 40)}),
            Verdict::kIllegal);
}

TEST(LincheckUnknownOutcomeTest, TimedOutPutSeenBeforeItsCallIsIllegal) {
  EXPECT_EQ(KvVerdict({Get(1, "k", "v", 0, 5), Unknown(Put(0, "k", "v", 10))}), Verdict::kIllegal);
}

TEST(LincheckUnknownOutcomeTest, TimedOutCasMayHaveSucceededOrFailed) {
  const Operation put = Put(0, "k", "a", 0, 10);
  const Operation cas = Unknown(Cas(1, "k", "a", "b", true, 20));
  EXPECT_EQ(KvVerdict({put, cas, Get(2, "k", "a", 100, 110)}), Verdict::kOk);
  EXPECT_EQ(KvVerdict({put, cas, Get(2, "k", "b", 100, 110)}), Verdict::kOk);
  // But it cannot have swapped twice, nor have swapped something it did not expect.
  EXPECT_EQ(KvVerdict({put, cas, Get(2, "k", "b", 100, 110), Put(3, "k", "c", 120, 130),
                       Get(2, "k", "b", 140, 150)}),
            Verdict::kIllegal);
  EXPECT_EQ(KvVerdict({Put(0, "k", "x", 0, 10), cas, Get(2, "k", "b", 100, 110)}),
            Verdict::kIllegal);
}

TEST(LincheckUnknownOutcomeTest, TimedOutGetIsDroppedAndConstrainsNothing) {
  absl::StatusOr<CheckResult> result =
      Check(KvModel(), Numbered({Put(0, "k", "a", 0, 10), Unknown(Get(1, "k", "zzz", 20)),
                                 Get(2, "k", "a", 30, 40)}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, Verdict::kOk);
  ASSERT_EQ(result->partitions.size(), 1u);
  EXPECT_EQ(result->partitions[0].dropped, 1);
  EXPECT_EQ(result->partitions[0].operations, 2);
  EXPECT_THAT(result->partitions[0].linearization, ElementsAre(0, 2));
}

// ---------------------------------------------------------------------------------------------
// Results and explanations.

// ManyKeys: keys k0..k(n-1), each with a put and a matching get; key `bad` gets a stale get.
std::vector<Operation> ManyKeys(int n, int bad) {
  std::vector<Operation> history;
  for (int k = 0; k < n; ++k) {
    const std::string key = absl::StrCat("k", k);
    history.push_back(Put(k, key, "new", 100, 200));
    history.push_back(Get(k + 1, key, k == bad ? "old" : "new", 300, 400));
  }
  return Numbered(history);
}

TEST(LincheckCheckResultTest, OnlyTheBadKeyIsNamed) {
  absl::StatusOr<CheckResult> result = Check(KvModel(), ManyKeys(50, 17));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, Verdict::kIllegal);
  ASSERT_EQ(result->partitions.size(), 50u);
  int illegal = 0;
  for (const PartitionResult& partition : result->partitions) {
    if (partition.verdict == Verdict::kIllegal) {
      ++illegal;
      EXPECT_EQ(partition.name, "k17");
      EXPECT_EQ(partition.blocked, 35) << "the stale get of k17";
      EXPECT_THAT(partition.linearization, ElementsAre(34)) << "the put is linearizable";
      EXPECT_THAT(partition.candidates, ElementsAre(35));
    } else {
      EXPECT_EQ(partition.verdict, Verdict::kOk) << partition.label;
    }
  }
  EXPECT_EQ(illegal, 1);
  EXPECT_THAT(result->explanation,
              HasSubstr("1 of 50 partitions are not linearizable: key \"k17\""));
  EXPECT_THAT(result->explanation,
              HasSubstr("#35 client 18 [300ns, 400ns] get(\"k17\") -> \"old\""));
  EXPECT_THAT(result->explanation, HasSubstr("From state \"new\""));
  EXPECT_THAT(result->explanation, Not(HasSubstr("\"k16\"")));
}

TEST(LincheckCheckResultTest, ExplanationShowsThePrefixWithStatesAndWhyCandidatesFail) {
  absl::StatusOr<CheckResult> result =
      Check(RegisterModel("0"),
            Numbered({Write(0, "1", 0, 10), Write(1, "2", 20, 30), Read(2, "1", 40, 50)}));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->verdict, Verdict::kIllegal);
  const std::string& text = result->explanation;
  EXPECT_THAT(text, HasSubstr("the history is not linearizable (3 operations searched"));
  EXPECT_THAT(text, HasSubstr("The longest linearizable prefix found has 2 of the 3 operations"));
  EXPECT_THAT(text, HasSubstr("#0 client 0 [0ns, 10ns] write(\"1\") -> ok  ==> \"1\""));
  EXPECT_THAT(text, HasSubstr("#1 client 1 [20ns, 30ns] write(\"2\") -> ok  ==> \"2\""));
  EXPECT_THAT(text, HasSubstr("From state \"2\", operation #2 must take effect"));
  EXPECT_THAT(text, HasSubstr("read() -> \"1\"  (contradicts this state)"));
}

TEST(LincheckCheckResultTest, LinearizationRespectsRealTimeAndTheModel) {
  const std::vector<Operation> history =
      Numbered({Write(0, "1", 0, 100), Read(1, "0", 10, 20), Read(2, "1", 30, 40),
                Write(3, "2", 50, 150), Read(1, "2", 160, 170)});
  absl::StatusOr<CheckResult> result = Check(RegisterModel("0"), history);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->verdict, Verdict::kOk);
  EXPECT_THAT(result->partitions[0].linearization, ElementsAre(1, 0, 2, 3, 4));
}

TEST(LincheckCheckResultTest, SameInputSameResult) {
  const std::vector<Operation> history = ManyKeys(20, 3);
  absl::StatusOr<CheckResult> first = Check(KvModel(), history);
  absl::StatusOr<CheckResult> second = Check(KvModel(), history);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->steps, second->steps);
  EXPECT_EQ(first->explanation, second->explanation);
}

// ---------------------------------------------------------------------------------------------
// Step budget.

// ManyConcurrentWrites: n writes of distinct values, all concurrent, then a read of a value none
// wrote. Illegal, but proving it visits every subset of the writes.
std::vector<Operation> ManyConcurrentWrites(int n) {
  std::vector<Operation> history;
  for (int i = 0; i < n; ++i) history.push_back(Write(i, absl::StrCat(i + 1), 0, 100));
  history.push_back(Read(n, "none", 200, 300));
  return Numbered(history);
}

TEST(LincheckStepBudgetTest, ExhaustedBudgetGivesUnknown) {
  CheckOptions options;
  options.max_steps = 1000;
  absl::StatusOr<CheckResult> result = Check(RegisterModel(), ManyConcurrentWrites(20), options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, Verdict::kUnknown);
  EXPECT_EQ(result->steps, 1000);
  EXPECT_THAT(result->explanation, HasSubstr("Undecided: the budget of 1000 steps ran out"));
  EXPECT_THAT(result->explanation, HasSubstr("the history is undecided"));
}

TEST(LincheckStepBudgetTest, WithoutBudgetTheSameShapeIsDecided) {
  absl::StatusOr<CheckResult> result = Check(RegisterModel(), ManyConcurrentWrites(8));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, Verdict::kIllegal);
  EXPECT_GT(result->steps, 8 * 8) << "the search is exponential in the concurrent writes";
}

TEST(LincheckStepBudgetTest, IllegalPartitionDecidedBeforeTheBudgetRanOutStaysIllegal) {
  std::vector<Operation> history;
  for (int i = 0; i < 16; ++i) history.push_back(Put(i, "hard", absl::StrCat(i), 0, 100));
  history.push_back(Get(99, "hard", "none", 200, 300));
  history.push_back(Put(0, "easy", "new", 400, 500));
  history.push_back(Get(1, "easy", "old", 600, 700));
  CheckOptions options;
  options.max_steps = 500;
  absl::StatusOr<CheckResult> result = Check(KvModel(), Numbered(history), options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->verdict, Verdict::kIllegal);
  ASSERT_EQ(result->partitions.size(), 2u);
  EXPECT_EQ(result->partitions[0].name, "easy");
  EXPECT_EQ(result->partitions[0].verdict, Verdict::kIllegal);
  EXPECT_EQ(result->partitions[1].verdict, Verdict::kUnknown);
}

// ---------------------------------------------------------------------------------------------
// Malformed histories.

TEST(LincheckCheckValidationTest, MalformedHistoriesAreInvalidArguments) {
  struct Case {
    std::vector<Operation> history;
    std::string message;
  };
  Operation unknown_with_return = Unknown(Put(0, "k", "v", 0));
  unknown_with_return.ret = 10;
  Operation known_without_return = Put(0, "k", "v", 0, kInfiniteTime);
  std::vector<Operation> duplicate_ids = Numbered({Put(0, "k", "v", 0, 1), Put(0, "k", "v", 2, 3)});
  duplicate_ids[1].id = 0;
  const Case cases[] = {
      {duplicate_ids, "operation #0 (put): duplicate operation id"},
      {Numbered({Put(0, "k", "v", 10, 5)}), "returns at 5ns before its call at 10ns"},
      {Numbered({unknown_with_return}), "an unknown outcome needs return time kInfiniteTime"},
      {Numbered({known_without_return}), "a known outcome needs a finite return time"},
      {Numbered({Read(0, "v", 0, 1)}), "not a key-value operation"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CheckResult> result = Check(KvModel(), c.history);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(result.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace ddc::lincheck
