// Model is the sequential specification a history is checked against: which results each
// operation may give in each state, and how the state changes.
//
// State is an opaque byte string that the model encodes; the checker only copies it, compares
// two states with StatesEqual and hashes them with HashState (for its cache of visited
// configurations). The defaults compare and hash the bytes, which is right whenever the model
// encodes each state canonically, as both models here do.
//
// P-compositionality: Partition may split a history into sub-histories that share no state
// (for a key-value map, one per key). A history is linearizable iff each sub-history is, so the
// checker checks them one by one, which turns one exponential search into many small ones.
//
// Unknown outcomes: for an operation with outcome kUnknown, Step applies whatever effect the
// operation would have had in that state (a cas swaps only if its expectation holds) and
// accepts it. The checker may place such an operation anywhere after its call, or leave it out
// (it never took effect). An unknown operation for which IsReadOnly holds constrains nothing and
// the checker drops it.
//
// Implementations must be deterministic and are called from one thread.
#ifndef DDC_COMMON_LINCHECK_MODEL_H_
#define DDC_COMMON_LINCHECK_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/lincheck/operation.h"

namespace ddc::lincheck {

using State = std::string;

// Subhistory is one partition of a history: the operations at `indices` (into the history, in
// history order). `name` identifies it for programs (the key, for the kv model) and `label` for
// people ("key \"k3\"").
struct Subhistory {
  std::string name;
  std::string label;
  std::vector<size_t> indices;
};

class Model {
 public:
  virtual ~Model() = default;

  // Validate returns INVALID_ARGUMENT when the model cannot interpret `op` (an op type it does
  // not know, an output that op cannot give), naming the operation and the field.
  virtual absl::Status Validate(const Operation& op) const = 0;

  // Partition splits `history` into independent sub-histories, in a deterministic order. Every
  // operation must be in exactly one. The default keeps the history whole.
  virtual std::vector<Subhistory> Partition(absl::Span<const Operation> history) const;

  // Init is the state before any operation.
  virtual State Init() const = 0;

  // Step returns the state after applying (input, output) to `state`, or nullopt when the
  // specification does not allow that output in that state.
  virtual std::optional<State> Step(const State& state, const Input& input,
                                    const Output& output) const = 0;

  // IsReadOnly holds for operations that never change the state (get, read).
  virtual bool IsReadOnly(const Input& input) const = 0;

  virtual bool StatesEqual(const State& a, const State& b) const { return a == b; }
  virtual uint64_t HashState(const State& state) const;

  // DescribeState renders a state for a human, e.g. "\"v\"" or "<missing>".
  virtual std::string DescribeState(const State& state) const = 0;
  // DescribeOperation renders an operation for a human; the default suits the fixed vocabulary.
  virtual std::string DescribeOperation(const Operation& op) const;
};

// Helpers for implementations of Model.

// InvalidOperation is INVALID_ARGUMENT naming the operation: "operation #7 (put): <what>".
absl::Status InvalidOperation(const Operation& op, absl::string_view what);

// OutputValue says when an operation's output carries a value.
enum class OutputValue { kNever, kRequiredWhenOk, kOptionalWhenOk };

// ValidateOutput accepts outcome kUnknown and the outcomes in `allowed`, with output.value
// present as `value` says; INVALID_ARGUMENT otherwise.
absl::Status ValidateOutput(const Operation& op, std::initializer_list<Outcome> allowed,
                            OutputValue value);

// ConditionalStep steps an operation that takes effect only when `applies` holds and reports
// ok when it did, failed when it did not (a cas, an increment): it returns `changed` or
// `unchanged` as the outcome requires, nullopt when the outcome contradicts `applies`, and
// whichever of the two `applies` picks when the outcome is unknown.
std::optional<State> ConditionalStep(bool applies, Outcome outcome, const State& unchanged,
                                     State changed);

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_MODEL_H_
