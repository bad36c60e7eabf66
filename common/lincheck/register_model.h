// RegisterModel: one read/write register holding a byte string, with compare-and-swap.
//
//   read()               output ok with the value held
//   write(v)             output ok; the register holds v
//   cas(expected => v)   when the register holds `expected` (required): holds v, outcome ok;
//                        otherwise unchanged, outcome failed
//
// Every op may have outcome unknown (see model.h). Keys are ignored: the whole history is one
// register, so the model does not partition. The register starts holding `initial`.
//
//   RegisterModel model;  // initially ""
//   absl::StatusOr<CheckResult> result = Check(model, history);
#ifndef DDC_COMMON_LINCHECK_REGISTER_MODEL_H_
#define DDC_COMMON_LINCHECK_REGISTER_MODEL_H_

#include <optional>
#include <string>

#include "common/lincheck/model.h"

namespace ddc::lincheck {

class RegisterModel : public Model {
 public:
  explicit RegisterModel(std::string initial = "") : initial_(std::move(initial)) {}

  absl::Status Validate(const Operation& op) const override;
  State Init() const override { return initial_; }
  std::optional<State> Step(const State& state, const Input& input,
                            const Output& output) const override;
  bool IsReadOnly(const Input& input) const override { return input.type == OpType::kRead; }
  std::string DescribeState(const State& state) const override { return Quote(state); }

 private:
  std::string initial_;
};

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_REGISTER_MODEL_H_
