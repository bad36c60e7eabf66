// CopyPipelineNs is the analytic model of the strongest copy-based transfer a transparent rack
// allows (experiment `transfer`, claim C1): N bytes read through the sender's CE cache from
// remote memory in chunks, several reads in flight, each chunk sent over the network, and written
// and flushed into the receiver's remote memory as it arrives. Tests check the simulator against
// it to the nanosecond.
//
// The pipeline is replayed on idle links with the FIFO rule of docs/cost-model.md: chunk k is
// read when the reader that owns it (k mod window) finished its previous chunk; the fetch's data
// crosses the ME port and the CE port (cut-through), and the read completes when both the fetch
// and the local copy are done; each chunk then crosses the sender's and the receiver's NIC; the
// receiver copies it into its cache and flushes it, the flush crossing the receiver's CE port and
// the ME port. Memory moves in cache lines (memory.cache_line_bytes), so a chunk costs its size
// rounded up to whole lines; header-only packets cost latency only.
#ifndef DDC_PLATFORM_COPY_MODEL_H_
#define DDC_PLATFORM_COPY_MODEL_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "platform/cost_model.h"

namespace ddc {

// CopyPipelineNs predicts moving `bytes` in chunks of `chunk` bytes with `window` reads in flight
// and cache lines of `line` bytes; `chunk_wire_bytes(offset, length)` is what one chunk's message
// weighs on the network.
Duration CopyPipelineNs(
    const CostModel& model, int64_t bytes, int64_t chunk, int window, int64_t line,
    absl::FunctionRef<int64_t(int64_t offset, int64_t length)> chunk_wire_bytes);

}  // namespace ddc

#endif  // DDC_PLATFORM_COPY_MODEL_H_
