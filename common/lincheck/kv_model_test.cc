// KvModel and RegisterModel semantics, one operation at a time (model.h, kv_model.h,
// register_model.h).
#include "common/lincheck/kv_model.h"

#include <limits>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/lincheck/register_model.h"
#include "common/lincheck/test_history.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddc::lincheck {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using namespace ::ddc::lincheck::testing;  // NOLINT: the history shorthands

class LincheckKvModelTest : public ::testing::Test {
 protected:
  // Holding is the state of a key holding `value`, or missing for nullopt.
  State Holding(std::optional<std::string> value) const {
    if (!value) return model_.Init();
    return *model_.Step(model_.Init(), Put(0, "k", *value, 0, 0).input, Output());
  }

  // StepFrom applies `op` to a key holding `value` (nullopt: missing): the state after it, or
  // nullopt when the model rejects the operation's output there.
  std::optional<State> StepFrom(std::optional<std::string> value, const Operation& op) const {
    EXPECT_TRUE(model_.Validate(op).ok()) << model_.Validate(op);
    return model_.Step(Holding(std::move(value)), op.input, op.output);
  }

  KvModel model_;
};

const std::optional<std::string> kMissing = std::nullopt;

TEST_F(LincheckKvModelTest, GetSeesTheValueOrNotFound) {
  EXPECT_THAT(StepFrom("v", Get(0, "k", "v", 0, 1)), Optional(Holding("v")));
  EXPECT_EQ(StepFrom("v", Get(0, "k", "w", 0, 1)), std::nullopt);
  EXPECT_EQ(StepFrom("v", Get(0, "k", kMissing, 0, 1)), std::nullopt);
  EXPECT_THAT(StepFrom(kMissing, Get(0, "k", kMissing, 0, 1)), Optional(Holding(kMissing)));
  EXPECT_EQ(StepFrom(kMissing, Get(0, "k", "", 0, 1)), std::nullopt) << "missing is not empty";
}

TEST_F(LincheckKvModelTest, PutAndDelete) {
  EXPECT_THAT(StepFrom(kMissing, Put(0, "k", "v", 0, 1)), Optional(Holding("v")));
  EXPECT_THAT(StepFrom("w", Put(0, "k", "v", 0, 1)), Optional(Holding("v")));
  EXPECT_THAT(StepFrom("v", Delete(0, "k", 0, 1)), Optional(Holding(kMissing)));
  EXPECT_THAT(StepFrom(kMissing, Delete(0, "k", 0, 1)), Optional(Holding(kMissing)))
      << "deleting a missing key is ok";
}

TEST_F(LincheckKvModelTest, CasWithExpectedValueNeedsThatValue) {
  EXPECT_THAT(StepFrom("v", Cas(0, "k", "v", "w", true, 0, 1)), Optional(Holding("w")));
  EXPECT_EQ(StepFrom("v", Cas(0, "k", "v", "w", false, 0, 1)), std::nullopt);
  EXPECT_THAT(StepFrom("x", Cas(0, "k", "v", "w", false, 0, 1)), Optional(Holding("x")));
  EXPECT_EQ(StepFrom("x", Cas(0, "k", "v", "w", true, 0, 1)), std::nullopt);
}

TEST_F(LincheckKvModelTest, CasExpectingEmptyDoesNotMatchAMissingKey) {
  EXPECT_THAT(StepFrom(kMissing, Cas(0, "k", "", "v", false, 0, 1)), Optional(Holding(kMissing)));
  EXPECT_EQ(StepFrom(kMissing, Cas(0, "k", "", "v", true, 0, 1)), std::nullopt);
  EXPECT_THAT(StepFrom("", Cas(0, "k", "", "v", true, 0, 1)), Optional(Holding("v")));
}

TEST_F(LincheckKvModelTest, CasExpectingMissingCreatesOnlyAbsentKeys) {
  EXPECT_THAT(StepFrom(kMissing, Cas(0, "k", kMissing, "v", true, 0, 1)), Optional(Holding("v")));
  EXPECT_EQ(StepFrom("", Cas(0, "k", kMissing, "v", true, 0, 1)), std::nullopt);
  EXPECT_THAT(StepFrom("", Cas(0, "k", kMissing, "v", false, 0, 1)), Optional(Holding("")));
}

TEST_F(LincheckKvModelTest, UnknownCasSwapsExactlyWhenItsExpectationHolds) {
  EXPECT_THAT(StepFrom("v", Unknown(Cas(0, "k", "v", "w", true, 0))), Optional(Holding("w")));
  EXPECT_THAT(StepFrom("x", Unknown(Cas(0, "k", "v", "w", true, 0))), Optional(Holding("x")));
}

TEST_F(LincheckKvModelTest, UnknownOperationsAreAcceptedInEveryState) {
  for (const std::optional<std::string>& value : {kMissing, std::optional<std::string>("v")}) {
    EXPECT_TRUE(StepFrom(value, Unknown(Get(0, "k", "w", 0))).has_value());
    EXPECT_TRUE(StepFrom(value, Unknown(Put(0, "k", "w", 0))).has_value());
    EXPECT_TRUE(StepFrom(value, Unknown(Delete(0, "k", 0))).has_value());
    EXPECT_TRUE(StepFrom(value, Unknown(Increment(0, "k", 1, "1", 0))).has_value());
  }
}

TEST_F(LincheckKvModelTest, IncrementStartsMissingKeysAtZero) {
  EXPECT_THAT(StepFrom(kMissing, Increment(0, "k", 5, "5", 0, 1)), Optional(Holding("5")));
  EXPECT_THAT(StepFrom("5", Increment(0, "k", 2, "7", 0, 1)), Optional(Holding("7")));
  EXPECT_EQ(StepFrom("5", Increment(0, "k", 2, "8", 0, 1)), std::nullopt)
      << "the reported new value must match";
  EXPECT_EQ(StepFrom("5", Increment(0, "k", 2, std::nullopt, 0, 1)), std::nullopt)
      << "increment of an integer cannot fail";
  Operation unreported = Increment(0, "k", 2, "7", 0, 1);
  unreported.output.value.reset();
  EXPECT_THAT(StepFrom("5", unreported), Optional(Holding("7")));
}

TEST_F(LincheckKvModelTest, IncrementOfANonIntegerFails) {
  EXPECT_THAT(StepFrom("x", Increment(0, "k", 1, std::nullopt, 0, 1)), Optional(Holding("x")));
  EXPECT_EQ(StepFrom("x", Increment(0, "k", 1, "1", 0, 1)), std::nullopt);
  EXPECT_THAT(StepFrom("", Increment(0, "k", 1, std::nullopt, 0, 1)), Optional(Holding("")))
      << "a present empty value is not 0";
  EXPECT_THAT(StepFrom("x", Unknown(Increment(0, "k", 1, "1", 0))), Optional(Holding("x")));
}

TEST(LincheckParseIntegerTest, AcceptsDecimalInt64Only) {
  EXPECT_EQ(ParseInteger("0"), 0);
  EXPECT_EQ(ParseInteger("-12"), -12);
  EXPECT_EQ(ParseInteger("007"), 7);
  EXPECT_EQ(ParseInteger("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseInteger("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "1.0", "0x10", "9223372036854775808",
                          "-9223372036854775809", "1e3"}) {
    EXPECT_EQ(ParseInteger(bad), std::nullopt) << bad;
  }
}

TEST(LincheckKvModelIncrementTest, OverflowFails) {
  KvModel model;
  const State max =
      *model.Step(model.Init(), Put(0, "k", "9223372036854775807", 0, 1).input, Output());
  const Operation increment = Increment(0, "k", 1, std::nullopt, 0, 1);
  EXPECT_THAT(model.Step(max, increment.input, increment.output), Optional(max));
}

TEST(LincheckKvModelValidateTest, RejectsOutputsAnOperationCannotGive) {
  KvModel model;
  Operation get_without_value = Get(0, "k", "v", 0, 1);
  get_without_value.output.value.reset();
  Operation put_not_found = Put(3, "k", "v", 0, 1);
  put_not_found.id = 3;
  put_not_found.output.outcome = Outcome::kNotFound;
  Operation delete_with_value = Delete(0, "k", 0, 1);
  delete_with_value.output.value = "v";
  for (const Operation& bad : {get_without_value, put_not_found, delete_with_value,
                               Read(0, "v", 0, 1), Write(0, "v", 0, 1)}) {
    const absl::Status status = model.Validate(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << DescribeOperation(bad);
  }
  EXPECT_THAT(model.Validate(put_not_found).message(),
              HasSubstr("operation #3 (put): outcome not_found is not possible"));
  EXPECT_TRUE(model.Validate(Unknown(Get(0, "k", "v", 0))).ok());
}

TEST(LincheckKvModelPartitionTest, OneSubhistoryPerKeyInKeyOrder) {
  KvModel model;
  const std::vector<Operation> history =
      Numbered({Put(0, "b", "1", 0, 1), Get(1, "a", "1", 0, 1), Get(0, "b", "1", 2, 3)});
  const std::vector<Subhistory> partitions = model.Partition(history);
  ASSERT_EQ(partitions.size(), 2u);
  EXPECT_EQ(partitions[0].name, "a");
  EXPECT_EQ(partitions[0].label, "key \"a\"");
  EXPECT_EQ(partitions[0].indices, std::vector<size_t>({1}));
  EXPECT_EQ(partitions[1].name, "b");
  EXPECT_EQ(partitions[1].indices, std::vector<size_t>({0, 2}));
}

TEST(LincheckKvModelDescribeTest, StatesAndOperationsAreReadable) {
  KvModel model;
  EXPECT_EQ(model.DescribeState(model.Init()), "<missing>");
  EXPECT_EQ(
      model.DescribeState(*model.Step(model.Init(), Put(0, "k", "a\nb", 0, 1).input, Output())),
      "\"a\\nb\"");
  Operation cas = Cas(2, "k", std::nullopt, "v", false, 10, 20);
  cas.id = 4;
  EXPECT_EQ(model.DescribeOperation(cas),
            "#4 client 2 [10ns, 20ns] cas(\"k\", <missing> => \"v\") -> failed");
  Operation get = Unknown(Get(1, "k", "v", 5));
  EXPECT_EQ(model.DescribeOperation(get),
            "#0 client 1 [5ns, never returned] get(\"k\") -> unknown");
}

TEST(LincheckRegisterModelTest, ReadWriteCas) {
  RegisterModel model("0");
  const State zero = model.Init();
  EXPECT_EQ(zero, "0");
  const Operation write = Write(0, "1", 0, 1);
  EXPECT_THAT(model.Step(zero, write.input, write.output), Optional(std::string("1")));
  const Operation read_zero = Read(0, "0", 0, 1);
  EXPECT_THAT(model.Step(zero, read_zero.input, read_zero.output), Optional(zero));
  const Operation read_one = Read(0, "1", 0, 1);
  EXPECT_EQ(model.Step(zero, read_one.input, read_one.output), std::nullopt);
  const Operation swap = RegisterCas(0, "0", "2", true, 0, 1);
  EXPECT_THAT(model.Step(zero, swap.input, swap.output), Optional(std::string("2")));
  const Operation no_swap = RegisterCas(0, "1", "2", false, 0, 1);
  EXPECT_THAT(model.Step(zero, no_swap.input, no_swap.output), Optional(zero));
  const Operation wrong_claim = RegisterCas(0, "1", "2", true, 0, 1);
  EXPECT_EQ(model.Step(zero, wrong_claim.input, wrong_claim.output), std::nullopt);
}

TEST(LincheckRegisterModelTest, ValidateRejectsKeyValueOperationsAndCasWithoutExpectation) {
  RegisterModel model;
  EXPECT_EQ(model.Validate(Get(0, "k", "v", 0, 1)).code(), absl::StatusCode::kInvalidArgument);
  Operation cas = RegisterCas(0, "a", "b", true, 0, 1);
  cas.input.expected.reset();
  EXPECT_THAT(model.Validate(cas).message(), HasSubstr("expected value"));
  EXPECT_TRUE(model.Validate(Unknown(Read(0, "v", 0))).ok());
}

}  // namespace
}  // namespace ddc::lincheck
