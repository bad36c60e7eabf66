// CheckAcceptedConfig: what a config that ParseConfig (or ExpandSpec) accepted promises, shared
// by the config and spec fuzz targets.
#ifndef DDC_FUZZ_CONFIG_CHECK_H_
#define DDC_FUZZ_CONFIG_CHECK_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "platform/config.h"

namespace ddc::fuzz {

// CheckAcceptedConfig checks that `config` validates, is resolved (a second ResolveConfig changes
// nothing), and prints to text that ParseConfig turns back into the same config. `what` names it
// in the error.
absl::Status CheckAcceptedConfig(const PlatformConfig& config, absl::string_view what);

}  // namespace ddc::fuzz

#endif  // DDC_FUZZ_CONFIG_CHECK_H_
