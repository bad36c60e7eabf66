// SlotTable maps every one of the kSlotCount slots to the shard that owns it and the epoch at
// which it got it. The coordinator holds the authoritative table; clients cache a copy and
// repair it from MOVED replies and fresh copies.
//
// Epochs: every change of ownership carries a fresh, larger epoch (the coordinator's counter),
// so a copy learns only newer facts (Learn ignores an older or equal epoch) and no slot is ever
// owned by two shards at the same epoch.
#ifndef DDC_KVSTORE_SLOT_TABLE_H_
#define DDC_KVSTORE_SLOT_TABLE_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "kvstore/kvstore.pb.h"
#include "kvstore/slot.h"
#include "platform/types.h"

namespace ddc::kvstore {

struct SlotOwner {
  ProcessId shard = kNoProcess;
  uint64_t epoch = 0;
};

class SlotTable {
 public:
  SlotTable() : owners_(kSlotCount) {}

  // Even gives `shards` contiguous, nearly equal slot ranges, in order, at `epoch`.
  static SlotTable Even(const std::vector<ProcessId>& shards, uint64_t epoch);

  const SlotOwner& owner(int slot) const { return owners_[slot]; }
  // Learn records that `shard` owns `slot` since `epoch` when that is newer than what the table
  // knows; returns whether it changed the table.
  bool Learn(int slot, ProcessId shard, uint64_t epoch);
  // Epoch is the largest epoch in the table.
  uint64_t epoch() const;
  // SlotsOf lists the slots `shard` owns, in increasing order.
  std::vector<int> SlotsOf(ProcessId shard) const;

  SlotTableReply ToProto() const;
  // FromProto replaces the table by `reply`; INVALID_ARGUMENT (table unchanged) when a range is
  // out of bounds or reversed.
  absl::Status FromProto(const SlotTableReply& reply);

 private:
  std::vector<SlotOwner> owners_;
};

}  // namespace ddc::kvstore

#endif  // DDC_KVSTORE_SLOT_TABLE_H_
