#include "common/lincheck/kv_model.h"

#include <limits>
#include <map>

#include "absl/strings/str_cat.h"

namespace ddc::lincheck {
namespace {

// A key's state is encoded as "" when missing and kPresent followed by the value when present,
// so every state has exactly one encoding and byte equality is state equality.
constexpr char kPresent = '=';

bool IsPresent(const State& state) { return !state.empty(); }
absl::string_view ValueOf(const State& state) { return absl::string_view(state).substr(1); }
State Present(absl::string_view value) {
  return absl::StrCat(absl::string_view(&kPresent, 1), value);
}
State Missing() { return State(); }

std::optional<State> StepGet(const State& state, const Output& output) {
  switch (output.outcome) {
    case Outcome::kOk:
      if (IsPresent(state) && ValueOf(state) == *output.value) return state;
      return std::nullopt;
    case Outcome::kNotFound:
      if (!IsPresent(state)) return state;
      return std::nullopt;
    default:
      return state;
  }
}

std::optional<State> StepIncrement(const State& state, const Input& input, const Output& output) {
  std::optional<int64_t> current = IsPresent(state) ? ParseInteger(ValueOf(state)) : 0;
  int64_t sum = 0;
  const bool applies = current.has_value() && !__builtin_add_overflow(*current, input.delta, &sum);
  if (!applies) return ConditionalStep(false, output.outcome, state, state);
  std::string sum_text = absl::StrCat(sum);
  if (output.outcome == Outcome::kOk && output.value && *output.value != sum_text) {
    return std::nullopt;
  }
  return ConditionalStep(true, output.outcome, state, Present(sum_text));
}

}  // namespace

std::optional<int64_t> ParseInteger(absl::string_view value) {
  const bool negative = !value.empty() && value.front() == '-';
  if (negative) value.remove_prefix(1);
  if (value.empty()) return std::nullopt;
  // Accumulate negatively so that INT64_MIN, whose magnitude has no positive int64, parses.
  int64_t result = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    if (__builtin_mul_overflow(result, 10, &result) ||
        __builtin_sub_overflow(result, c - '0', &result)) {
      return std::nullopt;
    }
  }
  if (negative) return result;
  if (result == std::numeric_limits<int64_t>::min()) return std::nullopt;
  return -result;
}

absl::Status KvModel::Validate(const Operation& op) const {
  switch (op.input.type) {
    case OpType::kGet:
      return ValidateOutput(op, {Outcome::kOk, Outcome::kNotFound}, OutputValue::kRequiredWhenOk);
    case OpType::kPut:
    case OpType::kDelete:
      return ValidateOutput(op, {Outcome::kOk}, OutputValue::kNever);
    case OpType::kCas:
      return ValidateOutput(op, {Outcome::kOk, Outcome::kFailed}, OutputValue::kNever);
    case OpType::kIncrement:
      return ValidateOutput(op, {Outcome::kOk, Outcome::kFailed}, OutputValue::kOptionalWhenOk);
    default:
      return InvalidOperation(op, "not a key-value operation (get, put, delete, cas, increment)");
  }
}

std::vector<Subhistory> KvModel::Partition(absl::Span<const Operation> history) const {
  std::map<absl::string_view, std::vector<size_t>> by_key;
  for (size_t i = 0; i < history.size(); ++i) by_key[history[i].input.key].push_back(i);
  std::vector<Subhistory> partitions;
  partitions.reserve(by_key.size());
  for (auto& [key, indices] : by_key) {
    partitions.push_back(Subhistory{.name = std::string(key),
                                    .label = absl::StrCat("key ", Quote(key)),
                                    .indices = std::move(indices)});
  }
  return partitions;
}

State KvModel::Init() const { return Missing(); }

std::optional<State> KvModel::Step(const State& state, const Input& input,
                                   const Output& output) const {
  switch (input.type) {
    case OpType::kGet:
      return StepGet(state, output);
    case OpType::kPut:
      return Present(input.value);
    case OpType::kDelete:
      return Missing();
    case OpType::kCas: {
      const bool matches = input.expected ? IsPresent(state) && ValueOf(state) == *input.expected
                                          : !IsPresent(state);
      return ConditionalStep(matches, output.outcome, state, Present(input.value));
    }
    case OpType::kIncrement:
      return StepIncrement(state, input, output);
    default:
      return std::nullopt;
  }
}

std::string KvModel::DescribeState(const State& state) const {
  return IsPresent(state) ? Quote(ValueOf(state)) : "<missing>";
}

}  // namespace ddc::lincheck
