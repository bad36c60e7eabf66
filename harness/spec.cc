#include "harness/spec.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "harness/field_path.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr absl::string_view kParamPrefix = "params.";

absl::Status CheckSpec(const ExperimentSpec& spec) {
  if (spec.experiment().empty()) {
    return absl::InvalidArgumentError("spec: experiment: required (a name `ddc list` prints)");
  }
  std::set<uint64_t> seeds;
  for (int i = 0; i < spec.seeds_size(); ++i) {
    if (!seeds.insert(spec.seeds(i)).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec: seeds[", i, "]: seed ", spec.seeds(i), " is listed twice"));
    }
  }
  std::set<std::string> params;
  for (int i = 0; i < spec.params_size(); ++i) {
    if (spec.params(i).name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("spec: params[", i, "].name: required"));
    }
    if (!params.insert(spec.params(i).name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec: params[", i, "]: \"", spec.params(i).name(), "\" is given twice"));
    }
  }
  std::set<std::string> fields;
  for (int i = 0; i < spec.sweep_size(); ++i) {
    const SweepAxis& axis = spec.sweep(i);
    if (axis.field().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("spec: sweep[", i, "].field: required"));
    }
    if (axis.values_size() == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec: sweep[", i, "] (", axis.field(), "): no values"));
    }
    if (!fields.insert(axis.field()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("spec: sweep[", i, "]: ", axis.field(), " is swept twice"));
    }
  }
  return absl::OkStatus();
}

// PointConfig applies `settings` (config paths only) to the spec's platform. A setting is applied
// before the config is resolved, so that a preset still fills the fields it does not set; one
// whose path names something only resolution creates (an element of the default topology) is
// applied after.
absl::StatusOr<PlatformConfig> PointConfig(
    const PlatformConfig& platform,
    const std::vector<std::pair<std::string, std::string>>& settings) {
  PlatformConfig config = platform;
  std::vector<std::pair<std::string, std::string>> after_resolution;
  for (const auto& [field, value] : settings) {
    if (!SetFieldByPath(config, field, value).ok()) after_resolution.push_back({field, value});
  }
  ResolveConfig(config);
  for (const auto& [field, value] : after_resolution) {
    DDC_RETURN_IF_ERROR(SetFieldByPath(config, field, value));
  }
  DDC_RETURN_IF_ERROR(ValidateConfig(config));
  return config;
}

}  // namespace

absl::StatusOr<ExperimentSpec> ParseSpec(absl::string_view text) {
  ExperimentSpec spec;
  DDC_RETURN_IF_ERROR(ParseTextProto(text, "spec", spec));
  DDC_RETURN_IF_ERROR(CheckSpec(spec));
  return spec;
}

absl::StatusOr<ExperimentSpec> LoadSpecFile(const std::string& path) {
  DDC_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path, "spec"));
  absl::StatusOr<ExperimentSpec> spec = ParseSpec(text);
  if (!spec.ok()) {
    return absl::Status(spec.status().code(), absl::StrCat(path, ": ", spec.status().message()));
  }
  return spec;
}

absl::StatusOr<std::vector<SweepPoint>> ExpandSpec(const ExperimentSpec& spec) {
  DDC_RETURN_IF_ERROR(CheckSpec(spec));
  std::map<std::string, std::string> base_params;
  for (const Param& p : spec.params()) base_params[p.name()] = p.value();
  std::vector<uint64_t> seeds(spec.seeds().begin(), spec.seeds().end());
  if (seeds.empty()) seeds.push_back(1);

  // The axes' value indices, as an odometer whose last digit turns fastest.
  std::vector<int> digit(spec.sweep_size(), 0);
  std::vector<SweepPoint> points;
  while (true) {
    std::vector<std::pair<std::string, std::string>> settings, config_settings;
    std::map<std::string, std::string> params = base_params;
    for (int a = 0; a < spec.sweep_size(); ++a) {
      const std::string& field = spec.sweep(a).field();
      const std::string& value = spec.sweep(a).values(digit[a]);
      settings.push_back({field, value});
      if (absl::StartsWith(field, kParamPrefix)) {
        params[field.substr(kParamPrefix.size())] = value;
      } else {
        config_settings.push_back({field, value});
      }
    }
    absl::StatusOr<PlatformConfig> config = PointConfig(spec.platform(), config_settings);
    if (!config.ok()) {
      std::string where;
      for (const auto& [field, value] : settings) absl::StrAppend(&where, " ", field, "=", value);
      return absl::InvalidArgumentError(absl::StrCat(
          "spec: point", where.empty() ? " (no sweep)" : where, ": ", config.status().message()));
    }
    for (uint64_t seed : seeds) {
      points.push_back({static_cast<int>(points.size()), seed, settings, *config, params});
    }
    int a = spec.sweep_size() - 1;
    while (a >= 0 && ++digit[a] == spec.sweep(a).values_size()) digit[a--] = 0;
    if (a < 0) break;
  }
  return points;
}

absl::Status AddSweepAxis(absl::string_view flag, ExperimentSpec& spec) {
  const size_t eq = flag.find('=');
  if (eq == absl::string_view::npos || eq == 0 || eq + 1 == flag.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--sweep: expected FIELD=V1,V2,..., got \"", flag, "\""));
  }
  SweepAxis axis;
  axis.set_field(std::string(flag.substr(0, eq)));
  for (absl::string_view value : absl::StrSplit(flag.substr(eq + 1), ',')) {
    if (value.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("--sweep ", flag, ": an empty value"));
    }
    axis.add_values(std::string(value));
  }
  ExperimentSpec updated = spec;
  *updated.add_sweep() = std::move(axis);
  DDC_RETURN_IF_ERROR(CheckSpec(updated));
  spec = std::move(updated);
  return absl::OkStatus();
}

}  // namespace ddc::harness
