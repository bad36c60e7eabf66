#include "mapreduce/straggler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ddc::mapreduce {

std::optional<int> PickStraggler(const SpeculationPolicy& policy,
                                 const std::vector<TaskProgress>& tasks, Time now) {
  std::vector<Duration> durations;
  for (const TaskProgress& t : tasks) {
    if (t.done) durations.push_back(t.finished - t.started);
  }
  const double needed = std::ceil(policy.quantile * static_cast<double>(tasks.size()));
  if (durations.empty() || static_cast<double>(durations.size()) < needed) return std::nullopt;
  std::sort(durations.begin(), durations.end());
  // Spark's median: the middle element (the upper one of an even count).
  const Duration median = durations[durations.size() / 2];
  const double threshold = policy.multiplier * static_cast<double>(median);
  std::optional<int> pick;
  double longest_left = -1;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const TaskProgress& t = tasks[i];
    if (!t.running || t.done || t.mitigated) continue;
    const Duration ran = now - t.started;
    if (static_cast<double>(ran) <= threshold || ran < policy.min_runtime) continue;
    const double left = t.processed <= 0
                            ? std::numeric_limits<double>::infinity()
                            : static_cast<double>(t.total - t.processed) *
                                  static_cast<double>(ran) / static_cast<double>(t.processed);
    if (left > longest_left) {
      longest_left = left;
      pick = static_cast<int>(i);
    }
  }
  return pick;
}

}  // namespace ddc::mapreduce
