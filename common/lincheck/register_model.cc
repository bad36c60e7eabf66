#include "common/lincheck/register_model.h"

namespace ddc::lincheck {

absl::Status RegisterModel::Validate(const Operation& op) const {
  switch (op.input.type) {
    case OpType::kRead:
      return ValidateOutput(op, {Outcome::kOk}, OutputValue::kRequiredWhenOk);
    case OpType::kWrite:
      return ValidateOutput(op, {Outcome::kOk}, OutputValue::kNever);
    case OpType::kCas:
      if (!op.input.expected) return InvalidOperation(op, "a register cas needs an expected value");
      return ValidateOutput(op, {Outcome::kOk, Outcome::kFailed}, OutputValue::kNever);
    default:
      return InvalidOperation(op, "not a register operation (read, write, cas)");
  }
}

std::optional<State> RegisterModel::Step(const State& state, const Input& input,
                                         const Output& output) const {
  switch (input.type) {
    case OpType::kRead:
      if (output.outcome == Outcome::kUnknown || *output.value == state) return state;
      return std::nullopt;
    case OpType::kWrite:
      return input.value;
    case OpType::kCas:
      return ConditionalStep(state == *input.expected, output.outcome, state, input.value);
    default:
      return std::nullopt;
  }
}

}  // namespace ddc::lincheck
