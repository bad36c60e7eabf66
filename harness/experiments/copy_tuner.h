// BestCopy tunes the transparent (copy-based) transfer of `bytes`, so that the baseline the
// grant is compared with is the best a copy can do on this rack: it searches the chunk size
// (whole cache lines, powers of two from one line to min(N, 16 MiB)) and the number of reads in
// flight (powers of two up to 64).
//
// Up to 16 MiB every pair is run. Beyond, a local search starts from the better of `hint` (the
// best pair of the previous size) and 64 KiB x 4, and moves to the best neighbour (chunk or
// window doubled or halved) until none is faster. A transfer no larger than a line is one chunk.
#ifndef DDC_HARNESS_EXPERIMENTS_COPY_TUNER_H_
#define DDC_HARNESS_EXPERIMENTS_COPY_TUNER_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "harness/experiments/transfer_workload.h"

namespace ddc::harness {

struct CopyChoice {
  int64_t chunk = 64 * 1024;
  int window = 4;
};

struct TunedCopy {
  TransferResult result;
  CopyChoice choice;
};

// RunCopy runs one transparent transfer with the given chunk and window.
using RunCopy = std::function<absl::StatusOr<TransferResult>(CopyChoice)>;

absl::StatusOr<TunedCopy> BestCopy(int64_t bytes, int64_t line, const RunCopy& run,
                                   CopyChoice hint = {});

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENTS_COPY_TUNER_H_
