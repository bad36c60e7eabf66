#include "common/durable/cell.h"

#include "absl/strings/str_format.h"
#include "common/durable/block.h"
#include "common/durable/coding.h"
#include "common/durable/crc32c.h"
#include "platform/status_macros.h"

namespace ddc::durable {
namespace {

uint32_t SlotChecksum(VirtAddr slot_address, uint64_t sequence, absl::string_view value) {
  std::string context;
  PutFixed64(context, slot_address);
  PutFixed64(context, sequence);
  PutFixed32(context, static_cast<uint32_t>(value.size()));
  return crc32c::Extend(crc32c::Value(context), value);
}

struct Slot {
  uint64_t sequence = 0;
  std::string value;
};

// ParseSlot returns the slot's contents if it holds a complete, intended value.
std::optional<Slot> ParseSlot(absl::string_view bytes, VirtAddr slot_address) {
  ByteReader in(bytes);
  uint32_t masked_crc = 0, length = 0;
  uint64_t sequence = 0;
  absl::string_view value;
  if (!in.ReadFixed(masked_crc) || !in.ReadFixed(length) || !in.ReadFixed(sequence) ||
      length > DurableCell::kMaxValueBytes || !in.ReadBytes(length, value) || sequence == 0) {
    return std::nullopt;
  }
  if (crc32c::Unmask(masked_crc) != SlotChecksum(slot_address, sequence, value)) {
    return std::nullopt;
  }
  return Slot{sequence, std::string(value)};
}

}  // namespace

asio::awaitable<absl::StatusOr<DurableCell>> DurableCell::Open(Memory& memory, VirtAddr address) {
  if (!IsBlockAligned(address)) {
    co_return absl::InvalidArgumentError(
        absl::StrFormat("durable cell: address 0x%x is not 4 KiB aligned", address));
  }
  DurableCell cell(memory, address);
  DDC_CO_RETURN_IF_ERROR(co_await cell.Load());
  co_return cell;
}

asio::awaitable<absl::StatusOr<DurableCell>> DurableCell::OpenWritten(Memory& memory,
                                                                      VirtAddr address,
                                                                      absl::string_view structure) {
  DDC_CO_ASSIGN_OR_RETURN(DurableCell cell, co_await Open(memory, address));
  if (!cell.value()) {
    co_return absl::FailedPreconditionError(absl::StrFormat(
        "%s: no %s at 0x%x (its root cell was never written)", structure, structure, address));
  }
  co_return cell;
}

asio::awaitable<absl::Status> DurableCell::Load() {
  DDC_CO_ASSIGN_OR_RETURN(std::string bytes, co_await memory_->Read(address_, kCellBytes));
  current_slot_ = -1;
  sequence_ = 0;
  value_.reset();
  for (int slot = 0; slot < 2; ++slot) {
    std::optional<Slot> parsed = ParseSlot(
        absl::string_view(bytes).substr(slot * kSlotBytes, kSlotBytes), SlotAddress(slot));
    if (parsed && parsed->sequence > sequence_) {
      current_slot_ = slot;
      sequence_ = parsed->sequence;
      value_ = std::move(parsed->value);
    }
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<std::string>> DurableCell::Read() {
  DDC_CO_RETURN_IF_ERROR(co_await Load());
  if (!value_) {
    co_return absl::NotFoundError(
        absl::StrFormat("durable cell at 0x%x holds no value (never written)", address_));
  }
  co_return *value_;
}

asio::awaitable<absl::Status> DurableCell::Write(absl::string_view value) {
  if (static_cast<int64_t>(value.size()) > kMaxValueBytes) {
    co_return absl::InvalidArgumentError(
        absl::StrFormat("durable cell at 0x%x: value of %d bytes exceeds the limit of %d bytes",
                        address_, value.size(), kMaxValueBytes));
  }
  // The other slot: the current value stays untouched until the new one is durable.
  const int target = current_slot_ == 0 ? 1 : 0;
  const uint64_t sequence = sequence_ + 1;
  const VirtAddr slot_address = SlotAddress(target);
  std::string image;
  PutFixed32(image, crc32c::Mask(SlotChecksum(slot_address, sequence, value)));
  PutFixed32(image, static_cast<uint32_t>(value.size()));
  PutFixed64(image, sequence);
  image.append(value.data(), value.size());
  DDC_CO_RETURN_IF_ERROR(co_await memory_->Write(slot_address, image));
  const Region slot{slot_address, static_cast<int64_t>(image.size())};
  DDC_CO_RETURN_IF_ERROR(co_await memory_->Flush(slot));
  current_slot_ = target;
  sequence_ = sequence;
  value_ = std::string(value);
  co_return absl::OkStatus();
}

}  // namespace ddc::durable
