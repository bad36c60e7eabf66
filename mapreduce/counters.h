// Counters: named 64-bit counts a task keeps (records read, records emitted, user-defined
// counts), Hadoop's counters in miniature.
//
//   context.counters().Add("lines_with_errors", 1);
//
// Contract:
// - Names are free-form strings; Add creates a counter at 0. Iteration is in name order, so
//   encodings and reports are deterministic.
// - A task's counters are part of its checkpoint: an attempt that resumes from a checkpoint
//   continues from the counts at that checkpoint, and a job's counters are the sum over the
//   *committed* attempt of every task. So a job reports the same counters whether a task ran
//   once, was restarted from scratch, or was stolen and resumed.
// - Encode/Decode serialize them (Decode returns INVALID_ARGUMENT for bytes that are not an
//   encoding).
#ifndef DDC_MAPREDUCE_COUNTERS_H_
#define DDC_MAPREDUCE_COUNTERS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddc::mapreduce {

// The engine's own counters (users may add others).
inline constexpr char kMapInputRecords[] = "map_input_records";
inline constexpr char kMapInputBytes[] = "map_input_bytes";
inline constexpr char kMapOutputRecords[] = "map_output_records";
inline constexpr char kMapOutputBytes[] = "map_output_bytes";
inline constexpr char kCombineInputRecords[] = "combine_input_records";
inline constexpr char kCombineOutputRecords[] = "combine_output_records";
inline constexpr char kSpilledRecords[] = "spilled_records";
inline constexpr char kSpills[] = "spills";
inline constexpr char kShufflePages[] = "shuffle_pages";      // map output pages a reducer got
inline constexpr char kShuffleRecords[] = "shuffle_records";  // and the records in them
inline constexpr char kReduceInputGroups[] = "reduce_input_groups";
inline constexpr char kReduceInputRecords[] = "reduce_input_records";
inline constexpr char kReduceOutputRecords[] = "reduce_output_records";
inline constexpr char kReduceOutputBytes[] = "reduce_output_bytes";

class Counters {
 public:
  void Add(absl::string_view name, int64_t delta);
  int64_t Get(absl::string_view name) const;
  // Merge adds every counter of `other` to this one.
  void Merge(const Counters& other);
  const std::map<std::string, int64_t, std::less<>>& values() const { return values_; }

  std::string Encode() const;
  static absl::StatusOr<Counters> Decode(absl::string_view bytes);
  bool operator==(const Counters&) const = default;

 private:
  std::map<std::string, int64_t, std::less<>> values_;
};

}  // namespace ddc::mapreduce

#endif  // DDC_MAPREDUCE_COUNTERS_H_
