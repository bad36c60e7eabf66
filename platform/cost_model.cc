#include "platform/cost_model.h"

#include <algorithm>
#include <cmath>

namespace ddc {
namespace {

// Clamp maps an exact (non-overflowed) result into [0, kMaxDuration].
Duration Clamp(Duration d) { return std::clamp<Duration>(d, 0, kMaxDuration); }

}  // namespace

Duration SaturatingAdd(Duration a, Duration b) {
  Duration sum;
  if (__builtin_add_overflow(a, b, &sum)) return a < 0 ? 0 : kMaxDuration;
  return Clamp(sum);
}

Duration SaturatingMul(int64_t count, Duration each) {
  Duration product;
  if (__builtin_mul_overflow(count, each, &product)) {
    return (count < 0) != (each < 0) ? 0 : kMaxDuration;
  }
  return Clamp(product);
}

Duration TransmissionNs(int64_t bytes, double gbps) {
  if (bytes <= 0) return 0;
  if (!(gbps > 0)) return kMaxDuration;
  // The epsilon keeps exact quotients (e.g. 1250 B at 100 Gb/s = 100 ns) from rounding up.
  const double ns = std::ceil(static_cast<double>(bytes) * 8.0 / gbps - 1e-9);
  // Converting a double beyond int64's range is undefined behaviour, so the comparison comes
  // first; kMaxDuration (2^60) is exact in a double.
  if (!(ns < static_cast<double>(kMaxDuration))) return kMaxDuration;
  return std::max<Duration>(static_cast<Duration>(ns), 0);
}

Duration CostModel::MessageOneWayNs(bool same_rack, int64_t bytes) const {
  const Duration latency = (same_rack ? p_.intra_rack_rtt_ns() : p_.cross_rack_rtt_ns()) / 2;
  double slowest = p_.nic_bandwidth_gbps();
  if (!same_rack) slowest = std::min(slowest, p_.tor_uplink_bandwidth_gbps());
  return SaturatingAdd(latency, TransmissionNs(bytes, slowest));
}

Duration CostModel::MemoryFetchNs(int64_t bytes) const {
  return SaturatingAdd(2 * (p_.memory_rtt_ns() / 2),
                       TransmissionNs(bytes, p_.memory_bandwidth_gbps()));
}

Duration CostModel::LocalCopyNs(int64_t bytes) const {
  return SaturatingAdd(p_.local_dram_access_ns(),
                       TransmissionNs(bytes, p_.local_dram_bandwidth_gbps()));
}

Duration CostModel::GrantNs(int64_t pages) const {
  return SaturatingAdd(2 * (p_.memory_rtt_ns() / 2),
                       SaturatingMul(pages, p_.mmu_update_per_page_ns()));
}

FailureTimeouts CostModel::AggressiveTimeouts(bool same_rack,
                                              int64_t largest_message_bytes) const {
  const Duration rtt = MessageRttNs(same_rack, largest_message_bytes, largest_message_bytes);
  return {rtt, SaturatingMul(10, rtt)};
}

}  // namespace ddc
