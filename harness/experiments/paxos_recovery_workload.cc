#include "harness/experiments/paxos_recovery_workload.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "paxos/check.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

std::string Us(Duration ns) { return absl::StrFormat("%.1f", ns / 1000.0); }
// Since is `at - from` in microseconds, or "" when `at` never happened.
std::string Since(Time at, Time from) { return at < 0 ? "" : Us(at - from); }

Duration Percentile(std::vector<Duration> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t index = std::min(values.size() - 1, static_cast<size_t>(p * values.size()));
  return values[index];
}

}  // namespace

const char* PaxosScenarioName(PaxosScenario scenario) {
  switch (scenario) {
    case PaxosScenario::kNone:
      return "none";
    case PaxosScenario::kFollowerCrash:
      return "a-follower-crash";
    case PaxosScenario::kLeaderCrash:
      return "b-leader-crash";
    case PaxosScenario::kMemoryFailure:
      return "c-memory-failure";
    case PaxosScenario::kPauseZombie:
      return "d-pause-zombie";
  }
  return "?";
}

int PaxosRecoveryWorkload::FailedMember() const {
  switch (options_.scenario) {
    case PaxosScenario::kNone:
      return -1;
    case PaxosScenario::kLeaderCrash:
      return 0;  // election timeouts are staggered by member index, so member 0 leads first
    case PaxosScenario::kFollowerCrash:
      return options_.service.replicas - 1;
    case PaxosScenario::kMemoryFailure:
    case PaxosScenario::kPauseZombie:
      return 1;
  }
  return -1;
}

absl::Status PaxosRecoveryWorkload::Setup(Simulation& sim) {
  sim_ = &sim;
  paxos::ServiceConfig service = options_.service;
  service.load_until = options_.fault_at + options_.load_after_fault;
  DDC_ASSIGN_OR_RETURN(
      const paxos::Deployment d,
      paxos::Launch(sim, service, paxos::DefaultPlacement(service.replicas), &outcome_));
  const int failed = FailedMember();
  switch (options_.scenario) {
    case PaxosScenario::kNone:
      break;
    case PaxosScenario::kFollowerCrash:
    case PaxosScenario::kLeaderCrash:
      DDC_RETURN_IF_ERROR(sim.CrashCe(d.replica_ces[failed], options_.fault_at));
      break;
    case PaxosScenario::kMemoryFailure: {
      // The replica's pages are bin-packed onto its rack's first ME.
      config::FaultSchedule faults;
      config::MeFault* fault = faults.add_me_faults();
      fault->set_me(absl::StrCat("r", failed, "/me0"));
      fault->set_at_ns(options_.fault_at);
      DDC_RETURN_IF_ERROR(sim.InjectFaults(faults));
      break;
    }
    case PaxosScenario::kPauseZombie:
      DDC_RETURN_IF_ERROR(sim.PauseCe(d.replica_ces[failed], options_.pause, options_.fault_at));
      break;
  }
  return absl::OkStatus();
}

Time PaxosRecoveryWorkload::FullHealthAt() const {
  auto it = outcome_.recovery.find(FailedMember());
  return it == outcome_.recovery.end() ? -1 : it->second.caught_up_at;
}

bool PaxosRecoveryWorkload::Finished() const {
  if (sim_ != nullptr && sim_->Now() >= Horizon()) return true;
  if (outcome_.clients_done < options_.service.clients) return false;
  return FailedMember() < 0 || FullHealthAt() >= 0;
}

bool PaxosRecoveryWorkload::ExpectedFailure(const ProcessFailure&) const { return false; }

absl::Status PaxosRecoveryWorkload::Check(const Simulation&) {
  return paxos::CheckOutcome(outcome_);
}

Duration PaxosRecoveryWorkload::LongestWriteGap() const {
  std::vector<Time> writes;
  for (const paxos::Ack& a : outcome_.acks)
    if (a.write) writes.push_back(a.at);
  std::sort(writes.begin(), writes.end());
  Duration gap = 0;
  for (size_t i = 1; i < writes.size(); ++i) gap = std::max(gap, writes[i] - writes[i - 1]);
  return gap;
}

std::vector<MetricRow> PaxosRecoveryWorkload::Metrics() const {
  const int failed = FailedMember();
  paxos::MemberRecovery r;
  if (auto it = outcome_.recovery.find(failed); it != outcome_.recovery.end()) r = it->second;
  const Time t0 = options_.fault_at;
  // Detection: the first of the standby's notice and a peer's suspicion.
  Time detected = r.detected_at;
  if (r.suspected_at >= 0 && (detected < 0 || r.suspected_at < detected)) detected = r.suspected_at;
  std::vector<Duration> latencies;
  for (const paxos::Ack& a : outcome_.acks) latencies.push_back(a.latency);
  const Time load_end = options_.fault_at + options_.load_after_fault;
  const paxos::ServiceConfig& s = options_.service;
  MetricRow row{
      {"scenario", PaxosScenarioName(options_.scenario)},
      {"sweep", options_.label},
      {"replicas", absl::StrCat(s.replicas)},
      {"state_bytes", absl::StrCat(s.state_bytes)},
      {"heartbeat_us", Us(s.heartbeat_interval)},
      {"election_timeout_us", Us(s.election_timeout())},
      {"recovery", failed < 0 ? "" : paxos::RecoveryName(r.how)},
      {"fault_at_us", Us(t0)},
      {"detect_us", Since(detected, t0)},
      {"standby_told_us", Since(r.detected_at, t0)},
      {"peer_suspect_us", Since(r.suspected_at, t0)},
      {"fence_steal_us", Since(r.stolen_at, t0)},
      {"transfer_us", Since(r.transferred_at, t0)},
      {"resume_us", Since(r.resumed_at, t0)},
      {"full_health_us", Since(r.caught_up_at, t0)},
      {"bytes_copied", absl::StrCat(r.bytes_copied)},
      {"longest_write_gap_us", Us(LongestWriteGap())},
      {"acked_ops", absl::StrCat(outcome_.acks.size())},
      {"throughput_ops_s",
       absl::StrFormat("%.0f", outcome_.acks.size() / (static_cast<double>(load_end) / 1e9))},
      {"p50_us", Us(Percentile(latencies, 0.5))},
      {"p99_us", Us(Percentile(latencies, 0.99))},
      {"client_retries", absl::StrCat(outcome_.client_retries)},
      {"leader_changes", absl::StrCat(outcome_.leader_changes)},
      {"stale_messages", absl::StrCat(outcome_.stale_messages)},
      {"zombie_refusals", absl::StrCat(outcome_.zombie_refusals)},
      {"zombie_effects", absl::StrCat(outcome_.zombie_effects)},
      {"snapshots", absl::StrCat(outcome_.snapshots)},
      {"snapshot_installs", absl::StrCat(outcome_.snapshot_installs)},
  };
  return {row};
}

std::vector<MetricRow> PaxosRecoveryWorkload::IntervalRows() const {
  const Duration step = options_.interval;
  const Time end = options_.fault_at + options_.load_after_fault;
  std::vector<std::vector<Duration>> buckets(static_cast<size_t>((end + step - 1) / step));
  std::vector<int64_t> writes(buckets.size(), 0);
  for (const paxos::Ack& a : outcome_.acks) {
    const size_t b = static_cast<size_t>(a.at / step);
    if (b >= buckets.size()) continue;
    buckets[b].push_back(a.latency);
    writes[b] += a.write;
  }
  std::vector<MetricRow> rows;
  for (size_t b = 0; b < buckets.size(); ++b) {
    rows.push_back({{"scenario", PaxosScenarioName(options_.scenario)},
                    {"sweep", options_.label},
                    {"t_start_us", Us(static_cast<Time>(b) * step)},
                    {"acks", absl::StrCat(buckets[b].size())},
                    {"writes", absl::StrCat(writes[b])},
                    {"throughput_ops_s", absl::StrFormat("%.0f", buckets[b].size() / (step / 1e9))},
                    {"p50_us", Us(Percentile(buckets[b], 0.5))},
                    {"p99_us", Us(Percentile(buckets[b], 0.99))}});
  }
  return rows;
}

}  // namespace ddc::harness
