// SetFieldByPath sets one scalar field of a Protobuf message, named by a path such as
//
//   cost_model.memory_rtt_ns                 a field of a nested message
//   racks[0].compute_elements[1].cache_lines  an element of a repeated message field
//   memory.failure_detection                  an enum, by value name (ASYNC_LIVENESS) or number
//
// from its text form. It is how a sweep (`--sweep FIELD=V1,V2`, a spec's `sweep` axes) changes a
// config, so that any field can be swept without code. Nested messages along the path are
// created; a repeated element must already exist (index < size). On error it returns
// INVALID_ARGUMENT naming the path and the value (unknown field, index out of range, a message or
// repeated field where a scalar is expected, a value that does not parse as the field's type),
// and the message is unchanged.
#ifndef DDC_HARNESS_FIELD_PATH_H_
#define DDC_HARNESS_FIELD_PATH_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace ddc::harness {

absl::Status SetFieldByPath(google::protobuf::Message& message, absl::string_view path,
                            absl::string_view value);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_FIELD_PATH_H_
