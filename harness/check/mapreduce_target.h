// MapReduceTarget: `ddc check --app mapreduce`. Each seed draws a small job (WordCount with or
// without a combiner, TeraSort over uniform or skewed gensort records, or Grep; a few hundred KiB
// to a few MiB of input; mappers x reducers x spares), the engine's knobs (sort buffer, read
// chunk, copy tuning, straggler mitigation: none, or the mode's own: speculation in transparent
// mode, steal-and-resume in exposed mode) and a platform (one rack, a CE per process, a drawn
// cost model), and a fault schedule over the job's workers: CE crash (and restart), pause and
// slowdown, message drop, delay and duplication, partitions, ME failure (docs/checking.md,
// "## mapreduce", says which faults are drawn and why).
//
// Fault times are relative to the job's start: Run loads the splits without faults (the setup of
// a FoundationDB workload), then injects config.faults() shifted by the time the job's clock
// started, so a fault hits the same point of the job in both modes.
//
// Invariants, each a function of recorded data so a test can feed it a tampered outcome:
//   "job completes"                  the job succeeded by the end of the liveness phase
//   "output equals reference"        its output, as a multiset of pairs, is RunReference's
//   "no record lost or duplicated"   pair count, duplicate keys and checksum match the reference;
//                                    TeraSort's output validates like valsort against its input
//                                    (sorted across reducers, same count, same CRC-32C sum)
//   "no output from a failed job"    a job that did not succeed presents no output
//   "no unexpected process failure"  a process failed only on a CE a fault hit, or after an ME
//                                    failure
#ifndef DDC_HARNESS_CHECK_MAPREDUCE_TARGET_H_
#define DDC_HARNESS_CHECK_MAPREDUCE_TARGET_H_

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "harness/check/check.h"
#include "mapreduce/launch.h"
#include "mapreduce/outcome.h"
#include "platform/simulation.h"

namespace ddc::check {

// MapReduceKnobs are the drawn workload knobs, kept in Scenario::options as strings (Run parses
// them back, so a scenario edited by hand or by the shrinker runs what it says).
struct MapReduceKnobs {
  std::string job = "wordcount";  // wordcount, wordcount-combiner, terasort, terasort-skewed, grep
  int64_t input_bytes = 512 * 1024;
  int maps = 2;
  int reduces = 2;
  int spares = 1;
  std::string mitigation = "none";  // none, or "mode": the mode's default (policy.h)
  int64_t spill_bytes = 128 * 1024;
  int64_t read_chunk_bytes = 32 * 1024;
  int64_t copy_chunk_bytes = 64 * 1024;
  int copy_window = 4;
  Duration speculation_interval = Microseconds(500);
  std::string grep_pattern = "a";

  std::vector<std::pair<std::string, std::string>> ToOptions() const;
  static absl::StatusOr<MapReduceKnobs> FromOptions(
      const std::vector<std::pair<std::string, std::string>>& options);
};

// JobOptionsFor builds the job and engine options of `knobs` in `mode`; `seed` seeds the input.
absl::StatusOr<mapreduce::JobOptions> JobOptionsFor(const MapReduceKnobs& knobs, Mode mode,
                                                    uint64_t seed);

// The invariant checks, on what a run recorded. Each returns the violations it found.
std::vector<Violation> CheckJobCompletes(const mapreduce::JobOutcome& outcome);
std::vector<Violation> CheckOutputEqualsReference(const mapreduce::JobOutcome& outcome,
                                                  const std::vector<mapreduce::KvPair>& reference);
// `terasort_input` is the TeraSort input dataset (null for the other jobs).
std::vector<Violation> CheckNoRecordLostOrDuplicated(
    const mapreduce::JobOutcome& outcome, const std::vector<mapreduce::KvPair>& reference,
    const mapreduce::Dataset* terasort_input);
std::vector<Violation> CheckNoOutputFromFailedJob(const mapreduce::JobOutcome& outcome);
// `faulted_ces` are the CEs a crash, pause or slowdown hit; `me_failed` whether an ME failed.
std::vector<Violation> CheckProcessFailures(const std::vector<ProcessFailure>& failures,
                                            const std::set<std::string>& faulted_processes,
                                            bool me_failed);

class MapReduceTarget : public CheckTarget {
 public:
  absl::string_view name() const override { return "mapreduce"; }
  std::vector<std::string> invariants() const override;
  absl::StatusOr<Scenario> Draw(uint64_t seed) const override;
  absl::StatusOr<RunReport> Run(const Scenario& scenario, Mode mode) const override;
};

std::unique_ptr<CheckTarget> MakeMapReduceTarget();

}  // namespace ddc::check

#endif  // DDC_HARNESS_CHECK_MAPREDUCE_TARGET_H_
