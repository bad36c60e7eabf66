// Network is the message cost model of the data-center network: one-way latency plus
// size / bandwidth, with FIFO serialization on every link a message crosses (see links.h).
//
// Internal to platform/.
//
// Each CE has a NIC transmit and a NIC receive link to its ToR; each rack's ToR has an uplink
// (out of the rack) and a downlink (into the rack). An intra-rack message crosses
// [src NIC tx, dst NIC rx]; a cross-rack one [src NIC tx, src uplink, dst downlink, dst NIC rx].
// Messages between processes on the same CE also go through the ToR, which keeps the model
// conservative and simple. Incast at a receiver's NIC builds a queue.
#ifndef DDC_PLATFORM_SIM_NETWORK_H_
#define DDC_PLATFORM_SIM_NETWORK_H_

#include <vector>

#include "platform/config.pb.h"
#include "platform/sim/links.h"
#include "platform/topology.h"
#include "platform/types.h"

namespace ddc::sim {

class Network {
 public:
  Network(const Topology& topology, const config::CostModel& cost, Links& links);

  // Transmit reserves the path from src to dst for a message of `bytes` sent at `now` and returns
  // its arrival time.
  Time Transmit(CeId src, CeId dst, int64_t bytes, Time now);

  // OneWayLatency is half the configured RTT of the path between two CEs.
  Duration OneWayLatency(CeId src, CeId dst) const;
  bool SameRack(CeId a, CeId b) const;

 private:
  int Path(CeId src, CeId dst, uint32_t (&path)[4]) const;

  const Topology& topology_;
  Links& links_;
  Duration intra_one_way_;
  Duration cross_one_way_;
  std::vector<uint32_t> nic_tx_;  // by CE
  std::vector<uint32_t> nic_rx_;
  std::vector<uint32_t> uplink_;  // by rack
  std::vector<uint32_t> downlink_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_NETWORK_H_
