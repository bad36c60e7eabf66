#include "mapreduce/checkpoint.h"

#include "absl/strings/str_cat.h"
#include "platform/status_macros.h"

namespace ddc::mapreduce {

std::string CheckpointName(const std::string& job, int map_task, int attempt) {
  return absl::StrCat("mapreduce/", job, "/map-", map_task, ".", attempt, "/checkpoint");
}

asio::awaitable<absl::StatusOr<CheckpointLog>> CheckpointLog::Create(Memory& memory,
                                                                     std::string name) {
  DDC_CO_ASSIGN_OR_RETURN(durable::DurableLog log,
                          co_await durable::DurableLog::Create(memory, kCapacityBytes));
  DDC_CO_RETURN_IF_ERROR(co_await memory.Publish(std::move(name), log.root()));
  co_return CheckpointLog(std::move(log));
}

asio::awaitable<absl::StatusOr<RecoveredCheckpoint>> CheckpointLog::Recover(Memory& memory,
                                                                            std::string name) {
  DDC_CO_ASSIGN_OR_RETURN(const VirtAddr root, co_await memory.Lookup(name));
  DDC_CO_ASSIGN_OR_RETURN(durable::DurableLog log,
                          co_await durable::DurableLog::Open(memory, root));
  durable::LogReader reader = log.NewReader();
  std::optional<std::string> last;
  for (;;) {
    DDC_CO_ASSIGN_OR_RETURN(std::optional<durable::LogRecord> record, co_await reader.Next());
    if (!record) break;
    last = std::move(record->data);
  }
  if (!last) {
    co_return absl::FailedPreconditionError(
        absl::StrCat("checkpoint log \"", name, "\" holds no checkpoint"));
  }
  MapCheckpoint checkpoint;
  if (!checkpoint.ParseFromString(*last)) {
    co_return absl::DataLossError(
        absl::StrCat("checkpoint log \"", name, "\": its last record is not a checkpoint"));
  }
  co_return RecoveredCheckpoint{CheckpointLog(std::move(log)), std::move(checkpoint)};
}

asio::awaitable<absl::Status> CheckpointLog::Write(const MapCheckpoint& checkpoint) {
  // The new record starts at the current tail; once it is durable, the older ones are dropped.
  const uint64_t start = log_.tail();
  const std::string bytes = checkpoint.SerializeAsString();
  absl::StatusOr<uint64_t> appended = co_await log_.Append(bytes);
  DDC_CO_RETURN_IF_ERROR(appended.status());
  if (start > log_.head()) DDC_CO_RETURN_IF_ERROR(co_await log_.Truncate(start));
  co_return absl::OkStatus();
}

}  // namespace ddc::mapreduce
