// MemoryFabric is the cost model of the memory interconnect between compute elements, memory
// elements and the Rack MMU.
//
// Internal to platform/.
//
// Each CE and each ME has a port with a transmit and a receive link of memory_bandwidth_gbps
// (queueing as in links.h); the one-way latency is memory_rtt_ns / 2. A fetch is a request with
// no payload followed by the page data; a store carries the page data and returns an ack; a
// control operation (a Rack MMU call) is one round trip without page data. Each ME also has one
// processing unit for ME-side work (checksums), which serializes that work.
#ifndef DDC_PLATFORM_SIM_MEMORY_FABRIC_H_
#define DDC_PLATFORM_SIM_MEMORY_FABRIC_H_

#include <vector>

#include "platform/config.pb.h"
#include "platform/metrics.h"
#include "platform/sim/links.h"
#include "platform/topology.h"
#include "platform/types.h"

namespace ddc::sim {

class MemoryFabric {
 public:
  // The fabric counts its round trips and page bytes in `metrics`.
  MemoryFabric(const Topology& topology, const config::CostModel& cost, Links& links,
               Metrics& metrics);

  // Fetch returns when `bytes` requested at `now` from `me` have arrived at `ce`.
  Time Fetch(CeId ce, MeId me, int64_t bytes, Time now);
  // Store returns when `bytes` sent at `now` from `ce` are acknowledged by `me`.
  Time Store(CeId ce, MeId me, int64_t bytes, Time now);
  // Control returns when a Rack MMU round trip started at `now` completes.
  Time Control(Time now);
  // MeCompute sends a request from `ce` at `now`, runs `work` on the ME's processing unit
  // (serialized with other ME-side work), and returns when the `response_bytes` reply arrives.
  Time MeCompute(CeId ce, MeId me, Duration work, int64_t response_bytes, Time now);

  Duration rtt() const { return rtt_; }

 private:
  Links& links_;
  Metrics& metrics_;
  Duration one_way_;
  Duration rtt_;
  std::vector<uint32_t> ce_tx_, ce_rx_, me_tx_, me_rx_;
  std::vector<Time> me_busy_until_;
};

}  // namespace ddc::sim

#endif  // DDC_PLATFORM_SIM_MEMORY_FABRIC_H_
