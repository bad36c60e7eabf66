#include "common/lincheck/model.h"

#include <algorithm>
#include <numeric>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"

namespace ddc::lincheck {

std::vector<Subhistory> Model::Partition(absl::Span<const Operation> history) const {
  Subhistory whole{.name = "", .label = "the history", .indices = {}};
  whole.indices.resize(history.size());
  std::iota(whole.indices.begin(), whole.indices.end(), size_t{0});
  return {std::move(whole)};
}

uint64_t Model::HashState(const State& state) const { return absl::HashOf(state); }

std::string Model::DescribeOperation(const Operation& op) const {
  return lincheck::DescribeOperation(op);
}

absl::Status InvalidOperation(const Operation& op, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("operation #", op.id, " (", OpTypeName(op.input.type), "): ", what));
}

absl::Status ValidateOutput(const Operation& op, std::initializer_list<Outcome> allowed,
                            OutputValue value) {
  const Outcome outcome = op.output.outcome;
  if (outcome != Outcome::kUnknown &&
      std::find(allowed.begin(), allowed.end(), outcome) == allowed.end()) {
    return InvalidOperation(op, absl::StrCat("outcome ", OutcomeName(outcome), " is not possible"));
  }
  const bool may_have_value = outcome == Outcome::kOk && value != OutputValue::kNever;
  const bool must_have_value = outcome == Outcome::kOk && value == OutputValue::kRequiredWhenOk;
  if (op.output.value && !may_have_value) {
    return InvalidOperation(op,
                            absl::StrCat("output value given with outcome ", OutcomeName(outcome)));
  }
  if (!op.output.value && must_have_value) return InvalidOperation(op, "output value missing");
  return absl::OkStatus();
}

std::optional<State> ConditionalStep(bool applies, Outcome outcome, const State& unchanged,
                                     State changed) {
  switch (outcome) {
    case Outcome::kOk:
      if (applies) return changed;
      return std::nullopt;
    case Outcome::kFailed:
      if (!applies) return unchanged;
      return std::nullopt;
    case Outcome::kUnknown:
      if (applies) return changed;
      return unchanged;
    case Outcome::kNotFound:
      break;
  }
  return std::nullopt;
}

}  // namespace ddc::lincheck
