// KvModel: a map from byte-string keys to byte-string values. Keys are independent, so the model
// partitions a history per key (P-compositionality, see model.h) and each sub-history is checked
// against the state of a single key: missing, or present with a value.
//
// Semantics of each operation on key k (every op may also have outcome unknown, see model.h):
//
//   get(k)                 present: outcome ok with the value; missing: outcome not_found.
//   put(k, v)              outcome ok; k holds v.
//   delete(k)              outcome ok whether or not k was present; k is missing.
//   cas(k, e => v)         when `expected` e is a value, the swap happens iff k is present and
//                          holds exactly e (so an expected "" does NOT match a missing key, only
//                          a present empty value); when `expected` is absent (nullopt), iff k is
//                          missing (create-if-absent). Swap: k holds v, outcome ok. Otherwise k
//                          is unchanged and the outcome is failed.
//   increment(k, d)        k missing counts as 0. k's value must be a decimal int64 ('-'
//                          optional, then one or more ASCII digits, nothing else) and the sum
//                          must fit in an int64: then k holds the sum in canonical decimal
//                          (no '+', no leading zeros), outcome ok, and the output value, when
//                          given, must equal that decimal. Otherwise k is unchanged and the
//                          outcome is failed.
//
// Unknown outcomes: a put or delete may or may not have happened; a cas or increment may have
// happened (only if its condition held then) or not; an unknown get constrains nothing and is
// dropped by the checker.
#ifndef DDC_COMMON_LINCHECK_KV_MODEL_H_
#define DDC_COMMON_LINCHECK_KV_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/lincheck/model.h"

namespace ddc::lincheck {

class KvModel : public Model {
 public:
  absl::Status Validate(const Operation& op) const override;
  // One sub-history per key, in increasing byte order of the keys; name = the key.
  std::vector<Subhistory> Partition(absl::Span<const Operation> history) const override;
  State Init() const override;  // the key is missing
  std::optional<State> Step(const State& state, const Input& input,
                            const Output& output) const override;
  bool IsReadOnly(const Input& input) const override { return input.type == OpType::kGet; }
  std::string DescribeState(const State& state) const override;
};

// ParseInteger parses a value as increment does (see above); nullopt when it is not one.
std::optional<int64_t> ParseInteger(absl::string_view value);

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_KV_MODEL_H_
