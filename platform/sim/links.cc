#include "platform/sim/links.h"

#include <algorithm>

#include "platform/cost_model.h"

namespace ddc::sim {

uint32_t Links::Add(std::string name, double gbps) {
  links_.push_back({gbps});
  stats_.push_back({std::move(name)});
  return static_cast<uint32_t>(links_.size() - 1);
}

Time Links::Traverse(const uint32_t* path, int hops, int64_t bytes, Time now) {
  // Header-only packets (requests, acks, empty messages) are neither serialized nor queued.
  if (bytes == 0) return now;
  Time head = now;
  Time tail = now;
  for (int i = 0; i < hops; ++i) {
    Link& link = links_[path[i]];
    LinkStats& stats = stats_[path[i]];
    const Time enter = std::max(head, link.free_at);
    if (link.memo_bytes != bytes) {
      link.memo_ns = TransmissionNs(bytes, link.gbps);
      link.memo_bytes = bytes;
    }
    const Duration serialize = link.memo_ns;
    const Time leave = std::max(enter + serialize, tail);
    stats.transfers++;
    stats.bytes += static_cast<uint64_t>(bytes);
    stats.busy_ns += serialize;
    stats.queued_ns += enter - head;
    stats.max_queued_ns = std::max(stats.max_queued_ns, enter - head);
    link.free_at = leave;
    head = enter;
    tail = leave;
  }
  return tail;
}

}  // namespace ddc::sim
