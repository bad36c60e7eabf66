#include "harness/experiments/mapreduce_workload.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "mapreduce/rack_config.h"
#include "platform/status_macros.h"

namespace ddc::harness {
namespace {

PhaseTraffic Between(const ddc::Metrics& from, const ddc::Metrics& to) {
  PhaseTraffic t;
  t.network_bytes = to.bytes_sent - from.bytes_sent;
  t.network_messages = to.messages_sent - from.messages_sent;
  t.memory_bytes = to.memory_bytes - from.memory_bytes;
  t.memory_round_trips = to.memory_round_trips - from.memory_round_trips;
  t.grants = to.grants - from.grants;
  t.pages_granted = to.pages_granted - from.pages_granted;
  return t;
}

}  // namespace

MapReduceWorkload::MapReduceWorkload(mapreduce::JobOptions options, JobFaults faults,
                                     JobVerifier verify, MetricRow labels)
    : options_(std::move(options)),
      faults_(std::move(faults)),
      verify_(std::move(verify)),
      labels_(std::move(labels)),
      outcome_(std::make_unique<mapreduce::JobOutcome>()) {}

absl::Status MapReduceWorkload::Setup(Simulation& sim) {
  sim_ = &sim;
  DDC_ASSIGN_OR_RETURN(deployment_, mapreduce::Launch(sim, options_, outcome_.get()));
  if (faults_) DDC_RETURN_IF_ERROR(faults_(sim, deployment_));
  return absl::OkStatus();
}

bool MapReduceWorkload::Finished() const {
  const mapreduce::JobPhases& phases = outcome_->phases;
  if (!have_start_ && phases.start >= 0) {
    at_start_ = sim_->metrics();
    have_start_ = true;
  }
  if (!have_maps_done_ && phases.maps_done >= 0) {
    at_maps_done_ = sim_->metrics();
    have_maps_done_ = true;
  }
  if (!have_shuffle_done_ && phases.shuffle_done >= 0) {
    at_shuffle_done_ = sim_->metrics();
    have_shuffle_done_ = true;
  }
  return outcome_->finished;
}

absl::Status MapReduceWorkload::Check(const Simulation& sim) {
  if (!outcome_->finished) {
    return absl::DeadlineExceededError(absl::StrCat("job ", options_.plan.name, " did not finish"));
  }
  DDC_RETURN_IF_ERROR(outcome_->status);
  if (verify_) DDC_RETURN_IF_ERROR(verify_(*outcome_));
  shuffle_ = Between(at_maps_done_, at_shuffle_done_);
  total_ = Between(at_start_, sim.metrics());
  const int64_t page = sim.config().memory().page_size();
  // The map output the shuffle moved: the committed attempts' partitions, in whole pages.
  shuffle_bytes_ = outcome_->counters.Get("shuffle_pages") * page;
  partitions_ = static_cast<int64_t>(options_.plan.map_tasks) * options_.plan.reduce_tasks;
  return absl::OkStatus();
}

std::vector<MetricRow> MapReduceWorkload::Metrics() const {
  const mapreduce::JobOutcome& o = *outcome_;
  const mapreduce::JobPhases& p = o.phases;
  MetricRow row = labels_;
  auto add = [&row](const char* name, auto value) { row.emplace_back(name, absl::StrCat(value)); };
  add("job_ns", p.end - p.start);
  add("map_ns", p.maps_done - p.start);
  add("shuffle_ns", p.shuffle_done - p.maps_done);
  add("reduce_ns", p.end - p.shuffle_done);
  add("shuffle_bytes", shuffle_bytes_);
  add("partitions", partitions_);
  add("shuffle_network_bytes", shuffle_.network_bytes);
  add("shuffle_network_messages", shuffle_.network_messages);
  add("shuffle_memory_bytes", shuffle_.memory_bytes);
  add("shuffle_memory_round_trips", shuffle_.memory_round_trips);
  add("shuffle_grants", shuffle_.grants);
  add("job_network_bytes", total_.network_bytes);
  add("job_memory_bytes", total_.memory_bytes);
  add("job_memory_round_trips", total_.memory_round_trips);
  add("map_attempts", o.attempts.size());
  add("wasted_task_ns", o.WastedTaskNs());
  add("input_reread_bytes", o.InputRefetched());
  add("output_records", o.counters.Get("reduce_output_records"));
  return {row};
}

void Tabulate(const MetricRow& row, CsvTable& table) {
  std::vector<std::string> header;
  std::vector<std::string> cells;
  for (const auto& [name, value] : row) {
    header.push_back(name);
    cells.push_back(value);
  }
  if (table.empty()) table.SetHeader(std::move(header));
  table.AddCells(std::move(cells));
}

PlatformConfig OneRackFor(const PlatformConfig& base, const mapreduce::JobOptions& options) {
  PlatformConfig config = base;
  config.clear_racks();
  const PlatformConfig rack = mapreduce::OneRackConfig(
      mapreduce::JobCes(options.plan.map_tasks, options.spares, options.plan.reduce_tasks), 2,
      Mode::kExposed);
  *config.mutable_racks() = rack.racks();
  config.clear_placements();
  config.clear_faults();
  return config;
}

}  // namespace ddc::harness
