// Copy streams: moving the bytes of some pages from one process to another by copying them
// through the network, the only way a transparent rack allows. Used by the transparent shuffle
// (a map attempt pushes a partition to its reducer) and by the input store (a re-executed map
// attempt fetches its split).
//
// The sender is the strongest copy a transparent rack allows, the same pipeline as the `transfer`
// experiment's tuned copy (docs/experiments.md): the bytes are cut into chunks of `chunk` bytes,
// `window` reader threads each read a chunk from memory (through the CE cache: a remote fetch
// when the lines are not cached) and send it as one message, and then read their next chunk, so
// up to `window` reads are in flight while the NIC streams. Never one message per record.
//
// The receiver writes each arriving chunk at its offset in a buffer of its own (one thread per
// chunk, so writes overlap the network). It does not flush: the bytes stay in its CE cache until
// evicted, as a process's ordinary memory does (forcing them to the memory element would only
// make the copy slower).
//
// Contract:
// - StreamRegions sends the bytes of `regions`, concatenated in order, through `send(offset,
//   data)`; it returns when every chunk was read and handed to `send`, with the first error of a
//   read or of `send`. chunk >= 1, window >= 1.
// - ChunkAssembly accepts chunks of one stream (duplicates are ignored) and reports when all
//   `total` bytes are written.
#ifndef DDC_MAPREDUCE_COPY_STREAM_H_
#define DDC_MAPREDUCE_COPY_STREAM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "asio/awaitable.hpp"
#include "platform/memory.h"
#include "platform/process.h"

namespace ddc::mapreduce {

using ChunkSender = std::function<absl::Status(int64_t offset, std::string data)>;

asio::awaitable<absl::Status> StreamRegions(Process& self, std::vector<Region> regions,
                                            int64_t chunk, int window, ChunkSender send);

// ReadConcatenated reads [offset, offset + length) of the concatenation of `regions`.
asio::awaitable<absl::StatusOr<std::string>> ReadConcatenated(Memory& memory,
                                                              const std::vector<Region>& regions,
                                                              int64_t offset, int64_t length);

class ChunkAssembly {
 public:
  ChunkAssembly(Region buffer, int64_t total) : buffer_(buffer), total_(total) {}

  // Accept writes one chunk (call it in a thread of its own so that writes overlap); a chunk
  // seen before, or one that does not fit, is ignored (OK). `written()` counts it when done.
  asio::awaitable<absl::Status> Accept(Memory& memory, int64_t offset, std::string data);
  // Fresh reports whether a chunk at `offset` has not been seen yet, and marks it seen.
  bool Fresh(int64_t offset) { return seen_.insert(offset).second; }

  bool complete() const { return written_ == total_; }
  int64_t written() const { return written_; }
  int64_t total() const { return total_; }
  const Region& buffer() const { return buffer_; }

 private:
  Region buffer_;
  int64_t total_;
  int64_t written_ = 0;
  std::set<int64_t> seen_;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_COPY_STREAM_H_
