// Crash workloads (crash_harness.h) for each durable structure: a fixed sequence of operations,
// derived from a seed, whose every acknowledgment is journaled, and the recovery check each
// later generation runs against that journal before it continues the sequence.
//
// Every payload is tagged with (operation index, writing generation) and filled with bytes
// derived from (seed, index, generation), so a recovered payload is checked byte for byte
// against what the journal says was written at that index by that generation: a torn, stale,
// resurrected or garbage payload cannot pass.
#ifndef DDC_COMMON_DURABLE_TESTING_WORKLOADS_H_
#define DDC_COMMON_DURABLE_TESTING_WORKLOADS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/durable/testing/crash_harness.h"

namespace ddc::durable::testing {

struct WorkloadOptions {
  uint64_t seed = 1;
  int operations = 40;
};

// CellWorkload writes `operations` values of random sizes to one DurableCell.
std::unique_ptr<CrashWorkload> NewCellWorkload(WorkloadOptions options);
// LogWorkload appends records (single and batched, 12 bytes to 3 blocks) to a small DurableLog
// ring, truncating half of it from the front whenever it is full.
std::unique_ptr<CrashWorkload> NewLogWorkload(WorkloadOptions options);
// TableWorkload puts (inline and out-of-line values) and deletes keys of a PageHashTable that
// starts with one bucket and a tiny pool, so it splits, chains and grows all along.
std::unique_ptr<CrashWorkload> NewTableWorkload(WorkloadOptions options);
// WriterWorkload appends records to a PageWriter, flushing every few records and checkpointing
// the progress in a DurableCell; recovery reads the checkpoint back and resumes from it.
std::unique_ptr<CrashWorkload> NewWriterWorkload(WorkloadOptions options);

// WorkloadFamily names one of the workloads above for parameterized crash tests.
struct WorkloadFamily {
  std::string name;
  std::function<std::unique_ptr<CrashWorkload>(WorkloadOptions)> make;
  int operations = 40;  // a size whose every-crash-point sweep takes a second or so
};
std::vector<WorkloadFamily> AllWorkloadFamilies();

// Tagged bytes: what the workloads write.
std::string TaggedBytes(uint64_t seed, uint64_t index, int generation, size_t size);
inline constexpr size_t kTagBytes = 12;

}  // namespace ddc::durable::testing

#endif  // DDC_COMMON_DURABLE_TESTING_WORKLOADS_H_
