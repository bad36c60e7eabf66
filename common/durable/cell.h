// DurableCell: a small value, replaced atomically, that survives a crash of the compute element.
//
//   DDC_CO_ASSIGN_OR_RETURN(DurableCell cell, co_await DurableCell::Open(memory, address));
//   DDC_CO_RETURN_IF_ERROR(co_await cell.Write("epoch=7"));   // durable when it returns OK
//   absl::StatusOr<std::string> value = co_await cell.Read();   // NOT_FOUND if never written
//
// Contract:
// - A cell occupies one 4 KiB block (kCellBytes, 4 KiB aligned) of memory the caller owns; the
//   caller allocates it (fresh memory is zero, which is an empty cell). Values are 0 to
//   kMaxValueBytes (2032) bytes.
// - Write returns OK only when the value is durable at the memory element (written, flushed).
// - After a crash at any point, Read returns the value of the last Write that returned OK, or of
//   a later Write that was in flight when the crash came; never a torn value or garbage. A cell
//   no Write ever reached reads as NOT_FOUND.
// - Bad input (an oversized value) returns INVALID_ARGUMENT and writes nothing.
// - One owner at a time; calls must not overlap (one coroutine at a time).
//
// Format: two 2 KiB slots; a slot is
//     masked CRC-32C u32 | length u32 | sequence u64 | value[length]
// with the CRC over (slot address, sequence, length, value). The current value is the valid slot
// with the higher sequence. A Write goes to the *other* slot with sequence + 1 and flushes it,
// so the current value's bytes are never touched while a new one is being written: even if the
// write-back of the slot were torn, the old slot stays intact and the torn one fails its CRC.
//
// Costs: Open and Read read the 4 KiB block once; Write is one write of 16 + length bytes and one
// flush of that slot (one line written back).
#ifndef DDC_COMMON_DURABLE_CELL_H_
#define DDC_COMMON_DURABLE_CELL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "asio/awaitable.hpp"
#include "platform/memory.h"

namespace ddc::durable {

class DurableCell {
 public:
  static constexpr int64_t kCellBytes = 4096;
  static constexpr int64_t kSlotBytes = kCellBytes / 2;
  static constexpr int64_t kSlotHeaderBytes = 16;
  static constexpr int64_t kMaxValueBytes = kSlotBytes - kSlotHeaderBytes;

  // Open binds the cell at `address` (4 KiB aligned) and reads its current value.
  static asio::awaitable<absl::StatusOr<DurableCell>> Open(Memory& memory, VirtAddr address);

  // OpenWritten is Open for the root cell of a `structure` ("log", "hash table"): a cell that
  // was never written is FAILED_PRECONDITION, "no <structure> at <address>".
  static asio::awaitable<absl::StatusOr<DurableCell>> OpenWritten(Memory& memory, VirtAddr address,
                                                                  absl::string_view structure);

  // Read reads the cell again from memory: its current value, or NOT_FOUND when it is empty.
  asio::awaitable<absl::StatusOr<std::string>> Read();
  // Write replaces the value; OK means durable.
  asio::awaitable<absl::Status> Write(absl::string_view value);

  // value is the current value as of the last Open, Read or successful Write (nullopt: empty).
  const std::optional<std::string>& value() const { return value_; }
  // sequence counts the Writes that produced the current value (0 when empty).
  uint64_t sequence() const { return sequence_; }
  VirtAddr address() const { return address_; }

 private:
  DurableCell(Memory& memory, VirtAddr address) : memory_(&memory), address_(address) {}
  VirtAddr SlotAddress(int slot) const { return address_ + slot * kSlotBytes; }
  // Load reads both slots and adopts the newest valid one.
  asio::awaitable<absl::Status> Load();

  Memory* memory_;
  VirtAddr address_;
  int current_slot_ = -1;  // -1: empty
  uint64_t sequence_ = 0;
  std::optional<std::string> value_;
};

}  // namespace ddc::durable

#endif  // DDC_COMMON_DURABLE_CELL_H_
