// State transfer: copying a replica's bulk state to a replacement in chunks, with a window of
// requests in flight so that the copy runs at link rate (the transparent baselines' best).
//
// The requester sends StateChunkRequests one way and keeps `window` outstanding; the source
// answers each with a StateChunk one way (ServeStateChunks). Chunks are written into the
// requester's region as they arrive; a request with no answer for `timeout` is sent again.
#ifndef DDC_PAXOS_STATE_TRANSFER_H_
#define DDC_PAXOS_STATE_TRANSFER_H_

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "platform/memory.h"
#include "platform/process.h"

namespace ddc::paxos {

// FetchState copies `into.length` bytes from `source` into `into`, flushed when it returns OK.
asio::awaitable<absl::Status> FetchState(Process& self, ProcessId source, Region into,
                                         int64_t chunk_bytes, int window, Duration timeout);

// ServeStateChunks makes this process answer StateChunkRequests from `bulk` (a Serve handler).
// A read refused because the process was fenced or its memory died answers nothing (the
// requester's timeout resends).
void ServeStateChunks(Process& self, Region bulk);

}  // namespace ddc::paxos

#endif  // DDC_PAXOS_STATE_TRANSFER_H_
