// PrimaryBackupWorkload runs the primary-backup counter of examples/primary_backup (a replicated
// counter written once for both modes) with an optional crash of the primary's compute element,
// for the `primary-backup` experiment.
//
//   setup    Launch the primary, the backup and the client; schedule the crash.
//   finished when the client has acknowledged every increment and read the final state.
//   check    nothing acknowledged was lost and nothing was applied twice (CheckExactlyOnce).
//   metrics  one row: acks, failed calls, the ack latency before the crash, the longest wait for
//            an ack, detection and takeover times (from the crash), final value, lost and
//            duplicated increments.
#ifndef DDC_HARNESS_EXPERIMENTS_PRIMARY_BACKUP_WORKLOAD_H_
#define DDC_HARNESS_EXPERIMENTS_PRIMARY_BACKUP_WORKLOAD_H_

#include <optional>
#include <vector>

#include "examples/primary_backup/launch.h"
#include "examples/primary_backup/outcome.h"
#include "harness/workload.h"
#include "platform/simulation.h"

namespace ddc::harness {

class PrimaryBackupWorkload final : public Workload {
 public:
  // crash_at: when the primary's CE crashes; nullopt runs without a crash.
  PrimaryBackupWorkload(primary_backup::Options options, std::optional<Time> crash_at)
      : options_(options), crash_at_(crash_at) {}

  absl::Status Setup(Simulation& sim) override;
  bool Finished() const override { return outcome_.client.finished; }
  // The transparent primary heartbeats until the run stops, so an unfinished run must stop soon.
  Time time_limit() const override { return Seconds(1); }
  absl::Status Check(const Simulation& sim) override;
  std::vector<MetricRow> Metrics() const override;

  const primary_backup::Outcome& outcome() const { return outcome_; }
  // LongestWait is the longest wait for an ack, 0 without acks.
  Duration LongestWait() const;

 private:
  const primary_backup::Options options_;
  const std::optional<Time> crash_at_;
  primary_backup::Outcome outcome_;
};

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENTS_PRIMARY_BACKUP_WORKLOAD_H_
