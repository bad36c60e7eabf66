// Network is the message cost model: one-way latency plus size / bandwidth, with FIFO
// serialization on every link a message crosses.
//
// Internal to platform/.
//
// Links: each CE has a NIC transmit link and a NIC receive link to its ToR; each rack's ToR has
// an uplink (out of the rack) and a downlink (into the rack). An intra-rack message crosses
// [src NIC tx, dst NIC rx]; a cross-rack one crosses [src NIC tx, src uplink, dst downlink,
// dst NIC rx]. Messages between processes on the same CE also go through the ToR, which keeps the
// model conservative and simple.
//
// Timing (cut-through, FIFO per link): the head of a message enters link i at
// s_i = max(s_{i-1}, free_i); the tail leaves it at f_i = max(s_i + size/bw_i, f_{i-1}); the link
// is then busy until f_i. The message arrives at f_last + one-way latency. On an idle path of equal
// bandwidths this is exactly latency + size/bandwidth; when links are busy, messages queue, so
// incast at a receiver's NIC builds a queue.
#ifndef DDC_PLATFORM_SIM_NETWORK_H_
#define DDC_PLATFORM_SIM_NETWORK_H_

#include <string>
#include <vector>

#include "platform/config.pb.h"
#include "platform/cost_model.h"
#include "platform/topology.h"
#include "platform/types.h"

namespace ddc::sim {

struct LinkStats {
  std::string name;
  uint64_t messages = 0;
  uint64_t bytes = 0;
  Duration busy_ns = 0;
  Duration queued_ns = 0;      // sum over messages of the wait before entering this link
  Duration max_queued_ns = 0;
};

class Network {
 public:
  Network(const Topology& topology, const config::CostModel& cost);

  // Transmit reserves the path from src to dst for a message of `bytes` sent at `now` and returns
  // its arrival time.
  Time Transmit(CeId src, CeId dst, int64_t bytes, Time now);

  // OneWayLatency is half the configured RTT of the path between two CEs.
  Duration OneWayLatency(CeId src, CeId dst) const;
  bool SameRack(CeId a, CeId b) const;

  const std::vector<LinkStats>& links() const { return stats_; }

 private:
  struct Link {
    double gbps;
    Time free_at = 0;
  };
  int Path(CeId src, CeId dst, uint32_t (&path)[4]) const;
  uint32_t NicTx(CeId ce) const { return 2 * Index(ce); }
  uint32_t NicRx(CeId ce) const { return 2 * Index(ce) + 1; }
  uint32_t Uplink(RackId r) const { return num_nic_links_ + 2 * Index(r); }
  uint32_t Downlink(RackId r) const { return num_nic_links_ + 2 * Index(r) + 1; }

  const Topology& topology_;
  Duration intra_one_way_;
  Duration cross_one_way_;
  uint32_t num_nic_links_;
  std::vector<Link> links_;
  std::vector<LinkStats> stats_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_NETWORK_H_
