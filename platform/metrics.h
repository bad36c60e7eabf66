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
  uint64_t dropped_dead_source = 0;  // sends from unwinding frames of crashed processes
  uint64_t duplicated = 0;
  uint64_t delayed = 0;
  uint64_t calls_reset = 0;   // calls in flight failed because their callee failed, exited,
                              // was stolen from or was relaunched (a connection reset)
  uint64_t late_replies = 0;  // replies that found no waiting call (deadline passed, reset)
  uint64_t processes_spawned = 0;
  uint64_t process_launches = 0;
  uint64_t process_failures = 0;  // processes that failed (an error status or an exception)
  uint64_t ce_crashes = 0;
  uint64_t ce_restarts = 0;
  uint64_t ce_pauses = 0;
  int64_t compute_ns = 0;  // virtual CPU time charged, after speed and slowdown scaling

  // Memory.
  uint64_t memory_round_trips = 0;  // requests over the memory interconnect (fetch, store, MMU)
  uint64_t memory_bytes = 0;        // page data moved over the memory interconnect
  uint64_t cache_hits = 0;          // pages found in the CE cache
  uint64_t cache_misses = 0;        // pages fetched from an ME
  uint64_t writebacks = 0;          // dirty pages written back (flush, evict, eviction)
  uint64_t writeback_failures = 0;  // evicted dirty pages an ME refused (fenced or failed)
  uint64_t grants = 0;
  uint64_t pages_granted = 0;
  uint64_t steals = 0;
  uint64_t pages_stolen = 0;
  uint64_t mmu_pages_updated = 0;  // page-table entries written by the Rack MMU
  uint64_t me_failures = 0;
  uint64_t processes_killed_by_memory_failure = 0;  // transparent mode
  uint64_t memory_failure_reports = 0;              // failures that reached a process's CE OS
  uint64_t memory_failure_forwards = 0;             // notices sent to emergency contacts
  uint64_t monitor_detections = 0;                  // CEs the rack monitor declared dead
  uint64_t death_notices = 0;                       // ProcessDeathNotices sent to standbys

  // ToR rules installed by steals.
  uint64_t dropped_by_fence = 0;
  uint64_t redirected = 0;
};

}  // namespace ddc

#endif  // DDC_PLATFORM_METRICS_H_
