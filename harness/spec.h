// Experiment specs (harness/spec.proto) and the points they expand into.
//
// ParseSpec reads a spec's text; a syntax error or an unknown field is INVALID_ARGUMENT naming the
// line, column and field, as a config file's is. ExpandSpec turns a spec into its points: one per
// combination of the sweep axes' values (the first axis varies slowest) and seed (fastest). Each
// point's config is the spec's platform with the point's settings applied, resolved and validated;
// a setting that does not apply or a value the config rejects is INVALID_ARGUMENT naming the axis,
// field and value. A run of a point is a function of (config, params, seed), so points run in any
// order, on any machine, give the same files.
#ifndef DDC_HARNESS_SPEC_H_
#define DDC_HARNESS_SPEC_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "harness/spec.pb.h"
#include "platform/config.h"

namespace ddc::harness {

// ParseSpec parses spec text. It checks the spec's own fields (an experiment is named, seeds are
// distinct, every axis has a field and at least one value, no parameter is given twice); the
// experiment name itself is checked by whoever knows the experiments (the CLI).
absl::StatusOr<ExperimentSpec> ParseSpec(absl::string_view text);
absl::StatusOr<ExperimentSpec> LoadSpecFile(const std::string& path);

struct SweepPoint {
  int index = 0;  // position in ExpandSpec's order
  uint64_t seed = 1;
  // settings are the point's axis values, in axis order, as (field, value).
  std::vector<std::pair<std::string, std::string>> settings;
  PlatformConfig config;                      // resolved and validated
  std::map<std::string, std::string> params;  // the spec's params with the point's params.* set
};

absl::StatusOr<std::vector<SweepPoint>> ExpandSpec(const ExperimentSpec& spec);

// AddSweepAxis parses a command-line axis, "FIELD=V1,V2,...", into `spec`.
absl::Status AddSweepAxis(absl::string_view flag, ExperimentSpec& spec);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_SPEC_H_
