// MapReduceWorkload runs one MapReduce job (mapreduce/launch.h) as a harness workload, for the
// experiments `mapreduce-shuffle` and `mapreduce-straggler`.
//
// - Setup launches the job on the run's simulation and schedules `faults` (a straggler's
//   slowdown, a crash).
// - While the job runs, the workload snapshots the platform's counters when the map phase ends
//   and when the shuffle ends, so that network and memory-interconnect traffic is reported per
//   phase.
// - Check fails the run unless the job succeeded and `verify` accepts its outcome (the output
//   equals the reference, or TeraSort's output validates).
// - Metrics: one row of `labels` (the experiment's own columns) followed by the figures below.
#ifndef DDC_HARNESS_EXPERIMENTS_MAPREDUCE_WORKLOAD_H_
#define DDC_HARNESS_EXPERIMENTS_MAPREDUCE_WORKLOAD_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/output.h"
#include "harness/workload.h"
#include "mapreduce/launch.h"
#include "mapreduce/outcome.h"
#include "platform/metrics.h"

namespace ddc::harness {

using JobFaults = std::function<absl::Status(Simulation&, const mapreduce::Deployment&)>;
using JobVerifier = std::function<absl::Status(const mapreduce::JobOutcome&)>;

// PhaseTraffic is what crossed the network and the memory interconnect in one phase.
struct PhaseTraffic {
  uint64_t network_bytes = 0;
  uint64_t network_messages = 0;
  uint64_t memory_bytes = 0;
  uint64_t memory_round_trips = 0;
  uint64_t grants = 0;
  uint64_t pages_granted = 0;
};

class MapReduceWorkload final : public Workload {
 public:
  MapReduceWorkload(mapreduce::JobOptions options, JobFaults faults, JobVerifier verify,
                    MetricRow labels);

  absl::Status Setup(Simulation& sim) override;
  bool Finished() const override;
  Time time_limit() const override { return Seconds(600); }
  absl::Status Check(const Simulation& sim) override;
  std::vector<MetricRow> Metrics() const override;

  const mapreduce::JobOutcome& outcome() const { return *outcome_; }
  Duration job_time() const { return outcome_->phases.end - outcome_->phases.start; }
  const PhaseTraffic& shuffle_traffic() const { return shuffle_; }
  // shuffle_bytes: the map output's page bytes (what the shuffle moves or grants).
  int64_t shuffle_bytes() const { return shuffle_bytes_; }
  int64_t partitions() const { return partitions_; }
  const mapreduce::Deployment& deployment() const { return deployment_; }

 private:
  mapreduce::JobOptions options_;
  JobFaults faults_;
  JobVerifier verify_;
  MetricRow labels_;
  std::unique_ptr<mapreduce::JobOutcome> outcome_;
  mapreduce::Deployment deployment_;
  const Simulation* sim_ = nullptr;
  // Snapshots taken by Finished(), which the runner calls after every event.
  mutable ddc::Metrics at_start_, at_maps_done_, at_shuffle_done_;
  mutable bool have_start_ = false, have_maps_done_ = false, have_shuffle_done_ = false;
  PhaseTraffic shuffle_;
  PhaseTraffic total_;
  int64_t shuffle_bytes_ = 0;
  int64_t partitions_ = 0;
};

// Tabulate adds `row` to `table` (its names become the header when the table is empty).
void Tabulate(const MetricRow& row, CsvTable& table);

// OneRackFor returns the context's config with its racks replaced by one rack "r0" with a CE for
// every process of `options` (mapreduce/rack_config.h) and two MEs; the cost model, memory,
// monitor and trace settings are kept.
PlatformConfig OneRackFor(const PlatformConfig& base, const mapreduce::JobOptions& options);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENTS_MAPREDUCE_WORKLOAD_H_
