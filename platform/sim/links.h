// Links is the set of point-to-point links of the simulated data center (NICs, ToR uplinks,
// memory-interconnect ports) and the one queueing rule they all follow.
//
// Internal to platform/.
//
// Timing (cut-through, FIFO per link): the head of a transfer enters link i at
// s_i = max(s_{i-1}, free_i); its tail leaves at f_i = max(s_i + size/bw_i, f_{i-1}); the link is
// then busy until f_i. On an idle path of equal bandwidths a transfer therefore takes exactly
// size/bandwidth (plus the caller's propagation latency); on busy links it queues.
//
// Header-only transfers (0 bytes: memory requests, acks, empty messages) neither queue nor occupy
// a link: real fabrics keep such packets off the data queues (virtual lanes, priorities), and
// charging them behind megabytes of data would model head-of-line blocking that does not happen.
#ifndef DDC_PLATFORM_SIM_LINKS_H_
#define DDC_PLATFORM_SIM_LINKS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "platform/types.h"

namespace ddc::sim {

struct LinkStats {
  std::string name;
  uint64_t transfers = 0;
  uint64_t bytes = 0;
  Duration busy_ns = 0;
  Duration queued_ns = 0;  // sum over transfers of the wait before entering this link
  Duration max_queued_ns = 0;
};

class Links {
 public:
  // Add registers a link and returns its index.
  uint32_t Add(std::string name, double gbps);

  // Traverse reserves `path` for `bytes` starting at `now` and returns when the tail leaves the
  // last link (propagation latency is the caller's to add).
  Time Traverse(const uint32_t* path, int hops, int64_t bytes, Time now);

  double gbps(uint32_t link) const { return links_[link].gbps; }
  const std::vector<LinkStats>& stats() const { return stats_; }

 private:
  struct Link {
    double gbps;
    Time free_at = 0;
    int64_t memo_bytes = -1;  // TransmissionNs(memo_bytes, gbps) == memo_ns
    Duration memo_ns = 0;
  };
  std::vector<Link> links_;
  std::vector<LinkStats> stats_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_LINKS_H_
