// Metrics are the per-run counters of a simulation. Per-link counters live in LinkMetrics, in
// topology order. All are deterministic functions of (config, seed).
#ifndef DDC_PLATFORM_METRICS_H_
#define DDC_PLATFORM_METRICS_H_

#include <cstdint>

namespace ddc {

struct Metrics {
  uint64_t messages_sent = 0;
  uint64_t messages_delivered = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_delivered = 0;
  uint64_t dropped_by_fault = 0;
  uint64_t dropped_by_partition = 0;
  uint64_t dropped_dead_destination = 0;
  uint64_t duplicated = 0;
  uint64_t delayed = 0;
  uint64_t processes_spawned = 0;
  uint64_t process_launches = 0;
  uint64_t process_failures = 0;  // threads that ended with an exception
  uint64_t ce_crashes = 0;
  uint64_t ce_restarts = 0;
  int64_t compute_ns = 0;  // virtual CPU time charged, after speed and slowdown scaling
};

}  // namespace ddc

#endif  // DDC_PLATFORM_METRICS_H_
