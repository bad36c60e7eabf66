#include "mapreduce/plan.h"

#include <algorithm>
#include <exception>

#include "absl/strings/str_cat.h"
#include "platform/random.h"

namespace ddc::mapreduce {

absl::Status ValidatePlan(const JobPlan& plan) {
  const std::string job = plan.name.empty() ? "job (unnamed)" : absl::StrCat("job ", plan.name);
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(job, ": ", why));
  };
  if (plan.name.empty()) return bad("a job needs a name");
  if (plan.input == nullptr) return bad("no input (no dataset given)");
  if (plan.input->size() <= 0) {
    return bad(absl::StrCat("no input (dataset \"", plan.input->name(), "\" is empty)"));
  }
  if (plan.map_tasks < 1) return bad(absl::StrCat(plan.map_tasks, " map tasks; need at least 1"));
  if (plan.map_tasks > plan.input->blocks()) {
    return bad(absl::StrCat(plan.map_tasks, " map tasks for ", plan.input->blocks(),
                            " input blocks; a map task reads at least one block"));
  }
  if (plan.reduce_tasks < 1) {
    return bad(absl::StrCat(plan.reduce_tasks, " reduce tasks; need at least 1"));
  }
  if (plan.record_format == nullptr) return bad("no record format");
  if (!plan.new_mapper) return bad("no mapper");
  if (!plan.new_reducer) return bad("no reducer");
  if (plan.partitioner.kind == PartitionerKind::kSampledRange &&
      plan.partitioner.samples_per_split < 1) {
    return bad("range partitioning needs at least 1 sample per split");
  }
  return absl::OkStatus();
}

Partitioning Partitioning::Hash(int partitions) { return Partitioning(partitions, {}); }

Partitioning Partitioning::Range(int partitions, std::vector<std::string> split_points) {
  return Partitioning(partitions, std::move(split_points));
}

Partitioning Partitioning::FromSamples(int partitions, std::vector<std::string> samples) {
  std::sort(samples.begin(), samples.end());
  std::vector<std::string> points;
  if (!samples.empty()) {
    for (int i = 1; i < partitions; ++i) {
      const size_t at = samples.size() * static_cast<size_t>(i) / static_cast<size_t>(partitions);
      points.push_back(samples[std::min(at, samples.size() - 1)]);
    }
  } else {
    points.assign(static_cast<size_t>(partitions - 1), std::string());
  }
  return Partitioning(partitions, std::move(points));
}

int Partitioning::Of(absl::string_view key) const {
  if (partitions_ <= 1) return 0;
  if (split_points_.empty())
    return static_cast<int>(Fnv1a64(key) % static_cast<uint64_t>(partitions_));
  // The number of split points <= key: keys equal to a point go above it.
  auto it = std::upper_bound(split_points_.begin(), split_points_.end(), key,
                             [](absl::string_view k, const std::string& p) { return k < p; });
  return static_cast<int>(it - split_points_.begin());
}

std::string TaskName(bool map, int task) { return absl::StrCat(map ? "map " : "reduce ", task); }

absl::Status JobTaskError(absl::string_view job, absl::string_view task,
                          const absl::Status& error) {
  return absl::Status(error.code(), absl::StrCat("job ", job, ": ", task, ": ", error.message()));
}

absl::Status CallUser(const std::function<absl::Status()>& code) {
  try {
    return code();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("user code threw an exception: ", e.what()));
  } catch (...) {
    return absl::InternalError("user code threw a non-standard exception");
  }
}

}  // namespace ddc::mapreduce
