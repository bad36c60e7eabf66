#include "platform/copy_model.h"

#include <algorithm>
#include <vector>

namespace ddc {
namespace {

// Hop is a pair of equal-bandwidth FIFO links traversed cut-through (a port's transmit link and
// the next port's receive link).
struct Hop {
  Time first_free = 0;
  Time second_free = 0;
  Time Cross(Time ready, Duration serialize) {
    const Time enter = std::max(ready, first_free);
    first_free = enter + serialize;
    const Time enter_second = std::max(enter, second_free);
    second_free = std::max(enter_second + serialize, first_free);
    return second_free;
  }
};

}  // namespace

Duration CopyPipelineNs(
    const CostModel& m, int64_t bytes, int64_t chunk, int window, int64_t line,
    absl::FunctionRef<int64_t(int64_t offset, int64_t length)> chunk_wire_bytes) {
  const config::CostModel& p = m.params();
  const Duration mem_one_way = p.memory_rtt_ns() / 2;
  const Duration net_one_way = p.intra_rack_rtt_ns() / 2;
  Hop fetch, network, flush;
  std::vector<Time> read_done;
  Time done = 0;
  for (int64_t offset = 0, k = 0; offset < bytes; offset += chunk, ++k) {
    const int64_t c = std::min(chunk, bytes - offset);
    const int64_t line_bytes = (c + line - 1) / line * line;
    const Time issue = k < window ? 0 : read_done[static_cast<size_t>(k - window)];
    const Time fetched =
        fetch.Cross(issue + mem_one_way, TransmissionNs(line_bytes, p.memory_bandwidth_gbps())) +
        mem_one_way;
    read_done.push_back(std::max(fetched, issue + m.LocalCopyNs(c)));
    const Time arrival = network.Cross(read_done.back(), TransmissionNs(chunk_wire_bytes(offset, c),
                                                                        p.nic_bandwidth_gbps())) +
                         net_one_way;
    // A chunk that ends inside a line (only a transfer smaller than one line) makes the receiver
    // fetch that line before writing into it; whole lines are overwritten in place.
    const Duration write =
        c % line == 0 ? m.LocalCopyNs(c) : std::max(m.MemoryFetchNs(line_bytes), m.LocalCopyNs(c));
    const Time written = arrival + write;
    const Time flushed =
        flush.Cross(written, TransmissionNs(line_bytes, p.memory_bandwidth_gbps())) +
        2 * mem_one_way;
    done = std::max(done, flushed);
  }
  return done;
}

}  // namespace ddc
