// HistoryRecorder records what clients asked and what they got back, in virtual time, so that
// the history can be checked (checker.h) or saved as JSON Lines (jsonl.h).
//
//   HistoryRecorder recorder;
//   CallHandle put = recorder.Call(/*client=*/1, Input{.type = OpType::kPut, .key = "k",
//                                                       .value = "v"}, now);
//   ...
//   DDC_RETURN_IF_ERROR(recorder.Return(put, Output{.outcome = Outcome::kOk}, later));
//   // or, when the client gives up waiting:
//   DDC_RETURN_IF_ERROR(recorder.MarkUnknown(put));
//   absl::StatusOr<CheckResult> result = Check(KvModel(), recorder.Operations());
//
// Operations get ids 0, 1, 2, ... in call order. A call that is neither returned nor marked
// unknown when the history is taken counts as unknown: the client never learned its result.
//
// Not thread-safe (the simulator is single-threaded). Each call is O(1) amortized.
#ifndef DDC_COMMON_LINCHECK_HISTORY_H_
#define DDC_COMMON_LINCHECK_HISTORY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/lincheck/operation.h"
#include "platform/types.h"

namespace ddc::lincheck {

// CallHandle names a recorded call until its completion is recorded.
struct CallHandle {
  int64_t index = -1;
};

class HistoryRecorder {
 public:
  // Call records that `client` issued `input` at virtual time `at`.
  CallHandle Call(int64_t client, Input input, Time at);

  // Return records the output the client received at `at`. INVALID_ARGUMENT for a handle this
  // recorder did not give, an unknown outcome (use MarkUnknown) or `at` before the call or
  // infinite; FAILED_PRECONDITION when the call was already returned or marked unknown.
  absl::Status Return(CallHandle handle, Output output, Time at);

  // MarkUnknown records that the client will never learn the outcome (it timed out): the
  // operation may take effect at any time after its call, or never. Errors as for Return.
  absl::Status MarkUnknown(CallHandle handle);

  int64_t size() const { return static_cast<int64_t>(ops_.size()); }

  // Operations is the history so far, in call order, ready for Check.
  const std::vector<Operation>& Operations() const { return ops_; }

  // WriteJsonl saves Operations() as JSON Lines (jsonl.h).
  absl::Status WriteJsonl(const std::string& path) const;

 private:
  absl::Status Complete(CallHandle handle, Output output, Time at);

  // Every operation is stored as unknown from its call on; completing it overwrites that.
  std::vector<Operation> ops_;
  std::vector<bool> completed_;
};

}  // namespace ddc::lincheck

#endif  // DDC_COMMON_LINCHECK_HISTORY_H_
