// CheckpointLog: a map attempt's crash-consistent progress, published in the rack namespace so
// that another process can find it after stealing the attempt's memory.
//
//   DDC_CO_ASSIGN_OR_RETURN(CheckpointLog log,
//                           co_await CheckpointLog::Create(memory, CheckpointName("wc", 3, 0)));
//   DDC_CO_RETURN_IF_ERROR(co_await log.Write(checkpoint));     // durable when OK
//   ...  // in the thief, after Steal:
//   DDC_CO_ASSIGN_OR_RETURN(RecoveredCheckpoint found,
//                           co_await CheckpointLog::Recover(memory, CheckpointName("wc", 3, 0)));
//
// Contract:
// - A checkpoint is "an input offset plus the output pages written so far" (MapCheckpoint in
//   mapreduce.proto: the offset, every partition's page-writer progress and runs, the counters,
//   and where the split lies). Write returns OK only when it is durable; the previous one is
//   then dropped.
// - Recover, run by a process that owns the log's pages (a thief), returns the last checkpoint
//   written durably, never a torn one, and makes the caller the log's writer. NOT_FOUND when no
//   log is published under the name; FAILED_PRECONDITION when the log holds no checkpoint.
// - The log is a common/durable DurableLog: every record checksummed, its root found through the
//   namespace. Each checkpoint is complete, so recovery reads one record.
#ifndef DDC_MAPREDUCE_CHECKPOINT_H_
#define DDC_MAPREDUCE_CHECKPOINT_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "common/durable/log.h"
#include "mapreduce/mapreduce.pb.h"
#include "platform/memory.h"

namespace ddc::mapreduce {

// CheckpointName is the namespace name of a map attempt's checkpoint log.
std::string CheckpointName(const std::string& job, int map_task, int attempt);

struct RecoveredCheckpoint;

class CheckpointLog {
 public:
  static constexpr int64_t kCapacityBytes = 1 << 20;

  static asio::awaitable<absl::StatusOr<CheckpointLog>> Create(Memory& memory, std::string name);
  static asio::awaitable<absl::StatusOr<RecoveredCheckpoint>> Recover(Memory& memory,
                                                                      std::string name);

  asio::awaitable<absl::Status> Write(const MapCheckpoint& checkpoint);
  std::vector<Region> Regions() const { return log_.Regions(); }

 private:
  explicit CheckpointLog(durable::DurableLog log) : log_(std::move(log)) {}
  durable::DurableLog log_;
};

struct RecoveredCheckpoint {
  CheckpointLog log;
  MapCheckpoint checkpoint;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_CHECKPOINT_H_
