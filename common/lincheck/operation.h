// Operation is one client request in a concurrent history: what was asked (Input), what came
// back (Output), and the virtual-time interval [call, ret] in which it was outstanding.
//
// The vocabulary is fixed so that a history can be recorded, written to JSON Lines and read back
// without knowing which model will check it:
//
//   op          model      input fields                output on success
//   read        register   -                           value
//   write       register   value                       -
//   get         kv         key                         value (outcome ok) or outcome not_found
//   put         kv         key, value                  -
//   delete      kv         key                         -
//   cas         both       key, expected, value        - (outcome ok = swapped, failed = not)
//   increment   kv         key, delta                  optionally the new value (decimal)
//
// The exact semantics of each op belong to the model (register_model.h, kv_model.h).
//
// Unknown outcomes. A client that timed out does not know whether its request took effect. Such
// an operation has outcome kUnknown and ret == kInfiniteTime: it may have taken effect at any
// point after its call, or never. Models accept any result for it.
//
// Intervals are closed: an operation returning at t and one called at t are concurrent.
#ifndef DDC_COMMON_LINCHECK_OPERATION_H_
#define DDC_COMMON_LINCHECK_OPERATION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "platform/types.h"

namespace ddc::lincheck {

enum class OpType : uint8_t { kRead, kWrite, kGet, kPut, kDelete, kCas, kIncrement };

enum class Outcome : uint8_t {
  kOk,        // the operation took effect (a get found the key; a cas swapped)
  kNotFound,  // a get found no such key
  kFailed,    // a cas whose expectation did not hold; an increment of a non-integer
  kUnknown,   // the client never learned the result (timeout)
};

struct Input {
  OpType type = OpType::kGet;
  std::string key;    // kv ops; empty for register ops
  std::string value;  // write, put, cas: the value to store
  // cas only: the value the key must hold for the swap to happen; nullopt means "the key must
  // be missing" (create if absent). Register cas always has a value here.
  std::optional<std::string> expected;
  int64_t delta = 0;  // increment only
};

struct Output {
  Outcome outcome = Outcome::kOk;
  // read/get with outcome ok: the value seen. increment with outcome ok: the new value in
  // decimal, when the client learned it. Absent otherwise.
  std::optional<std::string> value;
};

struct Operation {
  int64_t id = 0;      // unique within a history; used in explanations and JSONL
  int64_t client = 0;  // who issued it; informational
  Input input;
  Output output;
  Time call = 0;
  Time ret = 0;  // kInfiniteTime exactly when output.outcome == kUnknown
};

// Names as used in JSONL and in messages ("get", "not_found", ...).
absl::string_view OpTypeName(OpType type);
std::optional<OpType> ParseOpType(absl::string_view name);
absl::string_view OutcomeName(Outcome outcome);
std::optional<Outcome> ParseOutcome(absl::string_view name);

// Quote renders bytes as a double-quoted C-escaped string, readable whatever the bytes are.
std::string Quote(absl::string_view bytes);

// DescribeOperation renders one operation for a human, e.g.
//   #12 client 3 [100ns, 250ns] put("k", "v") -> ok
//   #13 client 1 [90ns, never returned] cas("k", "a" => "b") -> unknown
std::string DescribeOperation(const Operation& op);

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_OPERATION_H_
