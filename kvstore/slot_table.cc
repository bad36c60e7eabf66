#include "kvstore/slot_table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ddc::kvstore {

SlotTable SlotTable::Even(const std::vector<ProcessId>& shards, uint64_t epoch) {
  SlotTable table;
  const int n = static_cast<int>(shards.size());
  for (int slot = 0; slot < kSlotCount && n > 0; ++slot) {
    table.owners_[slot] = {shards[static_cast<int64_t>(slot) * n / kSlotCount], epoch};
  }
  return table;
}

bool SlotTable::Learn(int slot, ProcessId shard, uint64_t epoch) {
  SlotOwner& owner = owners_[slot];
  if (epoch <= owner.epoch) return false;
  owner = {shard, epoch};
  return true;
}

uint64_t SlotTable::epoch() const {
  uint64_t epoch = 0;
  for (const SlotOwner& owner : owners_) epoch = std::max(epoch, owner.epoch);
  return epoch;
}

std::vector<int> SlotTable::SlotsOf(ProcessId shard) const {
  std::vector<int> slots;
  for (int slot = 0; slot < kSlotCount; ++slot) {
    if (owners_[slot].shard == shard) slots.push_back(slot);
  }
  return slots;
}

SlotTableReply SlotTable::ToProto() const {
  SlotTableReply reply;
  reply.set_epoch(epoch());
  for (int first = 0; first < kSlotCount;) {
    int last = first;
    while (last + 1 < kSlotCount && owners_[last + 1].shard == owners_[first].shard &&
           owners_[last + 1].epoch == owners_[first].epoch) {
      ++last;
    }
    if (owners_[first].shard != kNoProcess) {
      SlotRange* range = reply.add_ranges();
      range->set_first(first);
      range->set_last(last);
      range->set_shard(Index(owners_[first].shard));
      range->set_epoch(owners_[first].epoch);
    }
    first = last + 1;
  }
  return reply;
}

absl::Status SlotTable::FromProto(const SlotTableReply& reply) {
  for (const SlotRange& range : reply.ranges()) {
    if (range.first() > range.last() || range.last() >= static_cast<uint32_t>(kSlotCount)) {
      return absl::InvalidArgumentError(
          absl::StrCat("slot table: bad range [", range.first(), ", ", range.last(), "]"));
    }
  }
  std::vector<SlotOwner> owners(kSlotCount);
  for (const SlotRange& range : reply.ranges()) {
    for (uint32_t slot = range.first(); slot <= range.last(); ++slot) {
      owners[slot] = {ProcessId{range.shard()}, range.epoch()};
    }
  }
  owners_ = std::move(owners);
  return absl::OkStatus();
}

}  // namespace ddc::kvstore
