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

namespace ddc {

Duration CostModel::MemoryFetchNs(int64_t bytes) const {
  return 2 * (p_.memory_rtt_ns() / 2) + TransmissionNs(bytes, p_.memory_bandwidth_gbps());
}

Duration CostModel::LocalCopyNs(int64_t bytes) const {
  return p_.local_dram_access_ns() + TransmissionNs(bytes, p_.local_dram_bandwidth_gbps());
}

Duration CostModel::GrantNs(int64_t pages) const {
  return 2 * (p_.memory_rtt_ns() / 2) + pages * p_.mmu_update_per_page_ns();
}

}  // namespace ddc
