// TransferWorkload moves N bytes from a sender to a receiver in the same rack (experiment
// `transfer`, claim C1), in the mode it runs in:
//
// - transparent (LegoOS-like): the sender reads the data through its CE cache from remote
//   memory, sends it over the network, and the receiver writes it into its own remote memory and
//   flushes it: chunked and pipelined (`window` reads in flight at the sender, the NICs
//   streaming, one write-and-flush in flight per arrived chunk at the receiver), buffers
//   preallocated before the timed window. The chunk size and window are tuned by the copy tuner.
// - exposed: one Grant of the region, then the GrantNotice control message.
//
// In both modes the data starts flushed and out of the sender's cache (it was produced earlier),
// and the transfer ends when the data is durable in memory the receiver owns and the receiver
// knows it. The receiver then reads the data back and compares it with what was written.
#ifndef DDC_HARNESS_EXPERIMENTS_TRANSFER_WORKLOAD_H_
#define DDC_HARNESS_EXPERIMENTS_TRANSFER_WORKLOAD_H_

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/workload.h"
#include "platform/memory.h"
#include "platform/simulation.h"

namespace ddc::harness {

struct TransferShape {
  int64_t bytes = 0;
  int64_t chunk = 0;  // transparent only
  int window = 1;     // transparent only
};

// TransferResult is what one transfer measured, next to its model.
struct TransferResult {
  Duration time = -1;
  Duration model = 0;
  uint64_t network_bytes = 0;
  uint64_t network_messages = 0;
  uint64_t memory_bytes = 0;
  uint64_t memory_round_trips = 0;
  bool verified = false;
};

class TransferWorkload final : public Workload {
 public:
  TransferWorkload(const PlatformConfig& config, Mode mode, uint64_t seed, TransferShape shape);
  ~TransferWorkload() override;

  absl::Status Setup(Simulation& sim) override;
  bool Finished() const override;
  absl::Status Check(const Simulation& sim) override;
  // Metrics: one row (bytes, size, chunk_bytes, window, time_ns, model_ns, ...).
  std::vector<MetricRow> Metrics() const override;

  const TransferResult& result() const { return result_; }

  // Shared is what the two processes of one run share (defined in the .cc).
  struct Shared;

 private:
  const PlatformConfig config_;
  const Mode mode_;
  const uint64_t seed_;
  const TransferShape shape_;
  std::unique_ptr<Shared> shared_;
  TransferResult result_;
};

// SizeName renders a byte count as "4KiB", "16MiB" or "1GiB".
std::string SizeName(int64_t bytes);

}  // namespace ddc::harness

#endif  // DDC_HARNESS_EXPERIMENTS_TRANSFER_WORKLOAD_H_
