// JobPlan: a job as the engine runs it, in bytes. The typed API (job.h) compiles a job of typed
// mappers and reducers into a JobPlan; the engine (orchestrator, map and reduce attempts) sees
// nothing else. A plan can also be written directly against the byte-level interfaces here.
//
// Contract:
// - MapFunction::Map is called once per input record, in input order, with the record's byte
//   offset in the dataset and its bytes (delimiter included), and emits encoded (key, value)
//   pairs to a KvSink. A non-OK status, or an exception, fails the job: the engine reports it
//   naming the job, the task and the record's offset, and presents no output.
// - ReduceFunction::Reduce is called once per distinct key, in key order (bytewise), with the
//   key's values in value order (bytewise); a combiner is a ReduceFunction run on each spill of a
//   map task and must emit pairs with the key it was given (it may merge values: word counts add
//   up). A combiner must not change the job's result: the engine runs it zero, one or several
//   times on any subset of a key's values.
// - Every function object is created per task attempt (the factories), so it may keep state for
//   one task; it must be deterministic (the same input gives the same output), because a task may
//   run more than once and its attempts' outputs must agree.
// - ValidatePlan returns INVALID_ARGUMENT naming the job and what is wrong: no name, no input,
//   zero or too many map tasks, zero reduce tasks, a missing mapper or reducer.
#ifndef DDC_MAPREDUCE_PLAN_H_
#define DDC_MAPREDUCE_PLAN_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mapreduce/costs.h"
#include "mapreduce/counters.h"
#include "mapreduce/input.h"

namespace ddc::mapreduce {

// TaskContext is what user code may see of its task: its name, for error messages, and its
// counters.
class TaskContext {
 public:
  TaskContext(std::string job, std::string task) : job_(std::move(job)), task_(std::move(task)) {}
  const std::string& job() const { return job_; }
  // task is "map 3" or "reduce 0".
  const std::string& task() const { return task_; }
  Counters& counters() { return counters_; }
  const Counters& counters() const { return counters_; }

 private:
  std::string job_;
  std::string task_;
  Counters counters_;
};

class KvSink {
 public:
  virtual ~KvSink() = default;
  virtual absl::Status Emit(absl::string_view key, absl::string_view value) = 0;
};

// ValueCursor yields one key's values; Next returns false after the last.
class ValueCursor {
 public:
  virtual ~ValueCursor() = default;
  virtual bool Next(absl::string_view* value) = 0;
};

class MapFunction {
 public:
  virtual ~MapFunction() = default;
  virtual absl::Status Map(int64_t offset, absl::string_view record, KvSink& out,
                           TaskContext& context) = 0;
};

class ReduceFunction {
 public:
  virtual ~ReduceFunction() = default;
  virtual absl::Status Reduce(absl::string_view key, ValueCursor& values, KvSink& out,
                              TaskContext& context) = 0;
};

// PartitionerKind: hash partitioning (FNV-1a of the encoded key, modulo the reducers), or range
// partitioning by split points taken from a sample of the input's keys (TeraSort's
// TotalOrderPartitioner), which makes the concatenated output of the reducers globally sorted.
enum class PartitionerKind { kHash, kSampledRange };

struct PartitionerPlan {
  PartitionerKind kind = PartitionerKind::kHash;
  // Range partitioning samples this many keys from each split (kSampledRange only), by running
  // the mapper over records at evenly spaced places of the split.
  int samples_per_split = 256;
};

struct JobPlan {
  std::string name;
  std::shared_ptr<const Dataset> input;
  int map_tasks = 1;
  int reduce_tasks = 1;
  std::shared_ptr<const RecordFormat> record_format;
  std::function<std::unique_ptr<MapFunction>()> new_mapper;
  std::function<std::unique_ptr<ReduceFunction>()> new_combiner;  // empty: no combiner
  std::function<std::unique_ptr<ReduceFunction>()> new_reducer;
  PartitionerPlan partitioner;
  TaskCosts costs;
};

absl::Status ValidatePlan(const JobPlan& plan);

// Partitioning maps an encoded key to its reduce partition.
class Partitioning {
 public:
  static Partitioning Hash(int partitions);
  // Range: partition i holds keys in [split_points[i-1], split_points[i]); `split_points` must
  // be sorted and hold partitions - 1 points.
  static Partitioning Range(int partitions, std::vector<std::string> split_points);
  // FromSamples picks partitions - 1 split points at the sample's quantiles.
  static Partitioning FromSamples(int partitions, std::vector<std::string> samples);

  int Of(absl::string_view key) const;
  int partitions() const { return partitions_; }
  const std::vector<std::string>& split_points() const { return split_points_; }

 private:
  Partitioning(int partitions, std::vector<std::string> split_points)
      : partitions_(partitions), split_points_(std::move(split_points)) {}
  int partitions_;
  std::vector<std::string> split_points_;  // empty: hash
};

// TaskName is "map 3" or "reduce 0"; JobTaskError prefixes an error with "job <name>: <task>".
std::string TaskName(bool map, int task);
absl::Status JobTaskError(absl::string_view job, absl::string_view task, const absl::Status& error);

// CallUser runs user code, turning an exception it throws into INTERNAL naming the exception.
absl::Status CallUser(const std::function<absl::Status()>& code);

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_PLAN_H_
