// Experiment `paxos-recovery`: the Multi-Paxos store of paxos/ (3 replicas in 3 racks by default,
// a standby CE in each replica's rack, clients and a checkpoint store in a fourth rack) under a
// closed-loop load of puts and gets, with one failure per run, in both modes on the same seed:
//
//   (a) a follower's CE dies      (b) the leader's CE dies
//   (c) the ME under a live follower dies
//   (d) a follower's CE pauses past the rack monitor's verdict, is stolen from, and wakes up
//
// Transparent mode detects by Paxos timeouts and recovers by replacement + state transfer from a
// peer (and, as a second baseline, from a checkpoint store in another rack + log replay);
// exposed mode detects by the rack monitor (or the forwarded memory failure) and recovers by a
// steal and reincarnation (or, for (c), replacement without waiting for a timeout).
//
// Files:
//   paxos_recovery.csv            one row per (scenario, mode, baseline): recovery phases from
//                                 the fault, longest write gap, throughput, p50/p99
//   paxos_recovery_intervals.csv  one row per interval of virtual time per run
//   paxos_recovery_state.csv      time to full health against state size and page size (b):
//                                 page steal, address-space steal (memory.steal_granularity),
//                                 peer transfer, checkpoint
//   paxos_recovery_timeouts.csv   (b) with etcd's timeouts (100 ms / 1000 ms) and aggressive ones
//   paxos_recovery_detection.csv  (b) detection time against the monitor's interval and beats
//   paxos_history.<run>.jsonl     every client history (with --set paxos-recovery.histories=1)
//
// Parameters (--set paxos-recovery.<name>=N):
//   replicas (3), state_mib (1), sweep (1: quick sweeps; 0: scenarios only; 2: the documented
//   larger sweeps, up to state_max_mib), state_max_mib (1024), histories (0).
#include <algorithm>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/experiment.h"
#include "harness/experiments/paxos_recovery_workload.h"
#include "harness/output.h"
#include "harness/workload.h"
#include "platform/cost_model.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr char kReplicas[] = "paxos-recovery.replicas";
constexpr char kStateMib[] = "paxos-recovery.state_mib";
constexpr char kSweep[] = "paxos-recovery.sweep";
constexpr char kStateMaxMib[] = "paxos-recovery.state_max_mib";
constexpr char kHistories[] = "paxos-recovery.histories";
constexpr char kSnapshotInterval[] = "paxos-recovery.snapshot_interval";

// The largest message the replicas exchange on the critical path: an ACCEPT of a full batch.
constexpr int64_t kLargestMessageBytes = 16 * 120;

std::string Ms(Duration ns) { return absl::StrFormat("%.2f ms", ns / 1e6); }

// Aggressive applies the fair-timeouts rule to the cross-rack path between replicas.
paxos::ServiceConfig Aggressive(const PlatformConfig& platform, paxos::ServiceConfig s) {
  const FailureTimeouts fair = CostModel(platform.cost_model())
                                   .AggressiveTimeouts(/*same_rack=*/false, kLargestMessageBytes);
  s.heartbeat_interval = fair.heartbeat_interval;
  s.election_ticks = static_cast<int>((fair.failure_timeout + fair.heartbeat_interval - 1) /
                                      fair.heartbeat_interval);
  s.client_timeout = s.election_timeout();
  return s;
}

// Etcd uses etcd's default timeouts: a heartbeat every 100 ms, an election after 1000 ms.
paxos::ServiceConfig Etcd(paxos::ServiceConfig s) {
  s.heartbeat_interval = Milliseconds(100);
  s.election_ticks = 10;
  s.client_timeout = s.election_timeout();
  s.think_time = Milliseconds(1);  // keeps a seconds-long run's history checkable
  return s;
}

struct Runner {
  const ExperimentContext& ctx;
  bool histories = false;
  int runs = 0;

  ExperimentContext With(const PlatformConfig& config) const {
    ExperimentContext c = ctx;
    c.config = config;
    return c;
  }

  absl::Status SaveHistory(const PaxosRecoveryWorkload& w, Mode mode,
                           const PaxosRecoveryOptions& o) {
    if (!histories) return absl::OkStatus();
    // One file per run: scenario, sweep point (its '/' made file-name safe), mode, recovery.
    std::string point = o.label;
    std::replace(point.begin(), point.end(), '/', '_');
    const char* recovery =
        mode == Mode::kExposed ? "steal" : paxos::RecoveryName(o.service.transparent_recovery);
    return w.outcome().history.WriteJsonl(
        absl::StrCat(ctx.out_dir, "/paxos_history.", PaxosScenarioName(o.scenario), ".", point, ".",
                     ModeName(mode), ".", recovery, ".jsonl"));
  }

  // Both runs `options` in transparent and exposed mode, adding rows to `table` (and interval
  // rows to `intervals` when given). Returns the exposed and transparent workloads.
  absl::StatusOr<BothModes<PaxosRecoveryWorkload>> Both(const PlatformConfig& config,
                                                        const PaxosRecoveryOptions& options,
                                                        CsvTable& table, CsvTable* intervals) {
    ExperimentContext c = With(config);
    DDC_ASSIGN_OR_RETURN(
        auto both,
        RunInBothModes<PaxosRecoveryWorkload>(
            c, [&](Mode) { return std::make_unique<PaxosRecoveryWorkload>(options); }, table));
    runs += 2;
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      const PaxosRecoveryWorkload& w = mode == Mode::kExposed ? *both.exposed : *both.transparent;
      DDC_RETURN_IF_ERROR(SaveHistory(w, mode, options));
      if (intervals != nullptr) AddIntervals(*intervals, mode, w);
    }
    return both;
  }

  // One runs `options` in one mode.
  absl::StatusOr<std::unique_ptr<PaxosRecoveryWorkload>> One(const PlatformConfig& config,
                                                             const PaxosRecoveryOptions& options,
                                                             Mode mode, CsvTable& table,
                                                             CsvTable* intervals) {
    auto w = std::make_unique<PaxosRecoveryWorkload>(options);
    DDC_RETURN_IF_ERROR(RunAndTabulate(With(config), mode, *w, table));
    ++runs;
    DDC_RETURN_IF_ERROR(SaveHistory(*w, mode, options));
    if (intervals != nullptr) AddIntervals(*intervals, mode, *w);
    return w;
  }

  // Checkpoint runs the transparent checkpoint-restore baseline.
  absl::StatusOr<std::unique_ptr<PaxosRecoveryWorkload>> Checkpoint(const PlatformConfig& config,
                                                                    PaxosRecoveryOptions options,
                                                                    CsvTable& table,
                                                                    CsvTable* intervals) {
    options.service.transparent_recovery = paxos::Recovery::kCheckpoint;
    return One(config, options, Mode::kTransparent, table, intervals);
  }

  static void AddIntervals(CsvTable& table, Mode mode, const PaxosRecoveryWorkload& w) {
    for (const MetricRow& row : w.IntervalRows()) {
      std::vector<std::string> header{"mode"};
      std::vector<std::string> cells{std::string(ModeName(mode))};
      for (const auto& [name, value] : row) {
        header.push_back(name);
        cells.push_back(value);
      }
      if (table.empty()) table.SetHeader(std::move(header));
      table.AddCells(std::move(cells));
    }
  }
};

class PaxosRecoveryExperiment final : public Experiment {
 public:
  absl::string_view name() const override { return "paxos-recovery"; }
  absl::string_view description() const override {
    return "a Multi-Paxos KV store across follower, leader, memory and pause failures: Paxos "
           "timeouts + state transfer or checkpoint restore (transparent) vs rack monitor + "
           "steal and reincarnation (exposed); phases, write gaps, sweeps of state size, "
           "timeouts and monitor settings";
  }
  std::vector<std::string> parameters() const override {
    return {kReplicas, kStateMib, kSweep, kStateMaxMib, kHistories, kSnapshotInterval};
  }

  absl::StatusOr<ExperimentResult> Run(const ExperimentContext& ctx) override {
    DDC_ASSIGN_OR_RETURN(const int64_t replicas, ctx.IntParam(kReplicas, 3));
    DDC_ASSIGN_OR_RETURN(const int64_t state_mib, ctx.IntParam(kStateMib, 1));
    DDC_ASSIGN_OR_RETURN(const int64_t sweep, ctx.IntParam(kSweep, 1));
    DDC_ASSIGN_OR_RETURN(const int64_t state_max_mib, ctx.IntParam(kStateMaxMib, 1024));
    DDC_ASSIGN_OR_RETURN(const int64_t histories, ctx.IntParam(kHistories, 0));
    DDC_ASSIGN_OR_RETURN(
        const int64_t snapshot_interval,
        ctx.IntParam(kSnapshotInterval,
                     static_cast<int64_t>(paxos::ServiceConfig().snapshot_interval)));
    if (snapshot_interval < 0)
      return absl::InvalidArgumentError(absl::StrCat(
          "--set ", kSnapshotInterval, ": must be >= 0 (0: never), got ", snapshot_interval));
    if (replicas < 3 || replicas > 7 || replicas % 2 == 0)
      return absl::InvalidArgumentError(
          absl::StrCat("--set ", kReplicas, ": must be 3, 5 or 7, got ", replicas));
    if (state_mib < 0 || state_mib > 4096)
      return absl::InvalidArgumentError(
          absl::StrCat("--set ", kStateMib, ": must be in [0, 4096], got ", state_mib));
    if (sweep < 0 || sweep > 2)
      return absl::InvalidArgumentError(
          absl::StrCat("--set ", kSweep, ": must be 0, 1 or 2, got ", sweep));

    Runner runner{ctx, histories != 0};
    const PlatformConfig base = paxos::StoreConfig(ctx.config, static_cast<int>(replicas));
    PaxosRecoveryOptions options;
    options.service.replicas = static_cast<int>(replicas);
    options.service.state_bytes = state_mib << 20;
    options.service.snapshot_interval = static_cast<uint64_t>(snapshot_interval);
    options.service = Aggressive(base, options.service);
    options.label = "main";
    // A pause three verdicts long: the monitor declares the CE dead, the standby steals, then
    // the zombie wakes.
    options.pause = 3 * base.monitor().heartbeat_interval_ns() * base.monitor().missed_beats();

    // 1. The four scenarios in both modes, plus the checkpoint baseline.
    CsvTable table;
    CsvTable intervals;
    Time exposed_health = -1;
    Time transparent_health = -1;
    std::vector<Finding> findings;
    for (PaxosScenario scenario : {PaxosScenario::kFollowerCrash, PaxosScenario::kLeaderCrash,
                                   PaxosScenario::kMemoryFailure, PaxosScenario::kPauseZombie}) {
      options.scenario = scenario;
      DDC_ASSIGN_OR_RETURN(auto both, runner.Both(base, options, table, &intervals));
      if (scenario == PaxosScenario::kLeaderCrash) {
        exposed_health = both.exposed->FullHealthAt();
        transparent_health = both.transparent->FullHealthAt();
      }
      AddFindings(scenario, options, *both.transparent, *both.exposed, base, findings);
      if (scenario != PaxosScenario::kPauseZombie) {
        DDC_RETURN_IF_ERROR(runner.Checkpoint(base, options, table, &intervals).status());
      }
    }
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "paxos_recovery.csv", table.Render()));
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "paxos_recovery_intervals.csv", intervals.Render()));

    if (sweep >= 1) {
      DDC_RETURN_IF_ERROR(Sweeps(runner, base, options, sweep, state_max_mib, findings));
    }

    const Time t0 = options.fault_at;
    return ExperimentResult{
        absl::StrCat(runner.runs, " runs; leader crash, time to full health: exposed (steal) ",
                     exposed_health < 0 ? "never" : Ms(exposed_health - t0),
                     ", transparent (peer transfer) ",
                     transparent_health < 0 ? "never" : Ms(transparent_health - t0)),
        std::move(findings)};
  }

 private:
  // AddFindings reports, from one scenario's two runs, what bears on C5 (time to full health),
  // C6 (detection; the clients' longest write gap) and C7 (peers' suspicion of a member whose
  // memory died). A phase that never happened within the run's budget counts as the budget.
  static void AddFindings(PaxosScenario scenario, const PaxosRecoveryOptions& options,
                          const PaxosRecoveryWorkload& t, const PaxosRecoveryWorkload& e,
                          const PlatformConfig& base, std::vector<Finding>& findings) {
    const Time t0 = options.fault_at;
    auto ms = [&](Time at) { return (at < 0 ? options.recovery_budget : at - t0) / 1e6; };
    auto recovery = [](const PaxosRecoveryWorkload& w) {
      const auto it = w.outcome().recovery.find(w.FailedMember());
      return it == w.outcome().recovery.end() ? paxos::MemberRecovery{} : it->second;
    };
    const paxos::MemberRecovery rt = recovery(t), re = recovery(e);
    const std::string where = scenario == PaxosScenario::kLeaderCrash     ? "leader"
                              : scenario == PaxosScenario::kFollowerCrash ? "follower"
                                                                          : "";
    if (!where.empty()) {
      const double th = ms(t.FullHealthAt()), eh = ms(e.FullHealthAt());
      findings.push_back(
          {"C5",
           absl::StrCat("a ", where, "'s compute dies: time from the fault to full health (",
                        options.service.state_bytes >> 20, " MiB of state)"),
           "ms", th, eh, eh < th,
           absl::StrFormat("exposed: detection by the rack monitor, a steal of the replica's "
                           "pages and reincarnation; transparent: detection by the fair Paxos "
                           "timeouts and a pipelined state transfer from a peer (%lld bytes)",
                           static_cast<long long>(rt.bytes_copied))});
      const double td = ms(rt.suspected_at), ed = ms(re.suspected_at);
      findings.push_back(
          {"C6", absl::StrCat("a ", where, "'s compute dies: time until a peer suspects it"), "ms",
           td, ed, ed < td,
           absl::StrFormat("the monitor needs %d missed beats of %.3f ms; the fair Paxos timeout "
                           "(10 heartbeats of the cross-rack RTT) fires first unless the monitor "
                           "beats faster",
                           base.monitor().missed_beats(),
                           base.monitor().heartbeat_interval_ns() / 1e6)});
      if (scenario == PaxosScenario::kLeaderCrash) {
        findings.push_back({"C6", "a leader's compute dies: the clients' longest write gap", "ms",
                            t.LongestWriteGap() / 1e6, e.LongestWriteGap() / 1e6,
                            e.LongestWriteGap() < t.LongestWriteGap(),
                            "clients see only failed calls and retry; the gap spans detection, "
                            "election and the first commit"});
      }
    }
    if (scenario == PaxosScenario::kMemoryFailure) {
      const double ts = ms(rt.suspected_at), es = ms(re.suspected_at);
      findings.push_back({"C7", "an ME under a live follower dies: time until a peer suspects it",
                          "ms", ts, es, es < ts,
                          "exposed: the OS forwards the memory failure to the emergency contacts "
                          "(the peers); transparent: the replica dies with its memory and the "
                          "peers wait for their timeouts"});
      const double th = ms(t.FullHealthAt()), eh = ms(e.FullHealthAt());
      findings.push_back({"C7", "an ME under a live follower dies: time to full health", "ms", th,
                          eh, eh < th,
                          "both replace the member by state transfer; the exposed replacement "
                          "starts at the forwarded notice instead of after the timeout"});
    }
  }

  static absl::Status Sweeps(Runner& runner, const PlatformConfig& base,
                             PaxosRecoveryOptions options, int64_t sweep, int64_t state_max_mib,
                             std::vector<Finding>& findings) {
    options.scenario = PaxosScenario::kLeaderCrash;
    // State size (and page size): time to full health.
    CsvTable state;
    std::vector<int64_t> sizes = {1, 16, 64};
    if (sweep >= 2) sizes = {1, 16, 64, 256, 1024};
    int64_t largest = 0;  // the largest size this sweep runs
    for (int64_t mib : sizes) {
      if (mib <= state_max_mib) largest = mib;
    }
    for (int64_t page : {int64_t{4096}, int64_t{2} << 20}) {
      PlatformConfig config = base;
      config.mutable_memory()->set_page_size(page);
      for (int64_t mib : sizes) {
        if (mib > state_max_mib) continue;
        PaxosRecoveryOptions o = options;
        o.service.state_bytes = mib << 20;
        o.label = absl::StrCat(mib, "MiB/", page >= (1 << 20) ? "2MiB" : "4KiB", "-pages");
        o.load_after_fault = Milliseconds(20);
        o.recovery_budget = Seconds(2);
        // The fault comes after the replicas' setup, whose allocation costs one MMU update per
        // page (so the sweep measures recovery, not a crash during setup).
        const int64_t pages = (o.service.state_bytes + o.service.log_bytes) / page + 1;
        o.fault_at = Milliseconds(20) + 2 * pages * config.cost_model().mmu_update_per_page_ns();
        DDC_ASSIGN_OR_RETURN(auto both, runner.Both(config, o, state, nullptr));
        DDC_RETURN_IF_ERROR(runner.Checkpoint(config, o, state, nullptr).status());
        // C5 at the largest state of each page size: where reincarnation pays off.
        if (mib == largest) {
          const auto health = [&](const PaxosRecoveryWorkload& w) {
            const Time at = w.FullHealthAt();
            return (at < 0 ? o.recovery_budget : at - o.fault_at) / 1e6;
          };
          const double t = health(*both.transparent), e = health(*both.exposed);
          findings.push_back(
              {"C5",
               absl::StrCat("a leader's compute dies with ", mib, " MiB of state on ",
                            page >= (1 << 20) ? "2 MiB" : "4 KiB",
                            " pages: time from the fault to full health"),
               "ms", t, e, e < t,
               "the steal costs one MMU update per page and the monitor's verdict; the state "
               "transfer costs the bytes at link rate and the Paxos timeout"});
        }
        // The address-space steal (a platform extension beyond the paper, config
        // memory.steal_granularity): the same exposed run, the whole space handed over with one
        // MMU update per ME.
        PlatformConfig whole = config;
        whole.mutable_memory()->set_steal_granularity(config::MemoryConfig::ADDRESS_SPACE);
        PaxosRecoveryOptions as = o;
        as.label += "/address-space-steal";
        DDC_RETURN_IF_ERROR(runner.One(whole, as, Mode::kExposed, state, nullptr).status());
      }
    }
    DDC_RETURN_IF_ERROR(WriteFile(runner.ctx.out_dir, "paxos_recovery_state.csv", state.Render()));

    // Paxos timeouts: etcd's defaults against the aggressive rule.
    CsvTable timeouts;
    {
      PaxosRecoveryOptions o = options;
      o.label = "aggressive";
      DDC_RETURN_IF_ERROR(runner.Both(base, o, timeouts, nullptr).status());
      o.service = Etcd(o.service);
      o.label = "etcd-defaults";
      o.fault_at = Milliseconds(2500);
      o.load_after_fault = Milliseconds(2500);
      o.recovery_budget = Seconds(4);
      o.interval = Milliseconds(10);
      DDC_RETURN_IF_ERROR(runner.Both(base, o, timeouts, nullptr).status());
    }
    DDC_RETURN_IF_ERROR(
        WriteFile(runner.ctx.out_dir, "paxos_recovery_timeouts.csv", timeouts.Render()));

    // Detection: the rack monitor's interval and missed beats against the Paxos timeout.
    CsvTable detection;
    struct MonitorSetting {
      Duration interval;
      int missed;
    };
    std::vector<MonitorSetting> settings = {{Milliseconds(2), 5},   {Microseconds(500), 5},
                                            {Microseconds(100), 5}, {Microseconds(45), 5},
                                            {Microseconds(20), 5},  {Microseconds(20), 2}};
    if (sweep >= 2) {
      settings.push_back({Milliseconds(2), 2});
      settings.push_back({Microseconds(200), 3});
      settings.push_back({Microseconds(5), 5});
    }
    for (const MonitorSetting& m : settings) {
      PlatformConfig config = base;
      config.mutable_monitor()->set_heartbeat_interval_ns(m.interval);
      config.mutable_monitor()->set_missed_beats(m.missed);
      PaxosRecoveryOptions o = options;
      o.label = absl::StrCat("monitor-", m.interval / 1000, "us-x", m.missed);
      o.pause = 3 * m.interval * m.missed;
      DDC_RETURN_IF_ERROR(runner.Both(config, o, detection, nullptr).status());
    }
    return WriteFile(runner.ctx.out_dir, "paxos_recovery_detection.csv", detection.Render());
  }
};

}  // namespace

std::unique_ptr<Experiment> MakePaxosRecoveryExperiment() {
  return std::make_unique<PaxosRecoveryExperiment>();
}

}  // namespace ddc::harness
