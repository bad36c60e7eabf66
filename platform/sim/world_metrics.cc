// The metrics CSV: every counter of Metrics, then the statistics of every link that carried
// traffic, as "metric,value" rows in a fixed order (docs/experiments.md lists them).
#include "absl/strings/str_cat.h"
#include "platform/sim/world.h"

namespace ddc::sim {

std::string World::MetricsCsv() const {
  std::string out = "metric,value\n";
  auto row = [&out](absl::string_view name, auto value) {
    absl::StrAppend(&out, name, ",", value, "\n");
  };
  const Metrics& m = metrics_;
  row("virtual_time_ns", kernel_.now());
  row("events", kernel_.events_run());
  row("messages_sent", m.messages_sent);
  row("messages_delivered", m.messages_delivered);
  row("bytes_sent", m.bytes_sent);
  row("bytes_delivered", m.bytes_delivered);
  row("dropped_by_fault", m.dropped_by_fault);
  row("dropped_by_partition", m.dropped_by_partition);
  row("dropped_dead_destination", m.dropped_dead_destination);
  row("dropped_dead_source", m.dropped_dead_source);
  row("duplicated", m.duplicated);
  row("delayed", m.delayed);
  row("calls_reset", m.calls_reset);
  row("late_replies", m.late_replies);
  row("processes_spawned", m.processes_spawned);
  row("process_launches", m.process_launches);
  row("process_failures", m.process_failures);
  row("ce_crashes", m.ce_crashes);
  row("ce_restarts", m.ce_restarts);
  row("ce_pauses", m.ce_pauses);
  row("compute_ns", m.compute_ns);
  row("cache_hits", m.cache_hits);
  row("cache_misses", m.cache_misses);
  row("writebacks", m.writebacks);
  row("writeback_failures", m.writeback_failures);
  row("memory_round_trips", m.memory_round_trips);
  row("memory_bytes", m.memory_bytes);
  row("grants", m.grants);
  row("pages_granted", m.pages_granted);
  row("steals", m.steals);
  row("pages_stolen", m.pages_stolen);
  row("mmu_pages_updated", m.mmu_pages_updated);
  row("me_failures", m.me_failures);
  row("processes_killed_by_memory_failure", m.processes_killed_by_memory_failure);
  row("memory_failure_reports", m.memory_failure_reports);
  row("memory_failure_forwards", m.memory_failure_forwards);
  row("monitor_detections", m.monitor_detections);
  row("death_notices", m.death_notices);
  row("dropped_by_fence", m.dropped_by_fence);
  row("redirected", m.redirected);
  row("trace_events_dropped", tracer_.dropped());
  for (const LinkStats& link : links_.stats()) {
    if (link.transfers == 0) continue;
    row(link.name + ".transfers", link.transfers);
    row(link.name + ".bytes", link.bytes);
    row(link.name + ".busy_ns", link.busy_ns);
    row(link.name + ".queued_ns", link.queued_ns);
    row(link.name + ".max_queued_ns", link.max_queued_ns);
  }
  return out;
}

}  // namespace ddc::sim
