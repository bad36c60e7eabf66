// Experiment `mapreduce-straggler` (claims C3, C4): a TeraSort whose map task 0 is slowed 2x, 5x
// or 10x once it reached 25 %, 50 % or 75 % of its split (a SlowCe of its worker's CE at the time
// the no-straggler run of the same mode reached that point), or whose compute element crashes
// there. Policies:
//
//   transparent  none          wait for the straggler (a crash: relaunch from scratch once the
//                              fair heartbeat timeout fires)
//   transparent  speculation   Spark/LATE detection; a copy from scratch on a spare, its split
//                              copied from the input store; the first to finish wins
//   exposed      none          wait (a crash: the rack monitor tells the orchestrator; a spare
//                              steals the dead task's memory and resumes)
//   exposed      steal         the same detection; a spare steals the straggler's memory, which
//                              fences it, and resumes from its last checkpoint
//
// Each run is compared with the no-straggler run of its own mode (the shuffle differs between
// modes). Reported: job time and its ratio to the baseline, wasted task-seconds (work that was
// thrown away: a losing copy's whole run, a stolen attempt's run after its last checkpoint, a lost
// attempt's run), input bytes re-read, and where the winning attempt started.
//
// Parameters (--set): mapreduce-straggler.mib (input, default 32), .tasks (maps = reduces,
// default 4), .interval_us (the speculation check, default 1000: Spark's 100 ms is meant for
// tasks of seconds to minutes; these tasks take milliseconds), .spill_kib (the sort buffer, and so
// the checkpoint interval, default 1024).
//
// Output: mapreduce_straggler.csv (one row per run) and mapreduce_straggler_summary.csv (per
// scenario: the job time of every policy side by side).
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "harness/experiment.h"
#include "harness/experiments/mapreduce_jobs.h"
#include "harness/experiments/mapreduce_workload.h"
#include "harness/output.h"
#include "mapreduce/input.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

constexpr char kMib[] = "mapreduce-straggler.mib";
constexpr char kTasks[] = "mapreduce-straggler.tasks";
constexpr char kIntervalUs[] = "mapreduce-straggler.interval_us";
constexpr char kSpillKib[] = "mapreduce-straggler.spill_kib";

using mapreduce::Mitigation;

struct PolicyRun {
  Mode mode;
  Mitigation mitigation;
  const char* name;
};

// Scenario is one fault: map 0 slowed `factor`x (0: crashed) at `percent` % of its split.
struct Scenario {
  double factor = 0;
  int percent = 0;
  std::string Name() const {
    return factor == 0 ? absl::StrCat("crash at ", percent, "%")
                       : absl::StrCat(factor, "x at ", percent, "%");
  }
};

// TimeAt is when task 0 of a no-straggler run had mapped `percent` % of its split.
absl::StatusOr<Time> TimeAt(const mapreduce::JobOutcome& baseline, int64_t split_bytes,
                            int percent) {
  for (const auto& [time, processed] : baseline.progress_trace[0]) {
    if (processed * 100 >= split_bytes * percent) return time;
  }
  return absl::InternalError("the baseline's task 0 never reached the point");
}

class MapReduceStragglerExperiment final : public Experiment {
 public:
  absl::string_view name() const override { return "mapreduce-straggler"; }
  absl::string_view description() const override {
    return "TeraSort with map 0 slowed 2/5/10x or crashed at 25/50/75 %: no mitigation, "
           "speculation from scratch (transparent) vs steal-and-resume (exposed) (claims C3, C4)";
  }
  std::vector<std::string> parameters() const override {
    return {kMib, kTasks, kIntervalUs, kSpillKib};
  }

  absl::StatusOr<ExperimentResult> Run(const ExperimentContext& ctx) override {
    DDC_ASSIGN_OR_RETURN(const int64_t mib, ctx.IntParam(kMib, 32));
    DDC_ASSIGN_OR_RETURN(const int64_t tasks, ctx.IntParam(kTasks, 4));
    DDC_ASSIGN_OR_RETURN(const int64_t interval_us, ctx.IntParam(kIntervalUs, 1000));
    DDC_ASSIGN_OR_RETURN(const int64_t spill_kib, ctx.IntParam(kSpillKib, 1024));
    if (mib < 1 || mib > 8192 || tasks < 2 || tasks > 32 || interval_us < 1 || spill_kib < 4) {
      return absl::InvalidArgumentError(absl::StrCat(
          "mapreduce-straggler: need mib in [1, 8192], tasks in [2, 32], interval_us >= 1 and "
          "spill_kib >= 4; got ",
          mib, ", ", tasks, ", ", interval_us, ", ", spill_kib));
    }
    DDC_ASSIGN_OR_RETURN(const mapreduce::JobPlan plan,
                         MakePlan("terasort", mib << 20, static_cast<int>(tasks), ctx.seed));
    DDC_ASSIGN_OR_RETURN(const JobVerifier verify, MakeVerifier(plan));
    DDC_ASSIGN_OR_RETURN(const std::vector<mapreduce::InputSplit> splits,
                         mapreduce::SplitInput(*plan.input, static_cast<int>(tasks)));
    const int64_t split0 = splits[0].bytes;

    auto options_for = [&](Mode mode,
                           Mitigation mitigation) -> absl::StatusOr<mapreduce::JobOptions> {
      mapreduce::JobOptions options;
      options.plan = plan;
      DDC_ASSIGN_OR_RETURN(options.policy, mapreduce::PlanPolicy(mode, mitigation));
      options.policy.speculation.interval = Microseconds(interval_us);
      options.engine.spill_bytes = spill_kib << 10;
      options.spares = 1;
      return options;
    };
    auto run = [&](Mode mode, Mitigation mitigation, const char* policy, const Scenario* scenario,
                   Time at,
                   Duration baseline) -> absl::StatusOr<std::unique_ptr<MapReduceWorkload>> {
      DDC_ASSIGN_OR_RETURN(mapreduce::JobOptions options, options_for(mode, mitigation));
      JobFaults faults;
      if (scenario != nullptr) {
        const double factor = scenario->factor;
        faults = [factor, at](Simulation& sim, const mapreduce::Deployment& d) {
          return factor == 0 ? sim.CrashCe(d.map_ces[0], at) : sim.SlowCe(d.map_ces[0], factor, at);
        };
      }
      MetricRow labels{{"mode", std::string(ModeName(mode))},
                       {"policy", policy},
                       {"scenario", scenario == nullptr ? "none" : scenario->Name()},
                       {"slowdown", scenario == nullptr ? "1" : absl::StrCat(scenario->factor)},
                       {"at_percent", scenario == nullptr ? "0" : absl::StrCat(scenario->percent)},
                       {"fault_at_ns", absl::StrCat(scenario == nullptr ? 0 : at)},
                       {"baseline_job_ns", absl::StrCat(baseline)}};
      auto workload = std::make_unique<MapReduceWorkload>(options, faults, verify, labels);
      DDC_RETURN_IF_ERROR(
          RunWorkload(OneRackFor(ctx.config, options), mode, ctx.seed, *workload, ctx.out_dir));
      return workload;
    };

    CsvTable runs, summary;
    auto add_row = [&](const MapReduceWorkload& w, Duration baseline) {
      MetricRow row = w.Metrics()[0];
      row.emplace_back("job_vs_baseline",
                       absl::StrFormat("%.3f", static_cast<double>(w.job_time()) / baseline));
      int64_t resumed_from = 0;
      for (const mapreduce::AttemptRecord& a : w.outcome().attempts) {
        if (a.task == 0 && a.end == "committed") resumed_from = a.resumed_from;
      }
      row.emplace_back("winner_resumed_from_bytes", absl::StrCat(resumed_from));
      Tabulate(row, runs);
    };

    // Baselines, one per mode.
    std::map<Mode, std::unique_ptr<MapReduceWorkload>> baseline;
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      DDC_ASSIGN_OR_RETURN(baseline[mode], run(mode, Mitigation::kNone, "none", nullptr, 0, 0));
    }
    for (Mode mode : {Mode::kTransparent, Mode::kExposed}) {
      add_row(*baseline[mode], baseline[mode]->job_time());
    }

    const std::vector<PolicyRun> slow_policies{
        {Mode::kTransparent, Mitigation::kNone, "none"},
        {Mode::kTransparent, Mitigation::kSpeculate, "speculation"},
        {Mode::kExposed, Mitigation::kNone, "none"},
        {Mode::kExposed, Mitigation::kStealAndResume, "steal-and-resume"}};
    const std::vector<PolicyRun> crash_policies{
        {Mode::kTransparent, Mitigation::kNone, "relaunch (timeout)"},
        {Mode::kExposed, Mitigation::kNone, "steal-and-resume (monitor)"}};
    std::vector<Scenario> scenarios;
    for (double factor : {2.0, 5.0, 10.0}) {
      for (int percent : {25, 50, 75}) scenarios.push_back({factor, percent});
    }
    for (int percent : {25, 50, 75}) scenarios.push_back({0, percent});

    std::string headline;
    std::vector<Finding> findings;
    // at_half: by policy name, {job ns, wasted task ns, input re-read bytes} of the scenario
    // being run at 50 %.
    std::map<std::string, std::array<double, 3>> at_half;
    for (const Scenario& scenario : scenarios) {
      MetricRow s{{"scenario", scenario.Name()}};
      const std::vector<PolicyRun>& policies =
          scenario.factor == 0 ? crash_policies : slow_policies;
      for (const PolicyRun& p : policies) {
        const MapReduceWorkload& base = *baseline[p.mode];
        DDC_ASSIGN_OR_RETURN(const Time at, TimeAt(base.outcome(), split0, scenario.percent));
        DDC_ASSIGN_OR_RETURN(std::unique_ptr<MapReduceWorkload> w,
                             run(p.mode, p.mitigation, p.name, &scenario, at, base.job_time()));
        add_row(*w, base.job_time());
        const std::string key = absl::StrCat(ModeName(p.mode), " ", p.name);
        s.emplace_back(
            key + " job_vs_baseline",
            absl::StrFormat("%.3f", static_cast<double>(w->job_time()) / base.job_time()));
        s.emplace_back(key + " wasted_task_ns", absl::StrCat(w->outcome().WastedTaskNs()));
        s.emplace_back(key + " input_reread_bytes", absl::StrCat(w->outcome().InputRefetched()));
        if (scenario.percent == 50 && (scenario.factor == 10 || scenario.factor == 0)) {
          at_half[p.name] = {static_cast<double>(w->job_time()),
                             static_cast<double>(w->outcome().WastedTaskNs()),
                             static_cast<double>(w->outcome().InputRefetched())};
        }
      }
      if (scenario.percent == 50 && scenario.factor == 10) {
        const auto& spec = at_half["speculation"];
        const auto& steal = at_half["steal-and-resume"];
        findings.push_back({"C3",
                            "map 0 slowed 10x at 50 %: job time (speculation vs steal-and-resume)",
                            "ms", spec[0] / 1e6, steal[0] / 1e6, steal[0] < spec[0],
                            "speculation restarts the task from its input on a free worker; the "
                            "steal fences the straggler and a free worker resumes from its "
                            "checkpoint (input offset and output pages)"});
        findings.push_back({"C3", "map 0 slowed 10x at 50 %: wasted task time", "ms", spec[1] / 1e6,
                            steal[1] / 1e6, steal[1] < spec[1],
                            "a speculative copy's rival attempt is thrown away; a stolen attempt "
                            "loses only its work since the last checkpoint"});
        findings.push_back({"C3", "map 0 slowed 10x at 50 %: input bytes re-read", "bytes", spec[2],
                            steal[2], steal[2] < spec[2],
                            "the resumed task reads only the input after its checkpoint"});
      }
      if (scenario.percent == 50 && scenario.factor == 0) {
        const auto& relaunch = at_half["relaunch (timeout)"];
        const auto& resume = at_half["steal-and-resume (monitor)"];
        findings.push_back({"C4", "map 0's compute crashes at 50 %: job time", "ms",
                            relaunch[0] / 1e6, resume[0] / 1e6, resume[0] < relaunch[0],
                            "transparent: a timeout, then a relaunch from scratch; exposed: the "
                            "rack monitor's notice, then the task resumes from its checkpoint"});
        findings.push_back({"C4", "map 0's compute crashes at 50 %: input bytes re-read", "bytes",
                            relaunch[2], resume[2], resume[2] < relaunch[2],
                            "the relaunched task rereads its whole split; the resumed one only "
                            "what its checkpoint had not covered"});
      }
      if (scenario.factor == 10 && scenario.percent == 50) {
        headline = absl::StrCat("map 0 slowed 10x at 50 %: job time vs baseline ", s[1].second,
                                " (none), ", s[4].second, " (speculation), ", s[10].second,
                                " (steal-and-resume)");
      }
      Tabulate(s, summary);
    }
    DDC_RETURN_IF_ERROR(WriteFile(ctx.out_dir, "mapreduce_straggler.csv", runs.Render()));
    DDC_RETURN_IF_ERROR(
        WriteFile(ctx.out_dir, "mapreduce_straggler_summary.csv", summary.Render()));
    return ExperimentResult{headline, std::move(findings)};
  }
};

}  // namespace

std::unique_ptr<Experiment> MakeMapReduceStragglerExperiment() {
  return std::make_unique<MapReduceStragglerExperiment>();
}

}  // namespace ddc::harness
