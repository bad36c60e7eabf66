// CounterCell: the counter's state in memory-element (ME) pages.
//
// What a process keeps in C++ objects dies with its compute element (CE); only ME pages survive,
// and only what was flushed: a write stays in the CE's cache until Flush writes it back. So the
// rule of this service is: write, flush, and only then acknowledge.
//
// The state is 16 bytes inside one cache line, whose write-back reaches the ME whole, so a crash
// leaves either the old or the new state. A larger state would need a format that survives a torn
// write-back: see common/durable (DurableCell, DurableLog).
#ifndef DDC_EXAMPLES_PRIMARY_BACKUP_COUNTER_CELL_H_
#define DDC_EXAMPLES_PRIMARY_BACKUP_COUNTER_CELL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "asio/awaitable.hpp"
#include "examples/primary_backup/primary_backup.pb.h"
#include "platform/memory.h"

namespace ddc::primary_backup {

// CounterState is the service's state as stored in memory (Counter is its message form).
struct CounterState {
  uint64_t value = 0;
  uint64_t last_client_seq = 0;  // the client sequence number of the last increment applied
  bool operator==(const CounterState&) const = default;
};

Counter ToMessage(const CounterState& state);
CounterState FromMessage(const Counter& counter);

// kRootName is the rack-namespace name under which the primary publishes its cell's address, so
// that a process that steals the primary's pages can find the state in them.
inline constexpr char kRootName[] = "primary-backup/counter";

class CounterCell {
 public:
  // Create allocates a fresh page (zeroed: value 0, nothing applied) for a cell.
  static asio::awaitable<absl::StatusOr<CounterCell>> Create(Memory& memory);
  // At is the cell at `address`, in pages the caller owns (e.g. pages it stole).
  static CounterCell At(Memory& memory, VirtAddr address) { return CounterCell(memory, address); }

  VirtAddr address() const { return address_; }

  asio::awaitable<absl::StatusOr<CounterState>> Load();
  // Store writes `state` into the CE cache: it survives a crash only after Flush.
  asio::awaitable<absl::Status> Store(CounterState state);
  // Flush writes the cell back to its ME and waits for the acknowledgement.
  asio::awaitable<absl::Status> Flush();

 private:
  CounterCell(Memory& memory, VirtAddr address) : memory_(&memory), address_(address) {}

  Memory* memory_;
  VirtAddr address_;
};

}  // namespace ddc::primary_backup

#endif  // DDC_EXAMPLES_PRIMARY_BACKUP_COUNTER_CELL_H_
