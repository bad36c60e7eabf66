// The experiment-spec text parser: ParseSpec and ExpandSpec.
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "fuzz/config_check.h"
#include "fuzz/targets.h"
#include "harness/spec.h"

namespace ddc::fuzz {
namespace {

// kMaxPoints bounds the sweeps the spec target expands: a spec may legitimately name millions
// of points, which is slow, not wrong.
constexpr uint64_t kMaxPoints = 256;

}  // namespace

absl::Status FuzzSpec(absl::string_view input) {
  absl::StatusOr<harness::ExperimentSpec> spec = harness::ParseSpec(input);
  if (!spec.ok()) return absl::OkStatus();
  uint64_t points = spec->seeds_size() == 0 ? 1 : static_cast<uint64_t>(spec->seeds_size());
  for (const harness::SweepAxis& axis : spec->sweep()) {
    points *= static_cast<uint64_t>(axis.values_size());
    if (points > kMaxPoints) return absl::OkStatus();
  }
  absl::StatusOr<std::vector<harness::SweepPoint>> expanded = harness::ExpandSpec(*spec);
  if (!expanded.ok()) {
    if (expanded.status().code() != absl::StatusCode::kInvalidArgument) {
      return absl::InternalError(
          absl::StrCat("ExpandSpec refused with a code other than INVALID_ARGUMENT: ",
                       expanded.status().ToString()));
    }
    return absl::OkStatus();
  }
  if (expanded->size() != points) {
    return absl::InternalError(absl::StrCat("ExpandSpec gave ", expanded->size(),
                                            " points, the axes and seeds make ", points));
  }
  for (const harness::SweepPoint& point : *expanded) {
    if (absl::Status ok = CheckAcceptedConfig(point.config, absl::StrCat("point ", point.index));
        !ok.ok()) {
      return ok;
    }
  }
  return absl::OkStatus();
}

}  // namespace ddc::fuzz
