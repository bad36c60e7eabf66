#include "harness/check/mapreduce_target.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/durable/crc32c.h"
#include "harness/check/swarm.h"
#include "mapreduce/jobs/gensort.h"
#include "mapreduce/jobs/jobs.h"
#include "mapreduce/jobs/zipf_text.h"
#include "mapreduce/rack_config.h"
#include "mapreduce/reference.h"
#include "platform/cost_model.h"
#include "platform/random.h"

namespace ddc::check {
namespace {

using mapreduce::JobOutcome;
using mapreduce::KvPair;

constexpr char kJobCompletes[] = "job completes";
constexpr char kOutputEqualsReference[] = "output equals reference";
constexpr char kNoRecordLost[] = "no record lost or duplicated";
constexpr char kNoOutputFromFailedJob[] = "no output from a failed job";
constexpr char kNoUnexpectedFailure[] = "no unexpected process failure";

// The job's setup (loading the splits) runs without faults; it must end within this much virtual
// time, or the run is a broken harness.
constexpr Duration kSetupLimit = Seconds(10);

int64_t Between(Rng& rng, int64_t lo, int64_t hi) {
  return UniformInt::Create(lo, hi).value().Next(rng);
}
template <typename T>
const T& OneOf(Rng& rng, const std::vector<T>& choices) {
  return choices[static_cast<size_t>(Between(rng, 0, static_cast<int64_t>(choices.size()) - 1))];
}

bool Succeeded(const JobOutcome& outcome) { return outcome.finished && outcome.status.ok(); }

std::string PairText(const KvPair& pair) {
  return absl::StrCat("(", absl::CEscape(pair.first), ", ", absl::CEscape(pair.second), ")");
}

// PairSummary is the order-free digest of a list of pairs: how many, and the sum of their
// CRC-32C (key and value framed by their lengths, so ("ab", "c") and ("a", "bc") differ).
struct PairSummary {
  int64_t pairs = 0;
  uint64_t checksum = 0;
};
PairSummary Summarize(const std::vector<KvPair>& pairs) {
  PairSummary summary;
  for (const KvPair& pair : pairs) {
    ++summary.pairs;
    summary.checksum += durable::crc32c::Value(
        absl::StrCat(pair.first.size(), ":", pair.first, pair.second.size(), ":", pair.second));
  }
  return summary;
}

mapreduce::ValsortSummary ValsortOfInput(const mapreduce::Dataset& input) {
  mapreduce::Valsort valsort;
  for (int64_t b = 0; b < input.blocks(); ++b) {
    const std::string block = input.Block(b);
    for (size_t at = 0; at + mapreduce::kGensortRecordBytes <= block.size();
         at += mapreduce::kGensortRecordBytes) {
      valsort.Add(absl::string_view(block).substr(at, mapreduce::kGensortRecordBytes));
    }
  }
  return valsort.summary();
}

// ProcessOnCe names the job's process on worker CE `ce` (ce1, ce2, ...: the rack has a CE per
// process, in Launch's order: map workers, spares, reducers), or "" for the orchestrator's CE.
std::string ProcessOnCe(const MapReduceKnobs& knobs, const std::string& job, int ce) {
  const std::string prefix = absl::StrCat("mr-", job, "-");
  const int k = ce - 1;
  if (k < 0) return "";
  if (k < knobs.maps) return absl::StrCat(prefix, "map-", k);
  if (k < knobs.maps + knobs.spares) return absl::StrCat(prefix, "spare-", k - knobs.maps);
  return absl::StrCat(prefix, "reduce-", k - knobs.maps - knobs.spares);
}

// Shifted returns `schedule` with every time moved `by` later.
config::FaultSchedule Shifted(config::FaultSchedule schedule, Duration by) {
  for (config::CeFault& f : *schedule.mutable_ce_faults()) f.set_at_ns(f.at_ns() + by);
  for (config::MessageFault& f : *schedule.mutable_message_faults()) {
    f.set_start_ns(f.start_ns() + by);
    f.set_end_ns(f.end_ns() + by);
  }
  for (config::Partition& p : *schedule.mutable_partitions()) {
    p.set_at_ns(p.at_ns() + by);
    p.set_heal_at_ns(p.heal_at_ns() + by);
  }
  for (config::MeFault& f : *schedule.mutable_me_faults()) f.set_at_ns(f.at_ns() + by);
  return schedule;
}

// TookEffect keeps the faults of `schedule` (relative times) that began before `until`.
config::FaultSchedule TookEffect(const config::FaultSchedule& schedule, Duration until) {
  config::FaultSchedule kept;
  for (const config::CeFault& f : schedule.ce_faults())
    if (f.at_ns() < until) *kept.add_ce_faults() = f;
  for (const config::MessageFault& f : schedule.message_faults())
    if (f.start_ns() < until) *kept.add_message_faults() = f;
  for (const config::Partition& p : schedule.partitions())
    if (p.at_ns() < until) *kept.add_partitions() = p;
  for (const config::MeFault& f : schedule.me_faults())
    if (f.at_ns() < until) *kept.add_me_faults() = f;
  return kept;
}

absl::StatusOr<int64_t> ParseInt(const std::string& name, const std::string& text) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("mapreduce option ", name, ": \"", text, "\" is not an integer"));
  }
  return value;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> MapReduceKnobs::ToOptions() const {
  return {{"job", job},
          {"input_bytes", absl::StrCat(input_bytes)},
          {"maps", absl::StrCat(maps)},
          {"reduces", absl::StrCat(reduces)},
          {"spares", absl::StrCat(spares)},
          {"mitigation", mitigation},
          {"spill_bytes", absl::StrCat(spill_bytes)},
          {"read_chunk_bytes", absl::StrCat(read_chunk_bytes)},
          {"copy_chunk_bytes", absl::StrCat(copy_chunk_bytes)},
          {"copy_window", absl::StrCat(copy_window)},
          {"speculation_interval_ns", absl::StrCat(speculation_interval)},
          {"grep_pattern", grep_pattern}};
}

absl::StatusOr<MapReduceKnobs> MapReduceKnobs::FromOptions(
    const std::vector<std::pair<std::string, std::string>>& options) {
  MapReduceKnobs knobs;
  std::map<std::string, int64_t*> ints{{"input_bytes", &knobs.input_bytes},
                                       {"spill_bytes", &knobs.spill_bytes},
                                       {"read_chunk_bytes", &knobs.read_chunk_bytes},
                                       {"copy_chunk_bytes", &knobs.copy_chunk_bytes},
                                       {"speculation_interval_ns", &knobs.speculation_interval}};
  std::map<std::string, int*> small{{"maps", &knobs.maps},
                                    {"reduces", &knobs.reduces},
                                    {"spares", &knobs.spares},
                                    {"copy_window", &knobs.copy_window}};
  for (const auto& [name, value] : options) {
    if (name == "job") {
      knobs.job = value;
    } else if (name == "mitigation") {
      knobs.mitigation = value;
    } else if (name == "grep_pattern") {
      knobs.grep_pattern = value;
    } else if (auto it = ints.find(name); it != ints.end()) {
      absl::StatusOr<int64_t> parsed = ParseInt(name, value);
      if (!parsed.ok()) return parsed.status();
      *it->second = *parsed;
    } else if (auto it = small.find(name); it != small.end()) {
      absl::StatusOr<int64_t> parsed = ParseInt(name, value);
      if (!parsed.ok()) return parsed.status();
      *it->second = static_cast<int>(*parsed);
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown mapreduce option \"", name, "\""));
    }
  }
  if (knobs.mitigation != "none" && knobs.mitigation != "mode") {
    return absl::InvalidArgumentError(absl::StrCat("mapreduce option mitigation: \"",
                                                   knobs.mitigation,
                                                   "\" is neither \"none\" nor \"mode\""));
  }
  return knobs;
}

absl::StatusOr<mapreduce::JobOptions> JobOptionsFor(const MapReduceKnobs& knobs, Mode mode,
                                                    uint64_t seed) {
  using namespace mapreduce;  // NOLINT: the job builders
  JobOptions options;
  if (knobs.job == "terasort" || knobs.job == "terasort-skewed") {
    GensortOptions g;
    g.records = std::max<int64_t>(1, knobs.input_bytes / kGensortRecordBytes);
    g.block_records = std::max<int64_t>(1, g.records / (4 * knobs.maps));  // 4 blocks a split
    g.skewed = knobs.job == "terasort-skewed";
    g.seed = seed;
    absl::StatusOr<std::shared_ptr<const GensortDataset>> input = GensortDataset::Create(g);
    if (!input.ok()) return input.status();
    options.plan = TeraSortJob({*input, knobs.maps, knobs.reduces});
  } else if (knobs.job == "wordcount" || knobs.job == "wordcount-combiner" || knobs.job == "grep") {
    ZipfTextOptions z;
    z.bytes = knobs.input_bytes;
    z.block_bytes = std::max<int64_t>(1024, knobs.input_bytes / (4 * knobs.maps));
    z.seed = seed;
    absl::StatusOr<std::shared_ptr<const ZipfTextDataset>> input = ZipfTextDataset::Create(z);
    if (!input.ok()) return input.status();
    options.plan = knobs.job == "grep"
                       ? GrepJob({*input, knobs.maps, knobs.reduces}, knobs.grep_pattern)
                       : WordCountJob({*input, knobs.maps, knobs.reduces},
                                      /*combiner=*/knobs.job == "wordcount-combiner");
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("mapreduce option job: unknown job \"", knobs.job, "\""));
  }
  std::optional<Mitigation> mitigation;
  if (knobs.mitigation == "none") mitigation = Mitigation::kNone;
  absl::StatusOr<Policy> policy = PlanPolicy(mode, mitigation);
  if (!policy.ok()) return policy.status();
  options.policy = *policy;
  options.policy.speculation.interval = knobs.speculation_interval;
  options.engine.spill_bytes = knobs.spill_bytes;
  options.engine.read_chunk_bytes = knobs.read_chunk_bytes;
  options.engine.copy.chunk = knobs.copy_chunk_bytes;
  options.engine.copy.window = knobs.copy_window;
  options.spares = knobs.spares;
  return options;
}

std::vector<Violation> CheckJobCompletes(const JobOutcome& outcome) {
  if (!outcome.finished) {
    return {{kJobCompletes, "the job had not finished at the end of the liveness phase"}};
  }
  if (!outcome.status.ok()) {
    return {{kJobCompletes, absl::StrCat("the job failed: ", outcome.status.ToString())}};
  }
  return {};
}

std::vector<Violation> CheckOutputEqualsReference(const JobOutcome& outcome,
                                                  const std::vector<KvPair>& reference) {
  if (!Succeeded(outcome)) return {};
  const std::vector<KvPair> output = mapreduce::SortedPairs(outcome.AllOutput());
  const std::vector<KvPair> expected = mapreduce::SortedPairs(reference);
  if (output == expected) return {};
  const auto [o, e] = std::mismatch(output.begin(), output.end(), expected.begin(), expected.end());
  std::string detail = absl::StrCat(output.size(), " pairs, the reference has ", expected.size());
  if (o != output.end()) absl::StrAppend(&detail, "; first unexpected pair ", PairText(*o));
  if (e != expected.end()) absl::StrAppend(&detail, "; first missing pair ", PairText(*e));
  return {{kOutputEqualsReference, detail}};
}

std::vector<Violation> CheckNoRecordLostOrDuplicated(const JobOutcome& outcome,
                                                     const std::vector<KvPair>& reference,
                                                     const mapreduce::Dataset* terasort_input) {
  if (!Succeeded(outcome)) return {};
  std::vector<Violation> violations;
  if (terasort_input != nullptr) {
    // valsort: the concatenated output, in reducer order, against the input's records.
    mapreduce::Valsort output;
    for (const std::vector<KvPair>& partition : outcome.output) {
      for (const KvPair& pair : partition) {
        output.Add(mapreduce::TeraSortRecord(pair.first, pair.second));
      }
    }
    const mapreduce::ValsortSummary got = output.summary();
    const mapreduce::ValsortSummary want = ValsortOfInput(*terasort_input);
    if (got.records != want.records || got.checksum != want.checksum) {
      violations.push_back(
          {kNoRecordLost,
           absl::StrCat("valsort: ", got.records, " records with checksum ", got.checksum,
                        ", the input has ", want.records, " with checksum ", want.checksum)});
    }
    if (got.unordered != 0) {
      violations.push_back(
          {kNoRecordLost, absl::StrCat("valsort: ", got.unordered, " records out of order")});
    }
    return violations;
  }
  // Every other job reduces each key once: a key twice in the output is a duplicated record.
  const std::vector<KvPair> all = mapreduce::SortedPairs(outcome.AllOutput());
  for (size_t i = 1; i < all.size(); ++i) {
    if (all[i].first == all[i - 1].first) {
      violations.push_back({kNoRecordLost, absl::StrCat("key \"", absl::CEscape(all[i].first),
                                                        "\" appears more than once")});
      break;
    }
  }
  const PairSummary got = Summarize(all);
  const PairSummary want = Summarize(reference);
  if (got.pairs != want.pairs || got.checksum != want.checksum) {
    violations.push_back(
        {kNoRecordLost,
         absl::StrCat(got.pairs, " pairs with checksum ", got.checksum, ", the reference has ",
                      want.pairs, " with checksum ", want.checksum)});
  }
  return violations;
}

std::vector<Violation> CheckNoOutputFromFailedJob(const JobOutcome& outcome) {
  if (Succeeded(outcome)) return {};
  if (outcome.output.empty() && outcome.AllOutput().empty()) return {};
  return {{kNoOutputFromFailedJob, absl::StrCat("a job that did not succeed presents ",
                                                outcome.AllOutput().size(), " output pairs")}};
}

std::vector<Violation> CheckProcessFailures(const std::vector<ProcessFailure>& failures,
                                            const std::set<std::string>& faulted_processes,
                                            bool me_failed) {
  std::vector<Violation> violations;
  if (me_failed) return violations;  // any process may hold pages of the failed ME
  for (const ProcessFailure& failure : failures) {
    if (faulted_processes.count(failure.process) > 0) continue;
    violations.push_back(
        {kNoUnexpectedFailure, absl::StrCat(failure.process, " (incarnation ", failure.incarnation,
                                            ") failed at ", failure.at, " ns: ", failure.error)});
  }
  return violations;
}

std::vector<std::string> MapReduceTarget::invariants() const {
  return {kJobCompletes, kOutputEqualsReference, kNoRecordLost, kNoOutputFromFailedJob,
          kNoUnexpectedFailure};
}

absl::StatusOr<Scenario> MapReduceTarget::Draw(uint64_t seed) const {
  Scenario scenario;
  scenario.target = "mapreduce";
  scenario.seed = seed;

  Rng job_rng = Rng::ForStream(seed, "check", "mapreduce", "job");
  MapReduceKnobs knobs;
  knobs.job = OneOf<std::string>(
      job_rng, {"wordcount", "wordcount-combiner", "terasort", "terasort-skewed", "grep"});
  knobs.input_bytes = Between(job_rng, 32, 512) * 1024;
  knobs.maps = static_cast<int>(Between(job_rng, 2, 6));
  knobs.reduces = static_cast<int>(Between(job_rng, 1, 4));
  knobs.spares = static_cast<int>(Between(job_rng, 1, 4));
  knobs.grep_pattern = OneOf<std::string>(job_rng, {"a", "b", "ab", "e", "zz"});

  Rng engine_rng = Rng::ForStream(seed, "check", "mapreduce", "engine");
  knobs.mitigation = Between(engine_rng, 0, 2) == 0 ? "none" : "mode";
  knobs.spill_bytes = Between(engine_rng, 64, 512) * 1024;
  knobs.read_chunk_bytes = Between(engine_rng, 16, 128) * 1024;
  knobs.copy_chunk_bytes = Between(engine_rng, 16, 256) * 1024;
  knobs.copy_window = static_cast<int>(Between(engine_rng, 1, 8));
  knobs.speculation_interval = Between(engine_rng, 200, 2000) * 1000;
  scenario.options = knobs.ToOptions();

  // One rack, a CE per process (the orchestrator's CE is assumed not to fail: README, "Not yet
  // done"), and at least two MEs.
  Rng platform_rng = Rng::ForStream(seed, "check", "mapreduce", "platform");
  const int ces = mapreduce::JobCes(knobs.maps, knobs.spares, knobs.reduces);
  scenario.config = DrawPlatform(platform_rng, {.min_racks = 1,
                                                .max_racks = 1,
                                                .min_ces = ces,
                                                .max_ces = ces,
                                                .min_mes = 2,
                                                .max_mes = 3,
                                                .allow_huge_pages = false});

  Rng window_rng = Rng::ForStream(seed, "check", "mapreduce", "windows");
  scenario.safety_end = Between(window_rng, 500, 5000) * 1000;  // 0.5 to 5 ms after the start
  scenario.liveness_end = scenario.safety_end + Seconds(1);

  // Faults hit the map workers and spares: every worker the engine re-executes around. A worker
  // lost to a crash, or given up after a pause or a slowdown, is never used again, so the number
  // of CE faults is bounded by the spares (one relaunch each).
  Rng fault_rng = Rng::ForStream(seed, "check", "mapreduce", "faults");
  FaultPlan plan;
  for (int ce = 1; ce <= knobs.maps + knobs.spares; ++ce) {
    plan.ces.push_back(absl::StrCat("r0/ce", ce));
  }
  for (int ce = 0; ce < ces; ++ce) plan.endpoints.push_back(absl::StrCat("r0/ce", ce));
  plan.start = 0;
  plan.end = scenario.safety_end;
  int budget = knobs.spares;
  plan.max_ce_crashes = std::min(1, budget);
  budget -= plan.max_ce_crashes;
  plan.max_ce_pauses = std::min(2, budget);
  budget -= plan.max_ce_pauses;
  plan.max_ce_slowdowns = std::min(1, budget);
  plan.max_pause = Milliseconds(20);
  plan.max_slowdown = 10;
  plan.max_message_faults = 2;
  // A delay below half the transparent failure timeout: a longer one makes the orchestrator
  // suspect a live worker, which it then never uses again (mapreduce/README.md, "Not yet done").
  PlatformConfig resolved = scenario.config;
  ResolveConfig(resolved);
  const FailureTimeouts timeouts =
      CostModel(resolved.cost_model())
          .AggressiveTimeouts(/*same_rack=*/true, knobs.copy_chunk_bytes);
  plan.max_message_delay = std::max<Duration>(1, timeouts.failure_timeout / 2);
  // A crashed CE stays down: the rack monitor cancels its verdict when a CE restarts before it,
  // so the standbys never learn that the crash killed its processes (docs/checking.md).
  plan.restart_probability = 0;
  // Outside the plan (docs/checking.md, "## mapreduce"; mapreduce/README.md, "Not yet done"):
  // lost messages (drops, partitions: the engine's control messages are not retransmitted), a
  // failed ME (committed map output is not recomputed), and faults of the reducers' and the
  // orchestrator's CEs.
  plan.max_partitions = 0;
  plan.max_me_failures = 0;
  config::FaultSchedule faults = DrawFaultSchedule(fault_rng, plan);
  for (config::MessageFault& fault : *faults.mutable_message_faults()) {
    fault.set_drop_probability(0);
  }
  *scenario.config.mutable_faults() = std::move(faults);
  return scenario;
}

absl::StatusOr<RunReport> MapReduceTarget::Run(const Scenario& scenario, Mode mode) const {
  absl::StatusOr<MapReduceKnobs> knobs = MapReduceKnobs::FromOptions(scenario.options);
  if (!knobs.ok()) return knobs.status();
  absl::StatusOr<mapreduce::JobOptions> options = JobOptionsFor(*knobs, mode, scenario.seed);
  if (!options.ok()) return options.status();

  PlatformConfig config = scenario.config;
  config.set_mode(mode == Mode::kExposed ? PlatformConfig::EXPOSED : PlatformConfig::TRANSPARENT);
  const config::FaultSchedule faults = config.faults();
  config.clear_faults();
  absl::StatusOr<std::unique_ptr<Simulation>> created = Simulation::Create(config, scenario.seed);
  if (!created.ok()) return created.status();
  Simulation& sim = **created;
  sim.SetLog(nullptr);
  JobOutcome outcome;
  absl::StatusOr<mapreduce::Deployment> deployment = mapreduce::Launch(sim, *options, &outcome);
  if (!deployment.ok()) return deployment.status();

  // Setup: the splits load without faults; the job's clock starts when they are in place.
  sim.RunUntil([&] { return outcome.phases.start >= 0 || outcome.finished; }, kSetupLimit);
  if (outcome.phases.start < 0 && !outcome.finished) {
    return absl::InternalError(
        absl::StrCat("mapreduce: the job's splits did not load within ", kSetupLimit, " ns"));
  }
  const Time start = outcome.phases.start >= 0 ? outcome.phases.start : sim.Now();
  if (absl::Status injected = sim.InjectFaults(Shifted(faults, start)); !injected.ok()) {
    return injected;
  }
  sim.RunUntil([&] { return outcome.finished; }, start + scenario.safety_end);
  sim.RunUntil([&] { return outcome.finished; }, start + scenario.liveness_end);

  RunReport report;
  const Duration ran = sim.Now() - start;
  const config::FaultSchedule effective = TookEffect(faults, ran + 1);
  report.faults_injected = CountFaults(effective);
  for (const mapreduce::AttemptRecord& attempt : outcome.attempts) {
    if (attempt.end != "committed") continue;
    ++(attempt.ended < start + scenario.safety_end ? report.safety_operations
                                                   : report.liveness_operations);
  }
  if (Succeeded(outcome)) {
    const int64_t reduces = static_cast<int64_t>(outcome.output.size());
    (outcome.phases.end < start + scenario.safety_end ? report.safety_operations
                                                      : report.liveness_operations) += reduces;
  }

  absl::StatusOr<std::vector<KvPair>> reference = mapreduce::RunReference(options->plan);
  if (!reference.ok()) return reference.status();
  const bool terasort = knobs->job == "terasort" || knobs->job == "terasort-skewed";
  auto append = [&](std::vector<Violation> found) {
    for (Violation& v : found) report.violations.push_back(std::move(v));
  };
  append(CheckJobCompletes(outcome));
  append(CheckOutputEqualsReference(outcome, *reference));
  append(CheckNoRecordLostOrDuplicated(outcome, *reference,
                                       terasort ? options->plan.input.get() : nullptr));
  append(CheckNoOutputFromFailedJob(outcome));

  std::set<std::string> faulted;
  for (const config::CeFault& fault : effective.ce_faults()) {
    int ce = 0;
    const std::string& name = fault.ce();
    if (absl::SimpleAtoi(name.substr(name.find("/ce") + 3), &ce)) {
      faulted.insert(ProcessOnCe(*knobs, options->plan.name, ce));
    }
  }
  append(CheckProcessFailures(sim.ProcessFailures(), faulted, effective.me_faults_size() > 0));
  return report;
}

std::unique_ptr<CheckTarget> MakeMapReduceTarget() { return std::make_unique<MapReduceTarget>(); }

}  // namespace ddc::check
