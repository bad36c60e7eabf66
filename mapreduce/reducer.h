// The reducer: a process that receives its partition of every map task's output, merges the
// sorted runs (partition.h), calls the job's reducer once per key, and writes the output as
// records in whole ME pages (common/durable PageWriter, the output writer).
//
// Receiving. Exposed: a map attempt grants the partition's pages and sends PartitionReady; the
// reducer reads the pages where they lie, at the addresses the map attempt wrote them at.
// Transparent: the map attempt asks the reducer to reserve a buffer (PrepareCopy), streams the
// page images as PartitionChunks (each written by a thread of its own, so writes overlap the
// network) and ends with PartitionReady; the reducer reads its copy. A second PartitionReady for a
// map task (a re-executed map) is ignored: every attempt's output is the same.
//
// When it holds every map task's partition it reports PartitionsHeld and waits for ReduceNow (a
// phase barrier, so that shuffle and reduce times are measured apart); it then reduces, flushes
// its output and reports ReduceDone. Its output records are staged in the job's outcome; the
// orchestrator presents them only when the whole job succeeded.
#ifndef DDC_MAPREDUCE_REDUCER_H_
#define DDC_MAPREDUCE_REDUCER_H_

#include <memory>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "mapreduce/context.h"
#include "platform/process.h"

namespace ddc::mapreduce {

asio::awaitable<absl::Status> RunReducer(Process& self, std::shared_ptr<const JobContext> job,
                                         int partition);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_REDUCER_H_
