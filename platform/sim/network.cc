#include "platform/sim/network.h"

#include <algorithm>

namespace ddc::sim {

Network::Network(const Topology& topology, const config::CostModel& cost)
    : topology_(topology),
      intra_one_way_(cost.intra_rack_rtt_ns() / 2),
      cross_one_way_(cost.cross_rack_rtt_ns() / 2),
      num_nic_links_(static_cast<uint32_t>(2 * topology.ces().size())) {
  for (const CeInfo& ce : topology.ces()) {
    links_.push_back({cost.nic_bandwidth_gbps()});
    stats_.push_back({ce.name + ":nic-tx"});
    links_.push_back({cost.nic_bandwidth_gbps()});
    stats_.push_back({ce.name + ":nic-rx"});
  }
  for (const RackInfo& rack : topology.racks()) {
    links_.push_back({cost.tor_uplink_bandwidth_gbps()});
    stats_.push_back({rack.name + ":tor-uplink"});
    links_.push_back({cost.tor_uplink_bandwidth_gbps()});
    stats_.push_back({rack.name + ":tor-downlink"});
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
    path[0] = NicTx(src);
    path[1] = NicRx(dst);
    return 2;
  }
  path[0] = NicTx(src);
  path[1] = Uplink(topology_.ce(src).rack);
  path[2] = Downlink(topology_.ce(dst).rack);
  path[3] = NicRx(dst);
  return 4;
}

Time Network::Transmit(CeId src, CeId dst, int64_t bytes, Time now) {
  uint32_t path[4];
  const int hops = Path(src, dst, path);
  Time head = now;
  Time tail = now;
  for (int i = 0; i < hops; ++i) {
    Link& link = links_[path[i]];
    LinkStats& stats = stats_[path[i]];
    const Time enter = std::max(head, link.free_at);
    const Duration serialize = TransmissionNs(bytes, link.gbps);
    const Time leave = std::max(enter + serialize, tail);
    stats.messages++;
    stats.bytes += static_cast<uint64_t>(bytes);
    stats.busy_ns += serialize;
    stats.queued_ns += enter - head;
    stats.max_queued_ns = std::max(stats.max_queued_ns, enter - head);
    link.free_at = leave;
    head = enter;
    tail = leave;
  }
  return tail + OneWayLatency(src, dst);
}

}  // namespace ddc::sim
