#include "platform/sim/memory_fabric.h"

#include <algorithm>

namespace ddc::sim {

MemoryFabric::MemoryFabric(const Topology& topology, const config::CostModel& cost, Links& links,
                           Metrics& metrics)
    : links_(links),
      metrics_(metrics),
      one_way_(cost.memory_rtt_ns() / 2),
      rtt_(2 * (cost.memory_rtt_ns() / 2)) {
  const double gbps = cost.memory_bandwidth_gbps();
  for (const CeInfo& ce : topology.ces()) {
    ce_tx_.push_back(links.Add(ce.name + ":mem-tx", gbps));
    ce_rx_.push_back(links.Add(ce.name + ":mem-rx", gbps));
  }
  for (const MeInfo& me : topology.mes()) {
    me_tx_.push_back(links.Add(me.name + ":port-tx", gbps));
    me_rx_.push_back(links.Add(me.name + ":port-rx", gbps));
  }
  me_busy_until_.assign(topology.mes().size(), 0);
}

Time MemoryFabric::Fetch(CeId ce, MeId me, int64_t bytes, Time now) {
  const uint32_t request[2] = {ce_tx_[Index(ce)], me_rx_[Index(me)]};
  const uint32_t response[2] = {me_tx_[Index(me)], ce_rx_[Index(ce)]};
  const Time at_me = links_.Traverse(request, 2, 0, now) + one_way_;
  metrics_.memory_round_trips++;
  metrics_.memory_bytes += static_cast<uint64_t>(bytes);
  return links_.Traverse(response, 2, bytes, at_me) + one_way_;
}

Time MemoryFabric::Store(CeId ce, MeId me, int64_t bytes, Time now) {
  const uint32_t request[2] = {ce_tx_[Index(ce)], me_rx_[Index(me)]};
  const uint32_t ack[2] = {me_tx_[Index(me)], ce_rx_[Index(ce)]};
  const Time at_me = links_.Traverse(request, 2, bytes, now) + one_way_;
  metrics_.memory_round_trips++;
  metrics_.memory_bytes += static_cast<uint64_t>(bytes);
  return links_.Traverse(ack, 2, 0, at_me) + one_way_;
}

Time MemoryFabric::Control(Time now) {
  metrics_.memory_round_trips++;
  return now + rtt_;
}

Time MemoryFabric::MeCompute(CeId ce, MeId me, Duration work, int64_t response_bytes, Time now) {
  const uint32_t request[2] = {ce_tx_[Index(ce)], me_rx_[Index(me)]};
  const uint32_t response[2] = {me_tx_[Index(me)], ce_rx_[Index(ce)]};
  const Time at_me = links_.Traverse(request, 2, 0, now) + one_way_;
  Time& busy = me_busy_until_[Index(me)];
  busy = std::max(busy, at_me) + work;
  metrics_.memory_round_trips++;
  return links_.Traverse(response, 2, response_bytes, busy) + one_way_;
}

}  // namespace ddc::sim
