// The input store: the replica of the job's input that a task re-executed from scratch reads
// (HDFS's other replica). It loads every split into its own memory before the job starts and
// tells the orchestrator (which starts the job only then), and serves FetchSplitRequest by
// streaming the split's bytes in pipelined chunks (copy_stream.h), as SplitChunk messages. Launched
// only when the policy can run a task from scratch (transparent recovery, speculation).
#ifndef DDC_MAPREDUCE_INPUT_STORE_H_
#define DDC_MAPREDUCE_INPUT_STORE_H_

#include <memory>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "mapreduce/context.h"
#include "platform/process.h"

namespace ddc::mapreduce {

asio::awaitable<absl::Status> RunInputStore(Process& self, std::shared_ptr<const JobContext> job);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_INPUT_STORE_H_
