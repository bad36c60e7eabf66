#include "examples/primary_backup/counter_cell.h"

#include "platform/status_macros.h"

namespace ddc::primary_backup {

Counter ToMessage(const CounterState& state) {
  Counter counter;
  counter.set_value(state.value);
  counter.set_last_client_seq(state.last_client_seq);
  return counter;
}

CounterState FromMessage(const Counter& counter) {
  return {.value = counter.value(), .last_client_seq = counter.last_client_seq()};
}

asio::awaitable<absl::StatusOr<CounterCell>> CounterCell::Create(Memory& memory) {
  DDC_CO_ASSIGN_OR_RETURN(Region page, co_await memory.Allocate(memory.page_size()));
  co_return CounterCell(memory, page.base);
}

// Thin wrappers over the memory interface; the cell knows its own address and size.
asio::awaitable<absl::StatusOr<CounterState>> CounterCell::Load() {
  co_return co_await memory_->ReadValue<CounterState>(address_);
}

asio::awaitable<absl::Status> CounterCell::Store(CounterState state) {
  co_return co_await memory_->WriteValue(address_, state);
}

asio::awaitable<absl::Status> CounterCell::Flush() {
  const Region cell{address_, sizeof(CounterState)};
  co_return co_await memory_->Flush(cell);
}

}  // namespace ddc::primary_backup
