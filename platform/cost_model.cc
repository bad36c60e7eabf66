#include "platform/cost_model.h"

#include <algorithm>
#include <cmath>

namespace ddc {

Duration TransmissionNs(int64_t bytes, double gbps) {
  // The epsilon keeps exact quotients (e.g. 1250 B at 100 Gb/s = 100 ns) from rounding up.
  return static_cast<Duration>(std::ceil(static_cast<double>(bytes) * 8.0 / gbps - 1e-9));
}

Duration CostModel::MessageOneWayNs(bool same_rack, int64_t bytes) const {
  const Duration latency = (same_rack ? p_.intra_rack_rtt_ns() : p_.cross_rack_rtt_ns()) / 2;
  double slowest = p_.nic_bandwidth_gbps();
  if (!same_rack) slowest = std::min(slowest, p_.tor_uplink_bandwidth_gbps());
  return latency + TransmissionNs(bytes, slowest);
}

}  // namespace ddc
