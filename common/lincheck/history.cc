#include "common/lincheck/history.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/lincheck/jsonl.h"

namespace ddc::lincheck {

CallHandle HistoryRecorder::Call(int64_t client, Input input, Time at) {
  const int64_t index = size();
  Operation& op = ops_.emplace_back();
  op.id = index;
  op.client = client;
  op.input = std::move(input);
  op.output.outcome = Outcome::kUnknown;
  op.call = at;
  op.ret = kInfiniteTime;
  completed_.push_back(false);
  return CallHandle{.index = index};
}

absl::Status HistoryRecorder::Return(CallHandle handle, Output output, Time at) {
  if (output.outcome == Outcome::kUnknown) {
    return absl::InvalidArgumentError("Return with an unknown outcome: use MarkUnknown");
  }
  if (at == kInfiniteTime) return absl::InvalidArgumentError("Return at infinite time");
  return Complete(handle, std::move(output), at);
}

absl::Status HistoryRecorder::MarkUnknown(CallHandle handle) {
  Output unknown;
  unknown.outcome = Outcome::kUnknown;
  return Complete(handle, std::move(unknown), kInfiniteTime);
}

absl::Status HistoryRecorder::Complete(CallHandle handle, Output output, Time at) {
  if (handle.index < 0 || handle.index >= size()) {
    return absl::InvalidArgumentError(absl::StrCat("no call with handle ", handle.index));
  }
  Operation& op = ops_[handle.index];
  if (completed_[handle.index]) {
    return absl::FailedPreconditionError(
        absl::StrCat("operation #", op.id, " was already completed"));
  }
  if (at < op.call) {
    return absl::InvalidArgumentError(absl::StrCat("operation #", op.id, " returns at ", at,
                                                   "ns, before its call at ", op.call, "ns"));
  }
  op.output = std::move(output);
  op.ret = at;
  completed_[handle.index] = true;
  return absl::OkStatus();
}

absl::Status HistoryRecorder::WriteJsonl(const std::string& path) const {
  return WriteJsonlFile(path, ops_);
}

}  // namespace ddc::lincheck
