// Config loading and validation for PlatformConfig (config.proto).
//
// ParseConfig is the single entry point for config text: it parses Protobuf text format, fills in
// the default topology and the cost preset, and validates every field. On error it returns
// INVALID_ARGUMENT naming the field path and the offending value, e.g.
//   cost_model.intra_rack_rtt_ns: must be in [0, 3600000000000], got -5
// and nothing else is touched. Every numeric field has a range chosen so that the simulator's
// int64 virtual-time arithmetic cannot overflow on a valid config (docs/cost-model.md, "Bounds"). A
// config returned by ParseConfig or DefaultConfig is "resolved": the default topology is
// materialized and preset values are applied, so later code reads plain fields and never re-derives
// defaults.
#ifndef DDC_PLATFORM_CONFIG_H_
#define DDC_PLATFORM_CONFIG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "platform/config.pb.h"
#include "platform/topology.h"

namespace ddc {

using PlatformConfig = config::PlatformConfig;

// ParseTextProto parses Protobuf text format into `message`; an error is INVALID_ARGUMENT
// "WHAT: line L:C: problem (in: the offending line)". Configs and experiment specs use it.
absl::Status ParseTextProto(absl::string_view text, absl::string_view what,
                            google::protobuf::Message& message);

// ReadTextFile returns a file's contents, or NOT_FOUND "cannot open WHAT file PATH".
absl::StatusOr<std::string> ReadTextFile(const std::string& path, absl::string_view what);

// ParseConfig parses, resolves and validates config text.
absl::StatusOr<PlatformConfig> ParseConfig(absl::string_view text);

// LoadConfigFile reads a text-format config from a file and calls ParseConfig.
absl::StatusOr<PlatformConfig> LoadConfigFile(const std::string& path);

// DefaultConfig returns the resolved config of an empty text.
PlatformConfig DefaultConfig();

// ResolveConfig materializes the default topology and applies the cost preset to fields that
// were not set explicitly. It is idempotent. Because a resolved config has every field set,
// changing `cost_model.preset` on it afterwards has no effect: set the fields themselves.
void ResolveConfig(PlatformConfig& config);

// ValidateConfig checks a resolved config; see the file comment for the error format.
absl::Status ValidateConfig(const PlatformConfig& config);

// ValidateFaultSchedule checks a fault schedule against a topology (fields named
// "faults.<list>[i].<field>"). ValidateConfig uses it, and so does Simulation::InjectFaults.
absl::Status ValidateFaultSchedule(const Topology& topology, const config::FaultSchedule& faults);

}  // namespace ddc

#endif  // DDC_PLATFORM_CONFIG_H_
