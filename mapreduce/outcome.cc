#include "mapreduce/outcome.h"

#include <algorithm>

namespace ddc::mapreduce {

AttemptRecord* JobOutcome::FindAttempt(int task, int attempt) {
  for (AttemptRecord& a : attempts) {
    if (a.task == task && a.attempt == attempt) return &a;
  }
  return nullptr;
}

std::vector<KvPair> JobOutcome::AllOutput() const {
  std::vector<KvPair> all;
  for (const auto& partition : output) all.insert(all.end(), partition.begin(), partition.end());
  return all;
}

Duration JobOutcome::WastedTaskNs() const {
  Duration wasted = 0;
  for (const AttemptRecord& a : attempts) {
    if (a.end == "committed" || a.ended < 0) continue;
    // A stolen attempt's work up to its last checkpoint lives on in its thief.
    const Time kept_until = a.end == "stolen" ? std::max(a.last_checkpoint, a.started) : a.started;
    wasted += std::max<Duration>(0, a.ended - kept_until);
  }
  return wasted;
}

int64_t JobOutcome::InputRefetched() const {
  int64_t bytes = 0;
  for (const AttemptRecord& a : attempts) bytes += a.input_refetched;
  return bytes;
}

}  // namespace ddc::mapreduce
