// The map worker: a process on one CE that loads its split before the job starts and then runs
// the map attempts the orchestrator assigns to it, one at a time (a spare starts with no split).
//
// A map attempt (StartMap) gets its input by its origin: LOAD (the split this worker loaded),
// REPLICA (copied from the input store, from scratch) or STEAL (the victim worker's memory, taken
// with Memory::Steal, which fences the victim; the attempt resumes from the checkpoint the victim
// published). It maps the input in chunks, buffers the emitted pairs, and spills them sorted into
// one PageWriter per reduce partition (spill.h); after every spill it appends a checkpoint (input
// offset, every partition's page-writer progress and runs, counters; checkpoint.h), so a
// checkpoint never names output that is not durable. When the split is done it reports MapDone
// with its partitions' manifests and, once told to Shuffle, ships every partition to its reducer:
// by grant and a control message (exposed) or by a pipelined copy (transparent; copy_stream.h).
//
// A worker whose memory was stolen (a zombie) finds its next memory access or send refused with
// PERMISSION_DENIED and exits quietly: its thief speaks for the task now.
#ifndef DDC_MAPREDUCE_MAP_WORKER_H_
#define DDC_MAPREDUCE_MAP_WORKER_H_

#include <memory>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "mapreduce/context.h"
#include "platform/process.h"

namespace ddc::mapreduce {

asio::awaitable<absl::Status> RunMapWorker(Process& self, std::shared_ptr<const JobContext> job);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_MAP_WORKER_H_
