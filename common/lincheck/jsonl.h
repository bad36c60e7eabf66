// JSON Lines form of a history: one JSON object per operation per line, so that a history
// recorded here can be re-checked later (ReadJsonlFile + Check) or by an outside checker
// (Porcupine, Knossos) through a small adapter.
//
// Schema (every field is always written; readers ignore members they do not know):
//
//   {"id":7,"client":3,"key":"k1","op":"cas","input":{"expected":"a","value":"b"},
//    "call_ns":100,"return_ns":250,"outcome":"ok","output":{}}
//
//   id         integer   unique within the history
//   client     integer   the client that issued the operation
//   key        string    the key ("" for register operations)
//   op         string    "read" | "write" | "get" | "put" | "delete" | "cas" | "increment"
//   input      object    write, put:  {"value": string}
//                        cas:         {"expected": string | null, "value": string}
//                                     (null: the key must be missing)
//                        increment:   {"delta": integer}
//                        read, get, delete: {}
//   call_ns    integer   virtual time of the call, in nanoseconds
//   return_ns  integer | null   virtual time of the return; null exactly when outcome is
//                        "unknown" (the operation may take effect at any time after its call)
//   outcome    string    "ok" | "not_found" | "failed" | "unknown"
//   output     object    {"value": string} for a read or get with outcome ok, and for an
//                        increment with outcome ok whose new value is known; {} otherwise
//
// Strings are byte strings: printable ASCII is written as itself (with \" and \\), every other
// byte as \u00XX, one escape per byte, so non-UTF-8 values round-trip exactly (json.h).
// Integers are JSON integers within int64.
//
// Errors: INVALID_ARGUMENT "line N: field \"f\": <what>" for a malformed line (blank lines are
// skipped); NOT_FOUND for a file that cannot be opened for reading, INTERNAL for one that cannot
// be written.
// Whether the operations make sense for a model is Check's business, not the reader's.
#ifndef DDC_COMMON_LINCHECK_JSONL_H_
#define DDC_COMMON_LINCHECK_JSONL_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/lincheck/operation.h"

namespace ddc::lincheck {

// AppendJsonl appends one line (with its '\n') describing `op` to `out`.
void AppendJsonl(const Operation& op, std::string* out);
std::string ToJsonl(absl::Span<const Operation> history);

// ParseJsonlLine parses one line; `line_number` (from 1) only labels errors.
absl::StatusOr<Operation> ParseJsonlLine(absl::string_view line, int line_number);
absl::StatusOr<std::vector<Operation>> ParseJsonl(absl::string_view text);

absl::Status WriteJsonlFile(const std::string& path, absl::Span<const Operation> history);
absl::StatusOr<std::vector<Operation>> ReadJsonlFile(const std::string& path);

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_JSONL_H_
