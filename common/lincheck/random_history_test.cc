// Randomized histories (random_history.h): generated linearizable histories must check ok with a
// valid linearization, and small ones, intact or with a mutated read, must get the verdict of a
// brute-force search that shares no code with the checker's search.
#include "common/lincheck/random_history.h"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/kv_model.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddc::lincheck {
namespace {

using ::testing::HasSubstr;

// BruteForce decides linearizability of a single-key history by trying every order: all known
// operations must be placed, each unknown one may be placed or left out (it never took effect),
// and an operation may be placed only after every known operation that returned before its call.
class BruteForce {
 public:
  BruteForce(const Model& model, const std::vector<Operation>& history)
      : model_(model), history_(history) {}

  bool Linearizable() { return Extend(0, model_.Init()); }

 private:
  bool Extend(uint32_t placed, const State& state) {
    bool all_known_placed = true;
    for (size_t i = 0; i < history_.size(); ++i) {
      if (!(placed & (1u << i)) && history_[i].output.outcome != Outcome::kUnknown) {
        all_known_placed = false;
      }
    }
    if (all_known_placed) return true;
    for (size_t i = 0; i < history_.size(); ++i) {
      if ((placed & (1u << i)) || !MayComeNext(placed, history_[i])) continue;
      std::optional<State> after = model_.Step(state, history_[i].input, history_[i].output);
      if (after && Extend(placed | (1u << i), *after)) return true;
    }
    return false;
  }

  bool MayComeNext(uint32_t placed, const Operation& op) const {
    for (size_t j = 0; j < history_.size(); ++j) {
      if (!(placed & (1u << j)) && history_[j].output.outcome != Outcome::kUnknown &&
          history_[j].ret < op.call) {
        return false;
      }
    }
    return true;
  }

  const Model& model_;
  const std::vector<Operation>& history_;
};

// BruteForceKv applies BruteForce to each key's operations.
bool BruteForceKv(const std::vector<Operation>& history) {
  const KvModel model;
  std::map<std::string, std::vector<Operation>> by_key;
  for (const Operation& op : history) by_key[op.input.key].push_back(op);
  for (const auto& [key, operations] : by_key) {
    if (!BruteForce(model, operations).Linearizable()) return false;
  }
  return true;
}

// ExpectValidLinearization replays each partition's linearization: every operation with a known
// outcome exactly once, unknown ones at most once (those left out never took effect), in an
// order that respects real time, each accepted by the model.
void ExpectValidLinearization(const Model& model, const std::vector<Operation>& history,
                              const CheckResult& result) {
  absl::flat_hash_map<int64_t, const Operation*> by_id;
  for (const Operation& op : history) by_id[op.id] = &op;
  absl::flat_hash_map<int64_t, int> times_placed;
  for (const PartitionResult& partition : result.partitions) {
    State state = model.Init();
    Time latest_call = std::numeric_limits<Time>::min();
    for (int64_t id : partition.linearization) {
      const Operation& op = *by_id.at(id);
      ++times_placed[id];
      EXPECT_EQ(op.input.key, partition.name);
      // op comes after everything placed so far, so none of those may have been called after
      // op returned.
      EXPECT_LE(latest_call, op.ret) << "op #" << id << " placed after a later operation";
      latest_call = std::max(latest_call, op.call);
      std::optional<State> after = model.Step(state, op.input, op.output);
      ASSERT_TRUE(after.has_value()) << model.DescribeOperation(op);
      state = *after;
    }
  }
  for (const Operation& op : history) {
    const int placed = times_placed.contains(op.id) ? times_placed[op.id] : 0;
    if (op.output.outcome == Outcome::kUnknown) {
      EXPECT_LE(placed, 1) << "op #" << op.id;
    } else {
      EXPECT_EQ(placed, 1) << "op #" << op.id;
    }
  }
}

// EveryOperationType: options for a history with every kv operation type in it.
RandomHistoryOptions EveryOperationType(uint64_t seed) {
  RandomHistoryOptions options;
  options.seed = seed;
  options.get_weight = 3;
  options.put_weight = 2;
  options.delete_weight = 1;
  options.cas_weight = 1;
  options.increment_weight = 1;
  return options;
}

RandomHistoryOptions SmallHistory(uint64_t seed) {
  RandomHistoryOptions options = EveryOperationType(seed);
  options.operations = 4 + static_cast<int>(seed % 5);  // 4..8: brute force stays cheap
  options.keys = 1 + static_cast<int>(seed % 2);
  options.clients = 3;
  options.unknown_per_mille = 150;
  options.max_latency = 40;
  options.max_think = 10;
  return options;
}

// CheckOrFail is Check for histories the test built well.
CheckResult CheckOrFail(const Model& model, const std::vector<Operation>& history) {
  absl::StatusOr<CheckResult> result = Check(model, history);
  EXPECT_TRUE(result.ok()) << result.status();
  if (!result.ok()) {
    CheckResult failed;
    failed.verdict = Verdict::kUnknown;
    return failed;
  }
  return *std::move(result);
}

// ExpectGeneratedHistoryLinearizable: RandomHistory's histories are linearizable by construction.
void ExpectGeneratedHistoryLinearizable(const Model& model, const std::vector<Operation>& history,
                                        uint64_t seed) {
  const CheckResult result = CheckOrFail(model, history);
  ASSERT_EQ(result.verdict, Verdict::kOk) << "seed " << seed << "\n" << result.explanation;
  ExpectValidLinearization(model, history, result);
}

TEST(LincheckRandomHistoryTest, SmallHistoriesAgreeWithBruteForce) {
  const KvModel model;
  int mutated_illegal = 0;
  int mutated = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    std::vector<Operation> history = RandomHistory(SmallHistory(seed));
    ASSERT_NO_FATAL_FAILURE(ExpectGeneratedHistoryLinearizable(model, history, seed));

    std::mt19937_64 rng(seed);
    if (MutateRead(history, rng, /*never_written_value=*/false) < 0) continue;
    const CheckResult result = CheckOrFail(model, history);
    const bool linearizable = BruteForceKv(history);
    ASSERT_EQ(result.verdict, linearizable ? Verdict::kOk : Verdict::kIllegal)
        << "seed " << seed << "\n"
        << result.explanation;
    if (linearizable) ExpectValidLinearization(model, history, result);
    ++mutated;
    mutated_illegal += !linearizable;
  }
  // Mutations usually break linearizability, and sometimes do not (a concurrent write).
  EXPECT_GT(mutated, 300);
  EXPECT_GT(mutated_illegal, mutated / 2);
  EXPECT_LT(mutated_illegal, mutated);
}

RandomHistoryOptions LargeHistory(uint64_t seed) {
  RandomHistoryOptions options = EveryOperationType(seed);
  options.operations = 3000;
  options.keys = 20;
  options.clients = 16;
  options.unknown_per_mille = 20;
  return options;
}

TEST(LincheckRandomHistoryTest, LargeHistoriesAreLinearizableAndAMutatedReadIsCaught) {
  const KvModel model;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    std::vector<Operation> history = RandomHistory(LargeHistory(seed));
    ASSERT_NO_FATAL_FAILURE(ExpectGeneratedHistoryLinearizable(model, history, seed));

    std::mt19937_64 rng(seed);
    const int64_t changed = MutateRead(history, rng, /*never_written_value=*/true);
    ASSERT_GE(changed, 0);
    const CheckResult result = CheckOrFail(model, history);
    ASSERT_EQ(result.verdict, Verdict::kIllegal) << "seed " << seed;
    const std::string key = history[changed].input.key;
    int illegal = 0;
    for (const PartitionResult& partition : result.partitions) {
      if (partition.verdict != Verdict::kIllegal) continue;
      ++illegal;
      EXPECT_EQ(partition.name, key);
    }
    EXPECT_EQ(illegal, 1);
    EXPECT_THAT(result.explanation, HasSubstr(absl::StrCat("key \"", key, "\"")));
    EXPECT_THAT(result.explanation, HasSubstr("\"never written\""));
  }
}

TEST(LincheckRandomHistoryTest, SameSeedSameHistory) {
  const std::vector<Operation> a = RandomHistory(SmallHistory(7));
  const std::vector<Operation> b = RandomHistory(SmallHistory(7));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].call, b[i].call);
    EXPECT_EQ(a[i].ret, b[i].ret);
    EXPECT_EQ(a[i].output.value, b[i].output.value);
  }
}

}  // namespace
}  // namespace ddc::lincheck
