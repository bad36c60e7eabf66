#include "harness/experiments/kv_rebalance_workload.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/lincheck/checker.h"
#include "common/lincheck/jsonl.h"
#include "common/lincheck/kv_model.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

std::string Fixed(double value) { return absl::StrFormat("%.1f", value); }

}  // namespace

absl::Status KvRebalanceWorkload::Setup(Simulation& sim) {
  Simulation* simulation = &sim;
  outcome_.observer.on_phase = [this, simulation](const std::string& phase) {
    if (phase == "rebalance-start") at_start_ = simulation->metrics();
    if (phase == "rebalance-end") at_end_ = simulation->metrics();
  };
  return kvstore::LaunchCluster(sim, case_.cluster, &outcome_).status();
}

absl::Status KvRebalanceWorkload::Check(const Simulation& sim) {
  ended_at_ = sim.Now();
  DDC_RETURN_IF_ERROR(outcome_.observer.ownership);
  const absl::Status& migration = outcome_.observer.migration;
  if (!migration.ok() && !absl::IsCancelled(migration)) return migration;
  if (!case_.cluster.record_history) return absl::OkStatus();
  if (!case_.history_path.empty()) {
    DDC_RETURN_IF_ERROR(outcome_.history.WriteJsonl(case_.history_path));
  }
  DDC_ASSIGN_OR_RETURN(lincheck::CheckResult result,
                       lincheck::Check(lincheck::KvModel(), outcome_.history.Operations()));
  if (result.verdict == lincheck::Verdict::kIllegal) {
    for (const lincheck::PartitionResult& partition : result.partitions) {
      if (partition.verdict == lincheck::Verdict::kIllegal) {
        return absl::DataLossError(absl::StrCat(case_.name, ": ", partition.explanation));
      }
    }
  }
  checked_history_ = result.verdict == lincheck::Verdict::kOk;
  return absl::OkStatus();
}

Duration KvRebalanceWorkload::RebalanceTime() const {
  const kvstore::MigrationProgress& p = outcome_.observer.progress;
  return p.started_at >= 0 && p.finished_at >= 0 ? p.finished_at - p.started_at : 0;
}

double KvRebalanceWorkload::ThroughputBefore() const {
  int64_t ops = 0;
  Time first = kInfiniteTime;
  for (const kvstore::ClientReport& client : outcome_.clients) {
    ops += client.before.count();
    if (client.first_op_at >= 0) first = std::min(first, client.first_op_at);
  }
  const Time start = outcome_.observer.progress.started_at;
  const Time end = start >= 0 ? start : ended_at_;
  if (first == kInfiniteTime || end <= first) return 0;
  return static_cast<double>(ops) * 1e9 / static_cast<double>(end - first);
}

double KvRebalanceWorkload::ThroughputDuring() const {
  int64_t ops = 0;
  for (const kvstore::ClientReport& client : outcome_.clients) ops += client.during.count();
  const Duration time = RebalanceTime();
  return time > 0 ? static_cast<double>(ops) * 1e9 / static_cast<double>(time) : 0;
}

std::optional<KvRebalanceWorkload::Latencies> KvRebalanceWorkload::ClientLatencies() const {
  Latencies merged;
  for (const kvstore::ClientReport& client : outcome_.clients) {
    if (!merged.before.Merge(client.before).ok() || !merged.during.Merge(client.during).ok())
      return std::nullopt;
  }
  return merged;
}

std::vector<MetricRow> KvRebalanceWorkload::Metrics() const {
  const kvstore::ClusterObserver& o = outcome_.observer;
  const kvstore::MigrationProgress& p = o.progress;
  const std::optional<Latencies> latencies = ClientLatencies();
  const bool merged = latencies.has_value();  // NA below if the histograms could not merge
  const Histogram before = merged ? latencies->before : Histogram();
  const Histogram during = merged ? latencies->during : Histogram();
  int64_t asks = 0;
  int64_t tryagain = 0;
  int64_t moved = 0;
  int64_t errors = 0;
  int64_t ops = 0;
  for (const kvstore::ClientReport& client : outcome_.clients) {
    asks += client.counters.asks;
    tryagain += client.counters.tryagain;
    moved += client.counters.moved;
    errors += client.errors;
    ops += client.ops;
  }
  const kvstore::ClusterOptions& c = case_.cluster;
  return {{
      {"case", case_.name},
      {"plan", std::string(kvstore::PlanName(c.plan))},
      {"mix", std::string(kvstore::YcsbMixName(c.mix))},
      {"load_pct",
       c.open_loop ? absl::StrCat(static_cast<int>(case_.load_fraction * 100)) : "closed"},
      {"method", kvstore::Method_Name(c.migration.method)},
      {"records", absl::StrCat(c.record_count)},
      {"value_bytes", absl::StrCat(c.value_bytes)},
      {"data_bytes", absl::StrCat(o.preloaded_bytes)},
      {"offered_ops_per_s", c.open_loop ? Fixed(c.total_rate_per_s) : "NA"},
      {"migration",
       o.migration.ok() ? "ok" : std::string(absl::StatusCodeToString(o.migration.code()))},
      {"rebalance_ns", absl::StrCat(RebalanceTime())},
      {"slots_moved", absl::StrCat(p.slots_moved)},
      {"keys_moved", absl::StrCat(p.keys_moved)},
      {"bytes_moved", absl::StrCat(p.bytes_moved)},
      {"migration_wire_bytes", absl::StrCat(p.wire_bytes)},
      {"network_bytes_window", absl::StrCat(at_end_.bytes_sent - at_start_.bytes_sent)},
      {"memory_bytes_window", absl::StrCat(at_end_.memory_bytes - at_start_.memory_bytes)},
      {"memory_round_trips_window",
       absl::StrCat(at_end_.memory_round_trips - at_start_.memory_round_trips)},
      {"pages_granted", absl::StrCat(at_end_.pages_granted - at_start_.pages_granted)},
      {"round_trips", absl::StrCat(p.round_trips)},
      {"analytic_round_trips", c.migration.method == kvstore::LEGACY
                                   ? Fixed(kvstore::LegacyAnalyticRoundTrips(
                                         p.slots_moved, p.keys_moved, c.migration.keys_per_batch))
                                   : "NA"},
      {"peak_mapped_bytes", absl::StrCat(o.peak_mapped_bytes)},
      {"pauses", absl::StrCat(p.pauses)},
      {"longest_pause_ns", absl::StrCat(p.longest_pause)},
      {"total_pause_ns", absl::StrCat(p.total_pause)},
      {"client_ops", absl::StrCat(ops)},
      {"client_errors", absl::StrCat(errors)},
      {"ask_redirects", absl::StrCat(asks)},
      {"moved_redirects", absl::StrCat(moved)},
      {"multikey_tryagain", absl::StrCat(tryagain)},
      {"ops_per_s_before", Fixed(ThroughputBefore())},
      {"ops_per_s_during", Fixed(ThroughputDuring())},
      {"p50_before_ns", merged ? absl::StrCat(before.p50()) : "NA"},
      {"p99_before_ns", merged ? absl::StrCat(before.p99()) : "NA"},
      {"p50_during_ns", merged ? absl::StrCat(during.p50()) : "NA"},
      {"p99_during_ns", merged ? absl::StrCat(during.p99()) : "NA"},
      {"p999_during_ns", merged ? absl::StrCat(during.p999()) : "NA"},
      {"history_checked", checked_history_ ? "yes" : "no"},
  }};
}

}  // namespace ddc::harness
