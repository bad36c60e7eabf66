#include "harness/check/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/text_format.h"
#include "harness/check/swarm.h"
#include "harness/progress.h"
#include "platform/config.h"

namespace ddc::check {
namespace {

using Clock = std::chrono::steady_clock;

constexpr Mode kModes[] = {Mode::kTransparent, Mode::kExposed};

// FailuresOf lists how one run failed: each violation, or the error status.
std::vector<Failure> FailuresOf(Mode mode, const absl::StatusOr<RunReport>& report) {
  std::vector<Failure> failures;
  if (!report.ok()) {
    failures.push_back(
        {mode, absl::StrCat("error: ", absl::StatusCodeToString(report.status().code()))});
    return failures;
  }
  for (const Violation& v : report->violations) failures.push_back({mode, v.invariant});
  return failures;
}

// SeedOutcome is what one seed did in both modes.
struct SeedOutcome {
  absl::Status draw = absl::OkStatus();
  Scenario scenario;
  absl::StatusOr<RunReport> reports[2] = {RunReport{}, RunReport{}};
  std::optional<Failure> first;
  std::vector<std::string> messages;
};

SeedOutcome RunSeed(const CheckTarget& target, uint64_t seed,
                    const std::optional<config::FaultSchedule>& faults) {
  SeedOutcome outcome;
  absl::StatusOr<Scenario> scenario = target.Draw(seed);
  if (!scenario.ok()) {
    outcome.draw = scenario.status();
    outcome.first = Failure{Mode::kTransparent, "error: draw"};
    outcome.messages.push_back(absl::StrCat("draw: ", scenario.status().ToString()));
    return outcome;
  }
  outcome.scenario = *std::move(scenario);
  if (faults) *outcome.scenario.config.mutable_faults() = *faults;
  for (int m = 0; m < 2; ++m) {
    const Mode mode = kModes[m];
    outcome.reports[m] = target.Run(outcome.scenario, mode);
    const std::vector<Failure> failures = FailuresOf(mode, outcome.reports[m]);
    if (!failures.empty() && !outcome.first) outcome.first = failures.front();
    if (!outcome.reports[m].ok()) {
      outcome.messages.push_back(
          absl::StrCat(ModeName(mode), ": ", outcome.reports[m].status().ToString()));
      continue;
    }
    for (const Violation& v : outcome.reports[m]->violations) {
      outcome.messages.push_back(absl::StrCat(ModeName(mode), ": ", v.invariant, ": ", v.detail));
    }
  }
  return outcome;
}

std::string Indent(const std::string& text, absl::string_view prefix) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    absl::StrAppend(&out, prefix, line, "\n");
  }
  return out;
}

std::string FaultCounts(const std::map<std::string, int64_t>& counts) {
  if (counts.empty()) return "none";
  return absl::StrJoin(counts, " ", absl::PairFormatter("="));
}

std::string FormatMs(Time t) { return absl::StrFormat("%.3f ms", t / 1e6); }

// PlatformSummary is the part of a seed's draw that every target shares (swarm.h).
std::string PlatformSummary(const PlatformConfig& config) {
  std::vector<std::string> racks;
  for (const config::Rack& rack : config.racks()) {
    racks.push_back(
        absl::StrCat(rack.compute_elements_size(), "ce+", rack.memory_elements_size(), "me"));
  }
  const config::CostModel& cost = config.cost_model();
  const config::MemoryConfig& memory = config.memory();
  return absl::StrCat(
      "racks=[", absl::StrJoin(racks, ","), "] rtt=", cost.intra_rack_rtt_ns(), "/",
      cost.cross_rack_rtt_ns(), "/", cost.memory_rtt_ns(), "ns page=", memory.page_size(),
      " steal_policy=", config::MemoryConfig::StealPolicy_Name(memory.steal_policy()),
      " me_failure_detection=",
      config::MemoryConfig::FailureDetection_Name(memory.failure_detection()),
      " heartbeat=", config.monitor().heartbeat_interval_ns(), "ns x",
      config.monitor().missed_beats());
}

std::string ReplayCommand(const CheckOptions& options, absl::string_view target, uint64_t seed) {
  return absl::StrCat(options.command, " check --app ", target, " --from ", seed, " --seeds 1");
}

std::string TextProto(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(message, &text);
  return text;
}

// Progress of the whole run: seeds done over all targets, the current target, violations.
class CheckProgress {
 public:
  CheckProgress(const CheckOptions& options, int total) : total_(total), start_(Clock::now()) {
    if (options.progress != nullptr) {
      line_.emplace(
          *options.progress, options.terminal, [this] { return Describe(); },
          std::chrono::seconds(5));
    }
  }
  void Target(absl::string_view name) {
    std::lock_guard<std::mutex> lock(mutex_);
    target_ = std::string(name);
  }
  void SeedDone(bool failed) {
    done_.fetch_add(1);
    if (failed) failed_.fetch_add(1);
  }

 private:
  std::string Describe() {
    std::lock_guard<std::mutex> lock(mutex_);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const int done = done_.load();
    const double left = done > 0 ? elapsed * (total_ - done) / done : 0;
    return absl::StrCat("ddc check: ", target_, "  seeds ", done, "/", total_, "  failed ",
                        failed_.load(), "  elapsed ", harness::MinutesSeconds(elapsed), "  ETA ",
                        done > 0 ? harness::MinutesSeconds(left) : "?");
  }

  const int total_;
  const Clock::time_point start_;
  std::mutex mutex_;
  std::string target_;
  std::atomic<int> done_{0};
  std::atomic<int> failed_{0};
  std::optional<harness::ProgressLine> line_;  // last: its ticker calls Describe
};

// Accumulates one seed's reports into its target's summary.
void Tally(const SeedOutcome& outcome, TargetSummary& summary) {
  ++summary.seeds;
  if (!outcome.draw.ok()) {
    ++summary.violations;
    return;
  }
  for (const absl::StatusOr<RunReport>& report : outcome.reports) {
    ++summary.runs;
    if (!report.ok()) {
      ++summary.violations;
      continue;
    }
    summary.violations += static_cast<int64_t>(report->violations.size());
    summary.safety_operations += report->safety_operations;
    summary.liveness_operations += report->liveness_operations;
    for (const auto& [kind, count] : report->faults_injected)
      summary.faults_injected[kind] += count;
    for (const auto& [what, count] : report->observations) summary.observations[what] += count;
  }
}

void PrintFailure(const CheckTarget& target, uint64_t seed, const SeedOutcome& outcome,
                  const CheckOptions& options, std::ostream& out) {
  out << "FAIL " << target.name() << " seed " << seed << "\n";
  if (outcome.draw.ok()) {
    const Scenario& s = outcome.scenario;
    out << "  platform: " << PlatformSummary(s.config) << "\n";
    std::vector<std::string> drawn;
    for (const auto& [name, value] : s.options) drawn.push_back(absl::StrCat(name, "=", value));
    out << "  options: " << (drawn.empty() ? "(none)" : absl::StrJoin(drawn, " ")) << "\n";
    out << "  phases: safety to " << FormatMs(s.safety_end) << ", liveness to "
        << FormatMs(s.liveness_end) << "\n";
    out << "  faults: " << FaultCount(s.config.faults()) << " ("
        << FaultCounts(CountFaults(s.config.faults())) << ")\n";
  }
  for (const std::string& message : outcome.messages) out << "  " << message << "\n";
  out << "  replay: " << ReplayCommand(options, target.name(), seed) << "\n";
}

absl::Status WriteScenarioFile(const std::string& path, const CheckScenario& scenario) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return absl::InternalError(absl::StrCat(path, ": ", ec.message()));
  std::ofstream file(path);
  file << "# ddc check --replay " << path << "\n" << TextProto(scenario);
  file.close();
  if (!file) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

// Shrink shrinks a failing seed's schedule, prints the result and writes its replay file.
absl::Status Shrink(const CheckTarget& target, const SeedOutcome& outcome,
                    const CheckOptions& options, SeedFailure& failure, std::ostream& out) {
  const Scenario& scenario = outcome.scenario;
  const Failure wanted = *outcome.first;
  int reruns = 0;
  auto fails = [&](const config::FaultSchedule& faults) {
    ++reruns;
    Scenario trial = scenario;
    *trial.config.mutable_faults() = faults;
    for (const Failure& f : FailuresOf(wanted.mode, target.Run(trial, wanted.mode))) {
      if (f == wanted) return true;
    }
    return false;
  };
  out << "  shrinking " << failure.drawn_fault_count << " faults against " << ModeName(wanted.mode)
      << ": " << wanted.invariant << "\n";
  failure.shrunk_faults = ShrinkFaults(scenario.config.faults(), fails);
  failure.shrunk = true;
  CheckScenario file;
  file.set_app(std::string(target.name()));
  file.set_seed(failure.seed);
  *file.mutable_faults() = failure.shrunk_faults;
  failure.replay_file =
      absl::StrCat(options.out_dir, "/", target.name(), "-seed", failure.seed, ".textproto");
  if (absl::Status status = WriteScenarioFile(failure.replay_file, file); !status.ok()) {
    return status;
  }
  out << "  shrunk to " << FaultCount(failure.shrunk_faults) << " of " << failure.drawn_fault_count
      << " faults (" << reruns << " reruns):\n"
      << (FaultCount(failure.shrunk_faults) == 0 ? "    (none: the seed fails without faults)\n"
                                                 : Indent(TextProto(failure.shrunk_faults), "    "))
      << "  replay shrunk: " << options.command << " check --replay " << failure.replay_file
      << "\n";
  return absl::OkStatus();
}

// RunTarget runs seeds [from, from + count) of one target (or one replayed seed, when `faults`
// is set) and appends to `summary`.
absl::Status RunTarget(const CheckTarget& target, uint64_t from, int count,
                       const std::optional<config::FaultSchedule>& faults, bool shrink,
                       const CheckOptions& options, CheckProgress& progress, CheckSummary& summary,
                       std::ostream& out) {
  progress.Target(target.name());
  std::vector<SeedOutcome> outcomes(count);
  std::atomic<int> next{0};
  auto worker = [&] {
    for (int i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      outcomes[i] = RunSeed(target, from + i, faults);
      // A passing seed's scenario is not needed any more; dropping it keeps 10,000 seeds small.
      if (!outcomes[i].first) outcomes[i].scenario = Scenario{};
      progress.SeedDone(outcomes[i].first.has_value());
    }
  };
  const int threads = std::clamp(options.threads, 1, count);
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();

  TargetSummary& tally = summary.targets.emplace_back();
  tally.target = std::string(target.name());
  int shrunk = 0;
  for (int i = 0; i < count; ++i) {
    const SeedOutcome& outcome = outcomes[i];
    Tally(outcome, tally);
    if (!outcome.first) continue;
    ++tally.failed_seeds;
    SeedFailure& failure = summary.failures.emplace_back();
    failure.target = tally.target;
    failure.seed = from + i;
    failure.first = *outcome.first;
    failure.messages = outcome.messages;
    PrintFailure(target, failure.seed, outcome, options, out);
    if (!outcome.draw.ok()) continue;
    failure.drawn_fault_count = FaultCount(outcome.scenario.config.faults());
    if (shrink && shrunk < kMaxShrunkPerTarget) {
      ++shrunk;
      if (absl::Status status = Shrink(target, outcome, options, failure, out); !status.ok()) {
        return status;
      }
    }
  }
  return absl::OkStatus();
}

void PrintSummary(const CheckSummary& summary, std::ostream& out) {
  out << absl::StrFormat("%-10s %7s %7s %12s %12s %10s %7s\n", "target", "seeds", "runs",
                         "safety_ops", "liveness_ops", "violations", "failed");
  int seeds = 0;
  for (const TargetSummary& t : summary.targets) {
    out << absl::StrFormat("%-10s %7d %7d %12d %12d %10d %7d\n", t.target, t.seeds, t.runs,
                           t.safety_operations, t.liveness_operations, t.violations,
                           t.failed_seeds);
    out << "  faults injected: " << FaultCounts(t.faults_injected) << "\n";
    if (!t.observations.empty()) {
      out << "  observed: " << absl::StrJoin(t.observations, ", ", absl::PairFormatter(": "))
          << "\n";
    }
    seeds += t.seeds;
  }
  out << (summary.ok() ? "ddc check: no violation\n"
                       : absl::StrCat("ddc check: ", summary.failures.size(), " failing seed",
                                      summary.failures.size() == 1 ? "" : "s", "\n"));
  const double minutes = summary.wall_seconds / 60;
  out << absl::StrFormat("wall time %.1f s, %.0f seeds/min\n", summary.wall_seconds,
                         minutes > 0 ? seeds / minutes : 0.0);
}

const CheckTarget* FindTarget(const std::vector<const CheckTarget*>& targets,
                              absl::string_view name) {
  for (const CheckTarget* t : targets) {
    if (t->name() == name) return t;
  }
  return nullptr;
}

}  // namespace

config::FaultSchedule ShrinkFaults(const config::FaultSchedule& faults,
                                   const std::function<bool(const config::FaultSchedule&)>& fails) {
  const int n = FaultCount(faults);
  // companion[i] is the RESTART that goes with CRASH i (or -1): the first restart of the same CE
  // at or after the crash not already taken by an earlier crash.
  std::vector<int> companion(n, -1);
  std::vector<bool> taken(n, false);
  std::vector<int> crashes;
  for (int i = 0; i < faults.ce_faults_size(); ++i) {
    if (faults.ce_faults(i).kind() == config::CeFault::CRASH) crashes.push_back(i);
  }
  std::stable_sort(crashes.begin(), crashes.end(), [&](int a, int b) {
    return faults.ce_faults(a).at_ns() < faults.ce_faults(b).at_ns();
  });
  for (int c : crashes) {
    const config::CeFault& crash = faults.ce_faults(c);
    int best = -1;
    for (int r = 0; r < faults.ce_faults_size(); ++r) {
      const config::CeFault& restart = faults.ce_faults(r);
      if (taken[r] || restart.kind() != config::CeFault::RESTART || restart.ce() != crash.ce() ||
          restart.at_ns() < crash.at_ns()) {
        continue;
      }
      if (best < 0 || restart.at_ns() < faults.ce_faults(best).at_ns()) best = r;
    }
    if (best >= 0) {
      taken[best] = true;
      companion[c] = best;
    }
  }
  auto build = [&](const std::vector<int>& keep) {
    std::vector<bool> kept(n, false);
    for (int i : keep) kept[i] = true;
    config::FaultSchedule out = faults;
    for (int i = n - 1; i >= 0; --i) {
      if (!kept[i]) out = WithoutFault(out, i);
    }
    return out;
  };
  // Without removes `chunk` from `current`, with the restarts of removed crashes.
  auto without = [&](const std::vector<int>& current, size_t begin, size_t end) {
    std::vector<bool> drop(n, false);
    for (size_t k = begin; k < end; ++k) {
      drop[current[k]] = true;
      if (companion[current[k]] >= 0) drop[companion[current[k]]] = true;
    }
    std::vector<int> rest;
    for (int i : current) {
      if (!drop[i]) rest.push_back(i);
    }
    return rest;
  };

  std::vector<int> current(n);
  for (int i = 0; i < n; ++i) current[i] = i;
  size_t chunks = 2;
  while (!current.empty()) {
    chunks = std::min(chunks, current.size());
    const size_t size = (current.size() + chunks - 1) / chunks;
    bool reduced = false;
    for (size_t begin = 0; begin < current.size(); begin += size) {
      std::vector<int> candidate = without(current, begin, std::min(current.size(), begin + size));
      if (fails(build(candidate))) {
        current = std::move(candidate);
        chunks = std::max<size_t>(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (reduced) continue;
    if (chunks >= current.size()) break;  // single faults tried: 1-minimal
    chunks = std::min(current.size(), chunks * 2);
  }
  return build(current);
}

absl::StatusOr<CheckSummary> RunCheck(const std::vector<const CheckTarget*>& targets,
                                      const CheckOptions& options, std::ostream& out) {
  if (options.seeds < 1) return absl::InvalidArgumentError("--seeds: must be at least 1");
  if (options.threads < 1) return absl::InvalidArgumentError("--threads: must be at least 1");
  const Clock::time_point start = Clock::now();
  CheckSummary summary;
  {
    CheckProgress progress(options, options.seeds * static_cast<int>(targets.size()));
    for (const CheckTarget* target : targets) {
      absl::Status status = RunTarget(*target, options.from, options.seeds, std::nullopt,
                                      options.shrink, options, progress, summary, out);
      if (!status.ok()) return status;
    }
  }
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  PrintSummary(summary, out);
  return summary;
}

absl::StatusOr<CheckSummary> Replay(const std::vector<const CheckTarget*>& targets,
                                    const CheckScenario& scenario, const CheckOptions& options,
                                    std::ostream& out) {
  const CheckTarget* target = FindTarget(targets, scenario.app());
  if (target == nullptr) {
    return absl::NotFoundError(absl::StrCat("replay: no check target \"", scenario.app(), "\""));
  }
  std::optional<config::FaultSchedule> faults;
  if (scenario.has_faults()) faults = scenario.faults();
  const Clock::time_point start = Clock::now();
  CheckSummary summary;
  {
    CheckProgress progress(options, 1);
    absl::Status status = RunTarget(*target, scenario.seed(), 1, faults, /*shrink=*/false, options,
                                    progress, summary, out);
    if (!status.ok()) return status;
  }
  summary.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  PrintSummary(summary, out);
  return summary;
}

absl::StatusOr<CheckScenario> LoadCheckScenario(const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path, "check scenario");
  if (!text.ok()) return text.status();
  CheckScenario scenario;
  if (absl::Status status = ParseTextProto(*text, path, scenario); !status.ok()) return status;
  if (!scenario.has_app()) return absl::InvalidArgumentError(absl::StrCat(path, ": app: missing"));
  if (!scenario.has_seed()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": seed: missing"));
  }
  return scenario;
}

}  // namespace ddc::check
