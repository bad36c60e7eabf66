#include "common/lincheck/checker.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/lincheck/wgl_search.h"

namespace ddc::lincheck {
namespace {

// How much of a prefix and of the candidates an explanation lists; the end of the prefix is
// what matters, the rest is summarized.
constexpr int kPrefixOperationsShown = 10;
constexpr int kCandidatesShown = 10;
constexpr int kPartitionsNamed = 10;

absl::Status ValidateTiming(const Operation& op) {
  const bool unknown = op.output.outcome == Outcome::kUnknown;
  if (op.call == kInfiniteTime) return InvalidOperation(op, "call time is infinite");
  if (unknown && op.ret != kInfiniteTime) {
    return InvalidOperation(op, "an unknown outcome needs return time kInfiniteTime");
  }
  if (!unknown && op.ret == kInfiniteTime) {
    return InvalidOperation(op, "a known outcome needs a finite return time");
  }
  if (op.ret < op.call) {
    return InvalidOperation(
        op, absl::StrCat("returns at ", op.ret, "ns before its call at ", op.call, "ns"));
  }
  return absl::OkStatus();
}

absl::Status ValidateHistory(const Model& model, absl::Span<const Operation> history) {
  absl::flat_hash_set<int64_t> ids;
  ids.reserve(history.size());
  for (const Operation& op : history) {
    if (!ids.insert(op.id).second) return InvalidOperation(op, "duplicate operation id");
    if (absl::Status status = ValidateTiming(op); !status.ok()) return status;
    if (absl::Status status = model.Validate(op); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status ValidatePartitions(const std::vector<Subhistory>& partitions, size_t history_size) {
  std::vector<bool> seen(history_size, false);
  size_t count = 0;
  for (const Subhistory& partition : partitions) {
    for (size_t index : partition.indices) {
      if (index >= history_size || seen[index]) {
        return absl::InternalError(absl::StrCat("the model's Partition puts operation index ",
                                                index, " in no or several partitions"));
      }
      seen[index] = true;
      ++count;
    }
  }
  if (count != history_size) {
    return absl::InternalError("the model's Partition leaves operations out");
  }
  return absl::OkStatus();
}

// Explainer renders the explanation of one partition's search for a human.
class Explainer {
 public:
  Explainer(const Model& model, const std::vector<const Operation*>& ops)
      : model_(model), ops_(ops) {}

  std::string Illegal(const std::string& label, const SearchResult& search) const {
    const int prefix_size = static_cast<int>(search.linearization.size());
    std::string text = absl::StrCat(label, " is not linearizable (", ops_.size(),
                                    " operations searched, ", search.steps, " steps).\n");
    absl::StrAppend(&text, "The longest linearizable prefix found has ", prefix_size, " of the ",
                    ops_.size(), " operations");
    const int first_shown = std::max(0, prefix_size - kPrefixOperationsShown);
    if (first_shown > 0) absl::StrAppend(&text, "; its last ", prefix_size - first_shown);
    absl::StrAppend(&text, ", each with the state after it:\n");
    State state = model_.Init();
    for (int k = 0; k < prefix_size; ++k) {
      const Operation& op = *ops_[search.linearization[k]];
      state = *model_.Step(state, op.input, op.output);
      if (k >= first_shown) {
        absl::StrAppend(&text, "  ", model_.DescribeOperation(op), "  ==> ",
                        model_.DescribeState(state), "\n");
      }
    }
    absl::StrAppend(&text, "From state ", model_.DescribeState(state), ", operation #",
                    ops_[search.blocked]->id,
                    " must take effect before it returns, but no operation that may come next "
                    "leads to a linearization:\n");
    const int candidates = static_cast<int>(search.candidates.size());
    for (int k = 0; k < std::min(candidates, kCandidatesShown); ++k) {
      const Operation& op = *ops_[search.candidates[k]];
      const bool accepted = model_.Step(state, op.input, op.output).has_value();
      absl::StrAppend(&text, "  ", model_.DescribeOperation(op),
                      accepted ? "  (accepted here, but nothing after it leads on)"
                               : "  (contradicts this state)",
                      "\n");
    }
    if (candidates > kCandidatesShown) {
      absl::StrAppend(&text, "  ... and ", candidates - kCandidatesShown, " more\n");
    }
    return text;
  }

 private:
  const Model& model_;
  const std::vector<const Operation*>& ops_;
};

std::vector<int64_t> IdsOf(const std::vector<const Operation*>& ops,
                           const std::vector<int>& positions) {
  std::vector<int64_t> ids;
  ids.reserve(positions.size());
  for (int position : positions) ids.push_back(ops[position]->id);
  return ids;
}

PartitionResult CheckPartition(const Model& model, absl::Span<const Operation> history,
                               const Subhistory& subhistory, int64_t max_steps) {
  PartitionResult result;
  result.name = subhistory.name;
  result.label = subhistory.label;
  std::vector<const Operation*> ops;
  ops.reserve(subhistory.indices.size());
  for (size_t index : subhistory.indices) {
    const Operation& op = history[index];
    if (op.output.outcome == Outcome::kUnknown && model.IsReadOnly(op.input)) {
      ++result.dropped;
    } else {
      ops.push_back(&op);
    }
  }
  const SearchResult search = SearchLinearization(model, ops, max_steps);
  result.verdict = search.verdict;
  result.operations = static_cast<int64_t>(ops.size());
  result.steps = search.steps;
  result.linearization = IdsOf(ops, search.linearization);
  if (search.verdict == Verdict::kIllegal) {
    result.blocked = ops[search.blocked]->id;
    result.candidates = IdsOf(ops, search.candidates);
    result.explanation = Explainer(model, ops).Illegal(subhistory.label, search);
  } else if (search.verdict == Verdict::kUnknown) {
    result.explanation =
        absl::StrCat(subhistory.label, " is undecided: the step budget ran out after ",
                     search.steps, " steps on its ", ops.size(), " operations.\n");
  }
  return result;
}

std::string Summary(const CheckResult& result, Verdict of, absl::string_view what) {
  std::vector<std::string> labels;
  const PartitionResult* first = nullptr;
  for (const PartitionResult& partition : result.partitions) {
    if (partition.verdict != of) continue;
    if (first == nullptr) first = &partition;
    labels.push_back(partition.label);
  }
  const size_t count = labels.size();
  if (labels.size() > kPartitionsNamed) {
    labels.resize(kPartitionsNamed);
    labels.push_back(absl::StrCat("and ", count - kPartitionsNamed, " more"));
  }
  return absl::StrCat(count, " of ", result.partitions.size(), " partitions ", what, ": ",
                      absl::StrJoin(labels, ", "), ".\n", first->explanation);
}

}  // namespace

absl::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kOk:
      return "ok";
    case Verdict::kIllegal:
      return "illegal";
    case Verdict::kUnknown:
      return "unknown";
  }
  return "?";
}

absl::StatusOr<CheckResult> Check(const Model& model, absl::Span<const Operation> history,
                                  const CheckOptions& options) {
  if (absl::Status status = ValidateHistory(model, history); !status.ok()) return status;
  const std::vector<Subhistory> partitions = model.Partition(history);
  if (absl::Status status = ValidatePartitions(partitions, history.size()); !status.ok()) {
    return status;
  }

  // Smallest partitions first, so that a limited budget decides as many as it can.
  std::vector<size_t> order(partitions.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return partitions[a].indices.size() < partitions[b].indices.size();
  });

  CheckResult result;
  result.partitions.resize(partitions.size());
  int64_t budget_left =
      options.max_steps > 0 ? options.max_steps : std::numeric_limits<int64_t>::max();
  for (size_t p : order) {
    result.partitions[p] = CheckPartition(model, history, partitions[p], budget_left);
    budget_left -= result.partitions[p].steps;
    result.steps += result.partitions[p].steps;
  }

  bool any_unknown = false;
  bool any_illegal = false;
  for (const PartitionResult& partition : result.partitions) {
    any_unknown |= partition.verdict == Verdict::kUnknown;
    any_illegal |= partition.verdict == Verdict::kIllegal;
  }
  if (any_illegal) {
    result.verdict = Verdict::kIllegal;
    result.explanation = absl::StrCat("Not linearizable: ",
                                      Summary(result, Verdict::kIllegal, "are not linearizable"));
  } else if (any_unknown) {
    result.verdict = Verdict::kUnknown;
    result.explanation =
        absl::StrCat("Undecided: the budget of ", options.max_steps, " steps ran out; ",
                     Summary(result, Verdict::kUnknown, "are undecided"));
  }
  return result;
}

}  // namespace ddc::lincheck
