// KV store: the requests a shard decodes from clients (CommandSlot validates every KvRequest
// before it touches data) and the slot tables clients decode from the coordinator
// (SlotTable::FromProto), plus the epoch rule of SlotTable::Learn.
//
// Checked:
//   - CommandSlot accepts only well-formed commands: a known name with its arity, keys of 1 to
//     kMaxKeyBytes bytes, values of at most kMaxValueBytes; the slot it returns is in range and is
//     the slot of every key; a refusal is INVALID_ARGUMENT;
//   - FromProto either installs exactly the ranges it was given or refuses with INVALID_ARGUMENT
//     and leaves the table as it was;
//   - Learn never lowers a slot's epoch.
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "fuzz/fuzz_input.h"
#include "fuzz/targets.h"
#include "kvstore/command.h"
#include "kvstore/kvstore.pb.h"
#include "kvstore/slot.h"
#include "kvstore/slot_table.h"

namespace ddc::fuzz {
namespace {

using kvstore::kSlotCount;
using kvstore::KvRequest;

// Keys share hash tags often, so multi-key commands land in one slot sometimes.
std::string DrawKey(FuzzInput& in) {
  switch (in.Below(4)) {
    case 0:
      return absl::StrCat("{t}", in.Below(8));
    case 1:
      return std::string(static_cast<size_t>(kvstore::kMaxKeyBytes + in.Below(2)), 'k');
    default:
      return in.Bytes(24);
  }
}

KvRequest DrawRequest(FuzzInput& in) {
  KvRequest r;
  if (in.Below(8) == 0) {
    r.ParseFromString(in.Bytes(256));
    return r;
  }
  r.set_command(static_cast<kvstore::CommandName>(in.Below(7)));  // valid values only
  const int args = static_cast<int>(in.Below(4));
  for (int i = 0; i < args; ++i) {
    if (r.command() == kvstore::SCAN && i == 0) {
      r.add_args(absl::StrCat(static_cast<int64_t>(in.Int(4)) - 8));
    } else if (r.command() == kvstore::SET && i == 1 && in.Below(16) == 0) {
      r.add_args(std::string(static_cast<size_t>(kvstore::kMaxValueBytes + 1), 'v'));
    } else {
      r.add_args(DrawKey(in));
    }
  }
  r.set_asking(in.Bool());
  return r;
}

absl::Status CheckCommand(const KvRequest& r) {
  absl::StatusOr<int> slot = kvstore::CommandSlot(r);
  if (!slot.ok()) {
    if (slot.status().code() != absl::StatusCode::kInvalidArgument) {
      return absl::InternalError(
          absl::StrCat("CommandSlot refused with ", slot.status().ToString()));
    }
    return absl::OkStatus();
  }
  const std::string what = r.ShortDebugString().substr(0, 200);
  if (*slot < 0 || *slot >= kSlotCount) {
    return absl::InternalError(absl::StrCat("slot ", *slot, " out of range for ", what));
  }
  if (r.command() == kvstore::SCAN) return absl::OkStatus();
  const int keys = r.command() == kvstore::MGET ? r.args_size() : 1;
  if (r.args_size() < 1) return absl::InternalError(absl::StrCat("accepted without a key: ", what));
  for (int i = 0; i < keys; ++i) {
    const std::string& key = r.args(i);
    if (key.empty() || static_cast<int64_t>(key.size()) > kvstore::kMaxKeyBytes) {
      return absl::InternalError(absl::StrCat("accepted a key of ", key.size(), " bytes"));
    }
    if (kvstore::KeySlot(key) != *slot) {
      return absl::InternalError(absl::StrCat("accepted a key of another slot: ", what));
    }
  }
  if (r.command() == kvstore::SET &&
      (r.args_size() != 2 || static_cast<int64_t>(r.args(1).size()) > kvstore::kMaxValueBytes)) {
    return absl::InternalError(absl::StrCat("accepted a malformed SET: ", what.substr(0, 80)));
  }
  return absl::OkStatus();
}

kvstore::SlotTableReply DrawTable(FuzzInput& in) {
  kvstore::SlotTableReply reply;
  reply.set_epoch(in.Below(8));
  const int ranges = static_cast<int>(in.Below(5));
  for (int i = 0; i < ranges; ++i) {
    kvstore::SlotRange* range = reply.add_ranges();
    const uint32_t first = static_cast<uint32_t>(in.Below(kSlotCount + 2));
    range->set_first(first);
    range->set_last(in.Bool() ? first + static_cast<uint32_t>(in.Below(300)) - 2
                              : static_cast<uint32_t>(in.Int(4)));
    range->set_shard(static_cast<uint32_t>(in.Below(4)));
    range->set_epoch(in.Below(8));
  }
  return reply;
}

absl::Status CheckTable(kvstore::SlotTable& table, const kvstore::SlotTableReply& reply) {
  const std::string before = table.ToProto().SerializeAsString();
  const absl::Status s = table.FromProto(reply);
  if (!s.ok()) {
    if (s.code() != absl::StatusCode::kInvalidArgument) {
      return absl::InternalError(absl::StrCat("FromProto refused with ", s.ToString()));
    }
    if (table.ToProto().SerializeAsString() != before) {
      return absl::InternalError("FromProto refused a table but changed the one it had");
    }
    return absl::OkStatus();
  }
  for (const kvstore::SlotRange& range : reply.ranges()) {
    for (uint32_t slot = range.first(); slot <= range.last(); ++slot) {
      if (slot >= static_cast<uint32_t>(kSlotCount)) {
        return absl::InternalError(absl::StrCat("FromProto accepted slot ", slot));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status FuzzKvstoreMessages(absl::string_view input) {
  FuzzInput in(input);
  kvstore::SlotTable table;
  for (int op = 0; op < 128 && !in.empty(); ++op) {
    absl::Status s;
    switch (in.Below(3)) {
      case 0:
        s = CheckCommand(DrawRequest(in));
        break;
      case 1:
        s = CheckTable(table, DrawTable(in));
        break;
      default: {
        const int slot = static_cast<int>(in.Below(kSlotCount));
        const uint64_t epoch = table.owner(slot).epoch;
        table.Learn(slot, ProcessId{static_cast<uint32_t>(in.Below(4))}, in.Below(8));
        if (table.owner(slot).epoch < epoch) {
          s = absl::InternalError(absl::StrCat("Learn lowered slot ", slot, "'s epoch"));
        }
      }
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace ddc::fuzz
