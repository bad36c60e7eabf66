#include "mapreduce/policy.h"

#include "absl/strings/str_cat.h"

namespace ddc::mapreduce {

absl::string_view MitigationName(Mitigation mitigation) {
  switch (mitigation) {
    case Mitigation::kNone:
      return "none";
    case Mitigation::kSpeculate:
      return "speculation";
    case Mitigation::kStealAndResume:
      return "steal-and-resume";
  }
  return "?";
}

absl::StatusOr<Mitigation> ParseMitigation(absl::string_view name) {
  for (Mitigation m : {Mitigation::kNone, Mitigation::kSpeculate, Mitigation::kStealAndResume}) {
    if (name == MitigationName(m)) return m;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("mitigation \"", name, "\": expected none, speculation or steal-and-resume"));
}

absl::StatusOr<Policy> PlanPolicy(Mode mode, std::optional<Mitigation> mitigation) {
  Policy policy;
  switch (mode) {
    case Mode::kTransparent:
      policy.shuffle = ShuffleMechanism::kCopy;
      policy.mitigation = Mitigation::kSpeculate;
      policy.recovery = Recovery::kRestart;
      break;
    case Mode::kExposed:
      policy.shuffle = ShuffleMechanism::kGrant;
      policy.mitigation = Mitigation::kStealAndResume;
      policy.recovery = Recovery::kStealAndResume;
      break;
  }
  if (mitigation) {
    if (*mitigation == Mitigation::kStealAndResume && mode == Mode::kTransparent) {
      return absl::FailedPreconditionError(
          "mitigation steal-and-resume needs exposed mode: a transparent rack refuses steals");
    }
    policy.mitigation = *mitigation;
  }
  return policy;
}

}  // namespace ddc::mapreduce
