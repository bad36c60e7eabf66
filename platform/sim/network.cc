#include "platform/sim/network.h"

namespace ddc::sim {

Network::Network(const Topology& topology, const config::CostModel& cost, Links& links)
    : topology_(topology),
      links_(links),
      intra_one_way_(cost.intra_rack_rtt_ns() / 2),
      cross_one_way_(cost.cross_rack_rtt_ns() / 2) {
  for (const CeInfo& ce : topology.ces()) {
    nic_tx_.push_back(links.Add(ce.name + ":nic-tx", cost.nic_bandwidth_gbps()));
    nic_rx_.push_back(links.Add(ce.name + ":nic-rx", cost.nic_bandwidth_gbps()));
  }
  for (const RackInfo& rack : topology.racks()) {
    uplink_.push_back(links.Add(rack.name + ":tor-uplink", cost.tor_uplink_bandwidth_gbps()));
    downlink_.push_back(links.Add(rack.name + ":tor-downlink", cost.tor_uplink_bandwidth_gbps()));
  }
}

bool Network::SameRack(CeId a, CeId b) const {
  return topology_.ce(a).rack == topology_.ce(b).rack;
}

Duration Network::OneWayLatency(CeId src, CeId dst) const {
  return SameRack(src, dst) ? intra_one_way_ : cross_one_way_;
}

int Network::Path(CeId src, CeId dst, uint32_t (&path)[4]) const {
  if (SameRack(src, dst)) {
    path[0] = nic_tx_[Index(src)];
    path[1] = nic_rx_[Index(dst)];
    return 2;
  }
  path[0] = nic_tx_[Index(src)];
  path[1] = uplink_[Index(topology_.ce(src).rack)];
  path[2] = downlink_[Index(topology_.ce(dst).rack)];
  path[3] = nic_rx_[Index(dst)];
  return 4;
}

Time Network::Transmit(CeId src, CeId dst, int64_t bytes, Time now) {
  uint32_t path[4];
  const int hops = Path(src, dst, path);
  return links_.Traverse(path, hops, bytes, now) + OneWayLatency(src, dst);
}

}  // namespace ddc::sim
