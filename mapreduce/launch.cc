#include "mapreduce/launch.h"

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "mapreduce/context.h"
#include "mapreduce/input_store.h"
#include "mapreduce/map_worker.h"
#include "mapreduce/orchestrator.h"
#include "mapreduce/reducer.h"
#include "platform/cost_model.h"
#include "platform/status_macros.h"
#include "platform/topology.h"

namespace ddc::mapreduce {
namespace {

absl::Status ValidateEngine(const JobOptions& options) {
  const EngineOptions& e = options.engine;
  const std::string job = absl::StrCat("job ", options.plan.name, ": ");
  if (e.read_chunk_bytes < 1 || e.spill_bytes < 1 || e.merge_readahead_pages < 1 ||
      e.reduce_batch_records < 1 || e.copy.chunk < 1 || e.copy.window < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        job,
        "engine options must be positive (read chunk, spill bytes, readahead, reduce batch, "
        "copy chunk and window)"));
  }
  if (options.spares < 0) return absl::InvalidArgumentError(absl::StrCat(job, "negative spares"));
  const SpeculationPolicy& s = options.policy.speculation;
  if (s.interval <= 0 || s.quantile <= 0 || s.quantile > 1 || s.multiplier < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        job, "speculation needs interval > 0, quantile in (0, 1] and multiplier >= 1"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Deployment> Launch(Simulation& sim, const JobOptions& options, JobOutcome* outcome) {
  DDC_RETURN_IF_ERROR(ValidatePlan(options.plan));
  DDC_RETURN_IF_ERROR(ValidateEngine(options));
  auto job = std::make_shared<JobContext>();
  job->options = options;
  job->outcome = outcome;
  DDC_ASSIGN_OR_RETURN(job->splits, SplitInput(*options.plan.input, options.plan.map_tasks));

  const Topology& topology = sim.topology();
  const std::optional<RackId> rack = topology.FindRack(options.rack);
  if (!rack) {
    return absl::NotFoundError(
        absl::StrCat("job ", options.plan.name, ": no rack \"", options.rack, "\""));
  }
  const std::vector<CeId>& ces = topology.rack(*rack).ces;
  if (ces.size() < 2) {
    return absl::InvalidArgumentError(absl::StrCat("job ", options.plan.name, ": rack ",
                                                   options.rack,
                                                   " needs at least 2 CEs (one for the "
                                                   "orchestrator, one for workers), has ",
                                                   ces.size()));
  }
  const bool from_scratch = options.policy.recovery == Recovery::kRestart ||
                            options.policy.mitigation == Mitigation::kSpeculate;
  if (options.spares < 1 && (from_scratch || options.policy.mitigation != Mitigation::kNone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "job ", options.plan.name, ": the policy re-executes tasks, which needs a spare worker"));
  }
  const std::vector<CeId> worker_ces(ces.begin() + 1, ces.end());
  auto worker_ce = [&](size_t i) { return worker_ces[i % worker_ces.size()]; };

  // Timeouts for transparent mode's heartbeat detector: the largest message a worker exchanges
  // is a copy chunk.
  const CostModel model(sim.config().cost_model());
  job->timeouts = model.AggressiveTimeouts(/*same_rack=*/true, options.engine.copy.chunk);

  const std::string prefix = absl::StrCat("mr-", options.plan.name, "-");
  job->orchestrator = prefix + "orchestrator";
  if (from_scratch) job->input_store = prefix + "input-store";
  Deployment d;
  for (int m = 0; m < options.plan.map_tasks; ++m) {
    job->map_workers.push_back(absl::StrCat(prefix, "map-", m));
    job->ce_of[job->map_workers.back()] = worker_ce(static_cast<size_t>(m));
    d.map_ces.push_back(worker_ce(static_cast<size_t>(m)));
  }
  for (int s = 0; s < options.spares; ++s) {
    job->spares.push_back(absl::StrCat(prefix, "spare-", s));
    const CeId ce = worker_ce(static_cast<size_t>(options.plan.map_tasks + s));
    job->ce_of[job->spares.back()] = ce;
    d.spare_ces.push_back(ce);
  }
  for (int r = 0; r < options.plan.reduce_tasks; ++r) {
    job->reducers.push_back(absl::StrCat(prefix, "reduce-", r));
  }
  std::shared_ptr<const JobContext> shared = job;

  DDC_ASSIGN_OR_RETURN(
      d.orchestrator,
      sim.Spawn({.name = job->orchestrator, .ce = ces[0], .main = [shared](Process& self) {
                   return RunOrchestrator(self, shared);
                 }}));
  if (!job->input_store.empty()) {
    DDC_RETURN_IF_ERROR(
        sim.Spawn({.name = job->input_store,
                   .ce = ces[0],
                   .main = [shared](Process& self) { return RunInputStore(self, shared); }})
            .status());
  }
  for (const std::string& name : job->map_workers) {
    DDC_ASSIGN_OR_RETURN(
        const ProcessId id,
        sim.Spawn({.name = name, .ce = job->ce_of[name], .main = [shared](Process& self) {
                     return RunMapWorker(self, shared);
                   }}));
    d.map_workers.push_back(id);
  }
  for (const std::string& name : job->spares) {
    DDC_ASSIGN_OR_RETURN(
        const ProcessId id,
        sim.Spawn({.name = name, .ce = job->ce_of[name], .main = [shared](Process& self) {
                     return RunMapWorker(self, shared);
                   }}));
    d.spares.push_back(id);
  }
  for (int r = 0; r < options.plan.reduce_tasks; ++r) {
    DDC_ASSIGN_OR_RETURN(
        const ProcessId id,
        sim.Spawn(
            {.name = job->reducers[static_cast<size_t>(r)],
             .ce = worker_ce(static_cast<size_t>(options.plan.map_tasks + options.spares + r)),
             .main = [shared, r](Process& self) { return RunReducer(self, shared, r); }}));
    d.reducers.push_back(id);
  }
  return d;
}

}  // namespace ddc::mapreduce
