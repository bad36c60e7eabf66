// The config text parser: ParseConfig (parse, resolve, ValidateConfig).
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "fuzz/config_check.h"
#include "fuzz/targets.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "platform/config.h"

namespace ddc::fuzz {

using google::protobuf::util::MessageDifferencer;

absl::Status CheckAcceptedConfig(const PlatformConfig& config, absl::string_view what) {
  if (absl::Status valid = ValidateConfig(config); !valid.ok()) {
    return absl::InternalError(
        absl::StrCat(what, ": accepted config fails ValidateConfig: ", valid.message()));
  }
  PlatformConfig again = config;
  ResolveConfig(again);
  if (!MessageDifferencer::Equals(again, config)) {
    return absl::InternalError(absl::StrCat(what, ": ResolveConfig is not idempotent"));
  }
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(config, &text)) {
    return absl::InternalError(absl::StrCat(what, ": accepted config does not print"));
  }
  absl::StatusOr<PlatformConfig> reparsed = ParseConfig(text);
  if (!reparsed.ok()) {
    return absl::InternalError(
        absl::StrCat(what, ": printed config does not parse back: ", reparsed.status().message()));
  }
  if (!MessageDifferencer::Equals(*reparsed, config)) {
    return absl::InternalError(absl::StrCat(what, ": printed config parses to another config"));
  }
  return absl::OkStatus();
}

absl::Status FuzzConfig(absl::string_view input) {
  absl::StatusOr<PlatformConfig> config = ParseConfig(input);
  if (!config.ok()) {
    if (config.status().code() != absl::StatusCode::kInvalidArgument) {
      return absl::InternalError(
          absl::StrCat("ParseConfig refused with a code other than "
                       "INVALID_ARGUMENT: ",
                       config.status().ToString()));
    }
    return absl::OkStatus();
  }
  return CheckAcceptedConfig(*config, "config");
}

}  // namespace ddc::fuzz
